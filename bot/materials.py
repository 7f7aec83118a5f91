"""Campaign materials: myth cards (PNG), A4 posters (PDF) and the deep links they carry.

Printed posters and shared images are where most migrants first meet the bot, so
they are made from the same content and the same hotline routing the bot answers
with: a poster cannot carry a mistyped link or a number that drifted from the bot's.
Every QR code holds a deep link ``https://t.me/<bot>?start=<lang>-<topic>-src-<tag>``
that opens the topic in the language and counts the campaign.

Text is fitted, never cut: it wraps, then shrinks down to a readable minimum;
a text that still does not fit is reported (``file:topic:lang: ...``) and its card
is not made. Pure functions over :class:`~bot.content.Content`; no Telegram here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from bot.content import Content, Topic
from bot.hotlines import route
from bot.i18n import Gettext
from bot.schema import display_path

CARD_SIZE = (1080, 1350)  # portrait 4:5, what phones and social feeds show whole
POSTER_DPI = 300
POSTER_SIZE = (2480, 3508)  # A4 at 300 dpi
POSTER_QR_CM = 10.0  # a QR code is read from about ten times its width: 10 cm (its border aside) from a metre
STRIPS_PER_POSTER = 6
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what Telegram accepts after ?start=
CAMPAIGN_TAG = re.compile(r"^[A-Za-z0-9_]{1,24}$")
CARD_NUMBERS = 3

# The labels volunteers write in the answers ("**Myth:** ...", "**Reality:** ..."), in every language.
MYTH_LABELS = frozenset({"Myth", "Question", "Миф", "Вопрос", "Суроо", "Афсона", "Савол", "Afsona", "Savol"})
REALITY_LABELS = frozenset({"Reality", "На самом деле", "Чындыгында", "Дар асл", "Aslida", "Haqiqat"})
LABELLED = re.compile(r"^\*\*([^*\n]{1,40}?):\*\*\s*(.*)$", re.DOTALL)
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=\S)")

INK = (25, 33, 45)
MUTED = (90, 98, 110)
PAPER = (255, 255, 255)
MYTH_BG = (253, 236, 234)
MYTH_INK = (176, 42, 35)
REALITY_INK = (18, 110, 76)
BAND = (20, 72, 110)

# Fonts that draw Kyrgyz (ң ө ү), Tajik (ҳ ҷ ӣ ӯ қ ғ) and Uzbek Latin (oʻ gʻ): DejaVu first (Debian's
# fonts-dejavu-core, which `make test` installs), then Noto (fonts-noto-core).
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"))
FONT_MISSING = (
    "No font for Kyrgyz and Tajik letters: install the Debian package fonts-dejavu-core "
    "(sudo apt-get install fonts-dejavu-core) or set SAFAR_FONT_DIR to a folder with DejaVuSans.ttf"
)


class MaterialsError(Exception):
    """A reason the materials cannot be made at all, said in one plain line."""


@dataclass(frozen=True)
class Fonts:
    """The regular and bold font files found on this machine."""

    regular: Path
    bold: Path

    def get(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The font at ``size``; loaded once per file and size."""
        return _font(str(self.bold if bold else self.regular), size)


_FONT_CACHE: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    key = (path, size)
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = ImageFont.truetype(path, size)
    return _FONT_CACHE[key]


def find_fonts(extra_dirs: Iterable[str | Path] = ()) -> Fonts:
    """The regular and bold font files, wherever the system keeps them; MaterialsError if absent."""
    dirs = [*extra_dirs, *([os.environ["SAFAR_FONT_DIR"]] if os.environ.get("SAFAR_FONT_DIR") else []), *FONT_DIRS]
    for regular, bold in FONT_FILES:
        for base in dirs:
            root = Path(base).expanduser()
            if not root.is_dir():
                continue
            found_regular = next(iter(sorted(root.rglob(regular))), None)
            found_bold = next(iter(sorted(root.rglob(bold))), None)
            if found_regular and found_bold:
                return Fonts(found_regular, found_bold)
    matched = _fc_match()
    if matched:
        return matched
    raise MaterialsError(FONT_MISSING)


def _fc_match() -> Fonts | None:
    """Ask fontconfig, for systems that keep fonts somewhere unusual."""
    if not shutil.which("fc-match"):
        return None
    paths = []
    for style in ("DejaVu Sans", "DejaVu Sans:bold"):
        result = subprocess.run(["fc-match", "-f", "%{file}", style], capture_output=True, text=True, check=False)
        path = Path(result.stdout.strip())
        if not path.name.startswith("DejaVuSans") or not path.is_file():
            return None
        paths.append(path)
    return Fonts(paths[0], paths[1])


# --- what goes on a card ------------------------------------------------------------------


@dataclass(frozen=True)
class CardText:
    """The words of one myth card: the myth (or the question) and the reality, in one language."""

    topic_id: str
    lang: str
    path: str
    title: str
    myth_label: str
    myth: str
    reality_label: str
    reality: str  # "" when the topic has no reality paragraph and no card_text


@dataclass(frozen=True)
class Report:
    """Why a card was not made: ``file:topic:lang: message``, the way volunteers find the file."""

    path: str
    topic_id: str
    lang: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.topic_id}:{self.lang}: {self.message}"


def _plain(markdown: str) -> str:
    """Markdown emphasis and links as plain words, on one line."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)", "", text)
    return " ".join(text.split())


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def card_text(topic: Topic) -> CardText:
    """The myth and reality as the answer states them; ``card_text`` replaces the reality when set."""
    myth_label = reality_label = myth = reality = ""
    for paragraph in re.split(r"\n\s*\n", topic.answer_markdown):
        found = LABELLED.match(paragraph.strip())
        if not found:
            continue
        label, text = found.group(1).strip(), _plain(found.group(2))
        if label in MYTH_LABELS and not myth and text:
            myth_label, myth = label, text
        elif label in REALITY_LABELS and not reality and text:
            reality_label, reality = label, _capitalised(text)
    if topic.card_text:
        reality = _plain(topic.card_text)
    return CardText(
        topic.id, topic.lang, topic.path, topic.title, myth_label, myth or topic.title, reality_label, reality
    )


def deep_link(username: str, lang: str, topic_id: str | None, campaign: str) -> str:
    """The t.me link that opens ``topic_id`` (or the greeting) in ``lang`` and counts ``campaign``."""
    payload = f"{lang}-{topic_id}-src-{campaign}" if topic_id else f"{lang}-src-{campaign}"
    if not PAYLOAD.match(payload):
        raise MaterialsError(f"the link payload {payload!r} is longer than Telegram's 64 characters: shorten --src")
    return f"https://t.me/{username}?start={payload}"


@dataclass(frozen=True)
class Number:
    """A phone number as printed on a card, with the hotline's name."""

    number: str
    name: str


def campaign_numbers(content: Content, country: str, lang: str, limit: int = CARD_NUMBERS) -> list[Number]:
    """The numbers the bot itself would give a citizen of ``country`` who is at home there.

    The one place this module asks the routing, so a change of its signature is a change here.
    """
    routing = route(content, country, country)
    usable = [item for item in routing.listings if item.dialable_here and item.how == "call"]
    return [Number(item.number, item.hotline.text(item.hotline.name, lang)) for item in usable][:limit]


# --- fitting text -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fitted:
    """Text wrapped to a width at the largest size that fits."""

    size: int
    lines: tuple[str, ...]
    line_height: int

    @property
    def height(self) -> int:
        """The height the lines take, in pixels."""
        return self.line_height * len(self.lines)


_WIDTHS: dict[tuple[int, str], float] = {}


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    key = (id(font), text)
    if key not in _WIDTHS:
        _WIDTHS[key] = font.getlength(text)
    return _WIDTHS[key]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str] | None:
    """Greedy word wrap; None if a single word is wider than the box.

    Words are measured once and summed; each finished line is measured whole, so kerning
    can never push a line past the box.
    """
    space = _width(font, " ")
    lines: list[list[str]] = []
    current: list[str] = []
    used = 0.0
    for word in text.split():
        size = _width(font, word)
        if size > width:
            return None
        if current and used + space + size <= width:
            current.append(word)
            used += space + size
        elif current:
            lines.append(current)
            current, used = [word], size
        else:
            current, used = [word], size
    if current:
        lines.append(current)
    joined = [" ".join(words) for words in lines]
    if any(font.getlength(line) > width for line in joined):
        return None
    return joined


def fit(
    text: str, fonts: Fonts, width: int, max_lines: int, largest: int, smallest: int, bold: bool = False
) -> Fitted | None:
    """The largest size from ``largest`` down to ``smallest`` at which ``text`` wraps into the box."""
    for size in range(largest, smallest - 1, -2):
        font = fonts.get(size, bold)
        lines = _wrap(text, font, width)
        if lines is not None and len(lines) <= max_lines:
            return Fitted(size, tuple(lines), round(size * 1.25))
    return None


def fitting_length(text: str, fonts: Fonts, width: int, max_lines: int, size: int, bold: bool = False) -> int:
    """How many characters of ``text`` fit the box at ``size``: what to shorten it to."""
    words = text.split()
    best = 0
    for count in range(1, len(words) + 1):
        prefix = " ".join(words[:count])
        lines = _wrap(prefix, fonts.get(size, bold), width)
        if lines is None or len(lines) > max_lines:
            break
        best = len(prefix)
    return best


def _draw_lines(draw: ImageDraw.ImageDraw, fitted: Fitted, fonts: Fonts, x: int, y: int, fill, bold=False) -> int:
    font = fonts.get(fitted.size, bold)
    for line in fitted.lines:
        draw.text((x, y), line, font=font, fill=fill)
        y += fitted.line_height
    return y


def _qr(link: str, size: int, symbol: bool = False) -> Image.Image:
    """The QR code of ``link``, black on white: ``size`` pixels wide with its quiet zone, or without it."""
    qr = segno.make(link, error="m", micro=False)
    inner = qr.symbol_size(scale=1, border=0)[0]
    total = qr.symbol_size(scale=1, border=4)[0]
    if symbol:
        size = math.ceil(size * total / inner)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, size // total), border=4, dark="black", light="white")
    buffer.seek(0)
    with Image.open(buffer) as image:
        image = image.convert("RGB")
    return image.resize((size, size), Image.NEAREST) if image.size[0] != size else image


# --- the card -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardLimits:
    """Box sizes and font sizes (pixels) of the 1080×1350 card; the smallest sizes stay readable on a phone."""

    margin: int = 64
    myth_lines: int = 4
    myth_sizes: tuple[int, int] = (62, 40)
    reality_lines: int = 3
    reality_sizes: tuple[int, int] = (54, 36)
    qr: int = 400


@dataclass(frozen=True)
class Card:
    """One topic's card: its text, the reality as printed, its deep link and the rendered image."""

    text: CardText
    reality: str  # as printed: a long reality keeps its opening sentences
    link: str
    image: Image.Image


def layout_card(
    text: CardText,
    link: str,
    username: str,
    numbers: Sequence[Number],
    fonts: Fonts,
    _: Gettext,
    limits: CardLimits = CardLimits(),
) -> Card | Report:
    """The myth card, or the reason it cannot be made without cutting words."""
    width, height = CARD_SIZE
    inner = width - 2 * limits.margin
    if not text.reality:
        return Report(
            text.path,
            text.topic_id,
            text.lang,
            "the answer has no reality paragraph for a card — set a card_text field",
        )
    myth = fit(f"{text.myth}", fonts, inner - 40, limits.myth_lines, *limits.myth_sizes, bold=True)
    if myth is None:
        return Report(
            text.path,
            text.topic_id,
            text.lang,
            "the myth is too long for a card — shorten it to "
            f"{fitting_length(text.myth, fonts, inner - 40, limits.myth_lines, limits.myth_sizes[1], True)} characters",
        )
    shown = _first_sentences(text.reality, fonts, inner, limits)
    reality = shown and fit(shown, fonts, inner, limits.reality_lines, *limits.reality_sizes)
    if not reality:
        length = fitting_length(text.reality, fonts, inner, limits.reality_lines, limits.reality_sizes[1])
        return Report(
            text.path,
            text.topic_id,
            text.lang,
            f"the reality is too long for a card — shorten to {length} characters or set a card_text field",
        )

    image = Image.new("RGB", CARD_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    label_font = fonts.get(34, bold=True)
    m = limits.margin

    # The myth, on red: what people believe.
    myth_box_bottom = m + 60 + myth.height + 40
    draw.rounded_rectangle((m - 24, m - 24, width - m + 24, myth_box_bottom), radius=28, fill=MYTH_BG)
    if text.myth_label:
        draw.text((m, m), text.myth_label.upper(), font=label_font, fill=MYTH_INK)
    _draw_lines(draw, myth, fonts, m + 20, m + 60, MYTH_INK, bold=True)

    # The reality, on white: what is true; in the middle of the space left.
    band_top = height - limits.qr - 2 * 40
    block = (56 if text.reality_label else 0) + reality.height
    y = myth_box_bottom + max(48, (band_top - myth_box_bottom - block) // 2 - 10)
    if text.reality_label:
        draw.text((m, y), text.reality_label.upper(), font=label_font, fill=REALITY_INK)
        y += 56
    _draw_lines(draw, reality, fonts, m, y, INK)

    # The link into the bot and the numbers, at the foot.
    draw.rectangle((0, band_top, width, height), fill=BAND)
    image.paste(_qr(link, limits.qr), (m - 16, band_top + 40))
    column = m - 16 + limits.qr + 40
    box = (column, band_top + 36, width - column - m + 16, height - band_top - 52)
    _numbers_block(draw, fonts, box, username, numbers, _, 48)
    return Card(text, shown or "", link, image)


def _quotes_closed(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("«") == text.count("»") and text.count("“") == text.count("”")


def _first_sentences(text: str, fonts: Fonts, width: int, limits: CardLimits) -> str | None:
    """The reality, or as many of its opening sentences as fit: a card says the gist, the bot the rest."""
    sentences = SENTENCE_END.split(text)
    for count in range(len(sentences), 0, -1):
        candidate = " ".join(sentences[:count])
        if not _quotes_closed(candidate):
            continue  # a cut inside a quotation would put words in someone's mouth
        if fit(candidate, fonts, width, limits.reality_lines, *limits.reality_sizes):
            return candidate
    return None


def _numbers_block(
    draw: ImageDraw.ImageDraw,
    fonts: Fonts,
    box: tuple[int, int, int, int],
    username: str,
    numbers: Sequence[Number],
    _: Gettext,
    size: int,
) -> None:
    """ "Ask Safar @name", then each number in bold with its name, white on the band, inside ``box``.

    The whole block shrinks until it fits; if even the smallest size does not, the last numbers go
    (the emergency number comes first and stays).
    """
    x, y, width, height = box
    for count in range(len(numbers), -1, -1):
        for step in range(size, round(size * 0.6) - 1, -2):
            rows = _number_rows(fonts, width, username, numbers[:count], _, step)
            if sum(row[0].height + row[3] for row in rows) <= height:
                for fitted, bold, colour, gap in rows:
                    y = _draw_lines(draw, fitted, fonts, x, y, colour, bold) + gap
                return


def _number_rows(fonts: Fonts, width: int, username: str, numbers: Sequence[Number], _: Gettext, size: int):
    """(fitted text, bold, colour, space after) for each row of the numbers block at ``size``."""
    pale = (200, 220, 235)
    rows = []
    ask = fit(_("Ask Safar"), fonts, width, 1, round(size * 0.7), round(size * 0.4))
    if ask:
        rows.append((ask, False, pale, 0))
    handle = fit(f"@{username}", fonts, width, 1, size, round(size * 0.5), bold=True)
    if handle:
        rows.append((handle, True, PAPER, round(size * 0.35)))
    for item in numbers:
        number = fit(item.number, fonts, width, 1, size, round(size * 0.5), bold=True)
        name = fit(item.name, fonts, width, 3, round(size * 0.55), round(size * 0.4))
        if number is None:
            continue
        rows.append((number, True, PAPER, 0 if name else round(size * 0.25)))
        if name:
            rows.append((name, False, pale, round(size * 0.25)))
    return rows


# --- the poster ---------------------------------------------------------------------------


def _cm(value: float) -> int:
    return round(value / 2.54 * POSTER_DPI)


def poster_topic_page(
    card: Card, username: str, numbers: Sequence[Number], fonts: Fonts, _: Gettext
) -> Image.Image | Report:
    """An A4 page for one topic: the myth, the reality, and a QR code read from a metre away."""
    width = POSTER_SIZE[0]
    m = _cm(1.8)
    inner = width - 2 * m
    text = card.text
    page = Image.new("RGB", POSTER_SIZE, PAPER)
    band_top = _poster_foot(page, card.link, username, numbers, fonts, _, POSTER_QR_CM)
    label_size, label_gap, box_pad, between = 80, 150, 80, 110
    room = band_top - m - _cm(0.8) - label_gap - box_pad - between - (label_gap if text.reality_label else 0)
    # Both texts shrink together, down to the card's own proportions (what fits the card fits here).
    for myth_size, reality_size in zip(range(150, 86, -4), range(120, 76, -3), strict=False):
        myth = fit(text.myth, fonts, inner - 80, 4, myth_size, myth_size, bold=True)
        reality = fit(card.reality, fonts, inner, 4, reality_size, reality_size)
        if myth and reality and myth.height + reality.height <= room:
            break
    else:
        return Report(text.path, text.topic_id, text.lang, "the text is too long for a poster — set a card_text field")
    draw = ImageDraw.Draw(page)
    label = fonts.get(label_size, bold=True)
    top = m + label_gap + myth.height + box_pad
    draw.rounded_rectangle((m - 60, m - 60, width - m + 60, top), radius=70, fill=MYTH_BG)
    if text.myth_label:
        draw.text((m, m), text.myth_label.upper(), font=label, fill=MYTH_INK)
    _draw_lines(draw, myth, fonts, m + 40, m + label_gap, MYTH_INK, bold=True)
    y = top + between
    if text.reality_label:
        draw.text((m, y), text.reality_label.upper(), font=label, fill=REALITY_INK)
        y += label_gap
    _draw_lines(draw, reality, fonts, m, y, INK)
    return page


def _poster_foot(
    page: Image.Image,
    link: str,
    username: str,
    numbers: Sequence[Number],
    fonts: Fonts,
    _: Gettext,
    qr_cm: float,
    bottom: int | None = None,
) -> int:
    """The big QR code on the left of a band, "@name" and the numbers on its right; returns the band's top."""
    width, height = page.size
    bottom = height if bottom is None else bottom
    code = _qr(link, _cm(qr_cm), symbol=True)
    qr = code.size[0]
    pad = _cm(0.8)
    top = bottom - qr - 2 * pad
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, top, width, bottom), fill=BAND)
    page.paste(code, (pad, top + pad))
    column = pad + qr + pad
    _numbers_block(draw, fonts, (column, top + pad, width - column - pad, qr), username, numbers, _, 110)
    return top


def poster_strips_page(
    cards: Sequence[Card], general_link: str, username: str, numbers: Sequence[Number], fonts: Fonts, _: Gettext
) -> Image.Image:
    """An A4 page with the bot's QR code and up to six tear-off strips, one topic each."""
    width, height = POSTER_SIZE
    page = Image.new("RGB", POSTER_SIZE, PAPER)
    draw = ImageDraw.Draw(page)
    m = _cm(1.2)
    strip_height = _cm(6.5)
    strips_top = height - strip_height
    foot_top = _poster_foot(page, general_link, username, numbers, fonts, _, POSTER_QR_CM, strips_top - _cm(0.4))

    # The myths themselves above the band, all at one size: what the strips below answer.
    area = foot_top - _cm(0.5) - m
    gap = _cm(0.3)
    for shown in range(len(cards), 0, -1):  # as many as fit at a readable size (all, on every real poster)
        myths = _fit_all([card.text.myth for card in cards[:shown]], fonts, width - 2 * m - 70, area, gap)
        if myths:
            break
    y = m
    for myth in myths:
        middle = y + myth.line_height // 2
        draw.ellipse((m, middle - 18, m + 36, middle + 18), fill=MYTH_INK)
        y = _draw_lines(draw, myth, fonts, m + 70, y, INK, bold=True) + gap

    # Tear-off strips: dashed cut lines; on each strip its topic's QR code, and its title turned upright.
    strip_width = width // STRIPS_PER_POSTER
    for x in range(0, width, 40):
        draw.line((x, strips_top, x + 20, strips_top), fill=MUTED, width=4)
    inset = _cm(0.3)
    qr_size = strip_width - 2 * inset
    strips = [cards[index % len(cards)] for index in range(STRIPS_PER_POSTER)]  # fewer topics: repeated
    for index, card in enumerate(strips):
        left = index * strip_width
        for y_dash in range(strips_top, height, 40):
            draw.line((left + strip_width, y_dash, left + strip_width, y_dash + 20), fill=MUTED, width=4)
        page.paste(_qr(card.link, qr_size), (left + inset, strips_top + inset))
        label_top = strips_top + inset + qr_size + _cm(0.2)
        label = _strip_label(card.text.title, username, fonts, height - label_top - inset, qr_size)
        page.paste(label, (left + inset, label_top))
    return page


def _fit_all(texts: Sequence[str], fonts: Fonts, width: int, height: int, gap: int) -> list[Fitted]:
    """All ``texts`` at one size, the largest at which they fit in ``height`` together; [] if none."""
    for size in range(110, 35, -2):
        fitted = [fit(text, fonts, width, 3, size, size, bold=True) for text in texts]
        if all(fitted) and sum(f.height for f in fitted) + gap * (len(fitted) - 1) <= height:
            return fitted
    return []


def _strip_label(title: str, username: str, fonts: Fonts, length: int, thickness: int) -> Image.Image:
    """The title and @name written along a strip, read by tilting the head, as on tear-off notices."""
    label = Image.new("RGB", (length, thickness), PAPER)
    draw = ImageDraw.Draw(label)
    handle = fit(f"@{username}", fonts, length - 20, 1, 44, 26)
    room = thickness - 10 - (handle.height if handle else 0)
    y = 10
    for size in range(60, 27, -2):
        title_fit = fit(title, fonts, length - 20, max(1, room // round(size * 1.25)), size, size, bold=True)
        if title_fit and title_fit.height <= room:
            y = _draw_lines(draw, title_fit, fonts, 10, y, INK, bold=True)
            break
    if handle:
        _draw_lines(draw, handle, fonts, 10, y, MUTED)
    return label.rotate(90, expand=True)


# --- a whole campaign ---------------------------------------------------------------------


@dataclass
class Built:
    """What ``build`` wrote, and what it could not make (and why)."""

    files: list[Path]
    reports: list[Report]
    links: list[tuple[str, str, str, str]]  # topic ("" = the bot itself), language, campaign, link


def build(
    content: Content,
    langs: Sequence[str],
    topic_ids: Sequence[str],
    campaign: str,
    country: str,
    username: str,
    out: Path,
    gettext_for,
    fonts: Fonts | None = None,
) -> Built:
    """Cards, one poster PDF per language and links.csv under ``out``; unfit cards are reported, not cut."""
    fonts = fonts or find_fonts()
    out.mkdir(parents=True, exist_ok=True)
    built = Built([], [], [])
    for lang in langs:
        _ = gettext_for(lang)
        numbers = campaign_numbers(content, country, lang)
        cards: list[Card] = []
        for topic_id in topic_ids:
            topic = content.topics.get(lang, {}).get(topic_id)
            if topic is None:
                built.reports.append(Report(str(content.root / lang), topic_id, lang, "no such topic in this language"))
                continue
            link = deep_link(username, lang, topic_id, campaign)
            made = layout_card(card_text(topic), link, username, numbers, fonts, _)
            if isinstance(made, Report):
                built.reports.append(made)
                continue
            path = out / f"card-{lang}-{topic_id}.png"
            made.image.save(path)
            built.files.append(path)
            built.links.append((topic_id, lang, campaign, link))
            cards.append(made)
        pages = poster_pages(cards, deep_link(username, lang, None, campaign), username, numbers, fonts, _, built)
        if len(cards) > 1:
            built.links.append(("", lang, campaign, deep_link(username, lang, None, campaign)))
        if pages:
            path = out / f"poster-{lang}.pdf"
            pages[0].save(path, "PDF", resolution=POSTER_DPI, save_all=True, append_images=pages[1:], quality=92)
            built.files.append(path)
    path = out / "links.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(("topic", "language", "campaign", "link"))
        writer.writerows(built.links)
    built.files.append(path)
    return built


def poster_pages(
    cards: Sequence[Card], general_link: str, username: str, numbers: Sequence[Number], fonts: Fonts, _, built: Built
) -> list[Image.Image]:
    """One topic: its own poster. More: pages of up to six tear-off strips under the bot's own QR code."""
    if len(cards) == 1:
        page = poster_topic_page(cards[0], username, numbers, fonts, _)
        if isinstance(page, Report):
            built.reports.append(page)
            return []
        return [page]
    return [
        poster_strips_page(cards[start : start + STRIPS_PER_POSTER], general_link, username, numbers, fonts, _)
        for start in range(0, len(cards), STRIPS_PER_POSTER)
    ]


def expected_poster_pages(cards: int) -> int:
    """How many poster pages ``cards`` cards make: one poster for a single topic, else pages of tear-off strips."""
    return 0 if cards == 0 else 1 if cards == 1 else math.ceil(cards / STRIPS_PER_POSTER)


def parse_request(
    content: Content, langs: str | None, topics: str | None, campaign: str | None, country: str | None
) -> tuple[list[str], list[str], str, str]:
    """(languages, topic ids, campaign tag, country) from the command line; MaterialsError says what is wrong."""
    if not langs:
        raise MaterialsError(f"--lang is required: one of {', '.join(content.languages)}, comma-separated, or all")
    chosen = content.languages if langs.strip() == "all" else [part.strip() for part in langs.split(",") if part]
    for lang in chosen:
        if lang not in content.languages:
            raise MaterialsError(f"--lang {lang!r}: no such content language (have: {', '.join(content.languages)})")
    if not campaign or not CAMPAIGN_TAG.match(campaign):
        raise MaterialsError("--src must be a campaign tag of latin letters, digits or _ (at most 24), like osh2026")
    countries = sorted({h.country for h in content.hotlines if h.kind == "emergency"})
    if not country or country.upper() not in countries:
        raise MaterialsError(f"--country must be where the campaign runs, one of: {', '.join(countries)}")
    if topics:
        ids = [part.strip() for part in topics.split(",") if part.strip()]
    else:
        ids = [tid for tid in content.topic_ids if tid.startswith("myth-")]
    for topic_id in ids:
        if topic_id not in content.topic_ids:
            raise MaterialsError(f"--topics: no topic {topic_id!r} in {display_path(str(content.root))}/")
    if not ids:
        raise MaterialsError("--topics: no topics given")
    return chosen, ids, campaign.lower(), country.upper()  # the bot counts tags in lower case


# --- share images for inline mode ---------------------------------------------------------

LAYOUT_VERSION = "1"  # bump when the card's look changes: every share image is made anew


class ShareImages:
    """The myth card of each topic as an image a person can forward from inline mode.

    An image is rendered once, when first asked for, and kept on disk under a name that
    changes with its words and link, so an edited topic gets a new image. Telegram offers
    an inline picture only by a public URL or the ``file_id`` of a photo it already holds:
    the adapter uploads each image once and the file_id is kept here too (``file_ids.json``).
    Share images carry no phone numbers: whoever receives one may be in any country, and
    the link asks them where they are.
    """

    def __init__(self, folder: Path, username: str, campaign: str, fonts: Fonts | None = None):
        self.folder = Path(folder)
        self.username = username
        self.campaign = campaign
        self._fonts = fonts
        self._ids_path = self.folder / "file_ids.json"
        self._file_ids: dict[str, str] = self._read_ids()

    def _read_ids(self) -> dict[str, str]:
        try:
            data = json.loads(self._ids_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def name(self, topic: Topic) -> str:
        """The image's file name: topic, language and a digest of everything drawn on it."""
        text = card_text(topic)
        link = deep_link(self.username, topic.lang, topic.id, self.campaign)
        digest = hashlib.sha256(repr((LAYOUT_VERSION, text, link)).encode()).hexdigest()[:12]
        return f"share-{topic.lang}-{topic.id}-{digest}.png"

    def image(self, topic: Topic, _: Gettext) -> Path | None:
        """The image on disk, rendered now if it is not there yet; None if the card cannot be made."""
        path = self.folder / self.name(topic)
        if path.exists():
            return path
        self._fonts = self._fonts or find_fonts()
        link = deep_link(self.username, topic.lang, topic.id, self.campaign)
        card = layout_card(card_text(topic), link, self.username, (), self._fonts, _)
        if isinstance(card, Report):
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        card.image.save(partial, format="PNG")
        partial.replace(path)  # a half-written file is never offered
        return path

    def file_id(self, topic: Topic) -> str | None:
        """Telegram's id of the uploaded image, if it was uploaded for this very version."""
        return self._file_ids.get(self.name(topic))

    def remember(self, topic: Topic, file_id: str) -> None:
        """Keep the ``file_id`` Telegram gave an uploaded image; the file is replaced whole, never left half-written."""
        self._file_ids[self.name(topic)] = file_id
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self._ids_path.with_suffix(".part")
        partial.write_text(json.dumps(self._file_ids, indent=1, sort_keys=True), encoding="utf-8")
        partial.replace(self._ids_path)
