"""Render the volunteers' Markdown to the small HTML subset Telegram accepts.

Telegram's HTML parse mode knows <b>, <i>, <u>, <s>, <a>, <code>, <pre> and
<blockquote>, and nothing else: no paragraphs, headings or lists. The
parser is markdown-it-py; this module only chooses how each token looks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_LINK_SCHEMES = ("https://", "tg://")

_md = MarkdownIt("commonmark", {"html": True, "linkify": False})
# Escaped characters (\\*) stay their own tokens, so a star left over in the text is told from a written one.
_md.disable("text_join")

_SPACED_LINK = re.compile(r"\[([^\]]*)\]\s+\((\S*?)\)")
_REFUSED_LINK = re.compile(r"\[([^\]]*)\]\((\S*)")


@dataclass
class Rendered:
    """Markdown rendered for Telegram (HTML) and as plain text, with what Telegram would refuse."""

    html: str
    text: str
    #: (line in the Markdown source, 0-based, or None; what Telegram would reject)
    problems: list[tuple[int | None, str]] = field(default_factory=list)


@dataclass
class _Out:
    html: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def write(self, html_part: str, text_part: str = "") -> None:
        self.html.append(html_part)
        self.text.append(text_part)


def render(markdown: str) -> Rendered:
    """Render Markdown; report raw HTML, images and unsafe links instead of passing them on."""
    out = _Out()
    problems: list[tuple[int | None, str]] = []
    lists: list[list[int]] = []  # stack of [ordered, counter]
    line: int | None = None
    for token in _md.parse(markdown):
        if token.map:
            line = token.map[0]
        match token.type:
            case "paragraph_open" | "heading_open":
                if token.type == "heading_open":
                    out.write("<b>")
            case "paragraph_close" | "heading_close":
                if token.type == "heading_close":
                    out.write("</b>")
                if not (lists and token.hidden):
                    out.write("\n\n", "\n\n")
            case "bullet_list_open" | "ordered_list_open":
                start = int(token.attrGet("start") or 1)
                lists.append([token.type == "ordered_list_open", start])
            case "bullet_list_close" | "ordered_list_close":
                lists.pop()
                if not lists:
                    out.write("\n", "\n")
            case "list_item_open":
                ordered, number = lists[-1]
                indent = "  " * (len(lists) - 1)
                marker = f"{number}. " if ordered else "• "
                lists[-1][1] += 1
                out.write(indent + marker, indent + marker)
            case "list_item_close":
                out.write("\n", "\n")
            case "inline":
                _render_inline(token.children or [], out, problems, line)
            case "blockquote_open":
                out.write("<blockquote>")
            case "blockquote_close":
                out.write("</blockquote>")
            case "fence" | "code_block":
                out.write(f"<pre>{html.escape(token.content, quote=False)}</pre>\n\n", token.content)
            case "hr":
                out.write("\n", "\n")
            case "html_block":
                problems.append((line, "raw HTML is not allowed in an answer: use Markdown"))
            case _:
                problems.append((line, f"Telegram cannot show this Markdown element ({token.type})"))
    return Rendered(_tidy("".join(out.html)), _tidy("".join(out.text)), problems)


def _render_inline(children: list[Token], out: _Out, problems: list[tuple[int | None, str]], line: int | None) -> None:
    for child in children:
        match child.type:
            case "text":
                out.write(html.escape(child.content, quote=False), child.content)
                problems.extend((line, message) for message in leftover_markup(child.content))
            case "text_special":  # an escaped character (\\*) or an entity (&amp;): the character itself
                out.write(html.escape(child.content, quote=False), child.content)
            case "softbreak" | "hardbreak":
                out.write("\n", "\n")
                line = None if line is None else line + 1
            case "strong_open":
                out.write("<b>")
            case "strong_close":
                out.write("</b>")
            case "em_open":
                out.write("<i>")
            case "em_close":
                out.write("</i>")
            case "s_open":
                out.write("<s>")
            case "s_close":
                out.write("</s>")
            case "code_inline":
                out.write(f"<code>{html.escape(child.content, quote=False)}</code>", child.content)
            case "link_open":
                href = str(child.attrGet("href") or "")
                if not href.startswith(ALLOWED_LINK_SCHEMES):
                    problems.append((line, _link_message(href)))
                out.write(f'<a href="{html.escape(href, quote=True)}">')
            case "link_close":
                out.write("</a>")
            case "html_inline":
                problems.append((line, "raw HTML is not allowed in an answer: use Markdown"))
            case "image":
                problems.append((line, "images cannot be shown in a Telegram answer"))
            case _:
                problems.append((line, f"Telegram cannot show this Markdown element ({child.type})"))


def _link_message(href: str) -> str:
    if href.startswith("http://"):
        return f"the link {href} is not secure: write it with https://, like https://{href[len('http://') :]}"
    return f"the link '{href}' cannot be used: a link in an answer must start with https:// (or tg:// for Telegram)"


def leftover_markup(text: str) -> list[str]:
    """What Markdown left as plain text although the writer meant formatting: Telegram would show it raw."""
    problems = []
    if spaced := _SPACED_LINK.search(text):
        problems.append(
            f"a space between ']' and '(' breaks the link: write [{spaced.group(1)}]({spaced.group(2)}) with no space"
        )
    elif refused := _REFUSED_LINK.search(text):
        target = refused.group(2)
        closed = target.endswith(")")
        target = target.removesuffix(")")
        if not target.startswith(ALLOWED_LINK_SCHEMES):
            problems.append(_link_message(target))
        elif not closed:
            problems.append(f"the link to {target} is missing its closing ')': write [text]({target})")
        else:
            problems.append(f"this link is not written correctly: write [text]({target}) with no spaces")
    elif "[" in text and "]" not in text[text.index("[") :]:
        problems.append("a '[' opens a link but its ']' is missing: write [text](https://…)")
    if "*" in text:
        problems.append(
            "a '*' here is not closed, so Telegram would show the star: close bold as **like this** "
            "(or write \\* for a real star)"
        )
    return problems


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().split("\n")]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()
