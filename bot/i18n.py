"""Interface languages: gettext catalogs, CLDR names, and choosing a user's language.

The bot speaks every language that has both a content folder and a
compiled catalog, so a new language is added with files only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


Gettext = Callable[[str], str]
DOMAIN = "safar"
SOURCE_LANGUAGE = "en"
COUNTRY_NAMES_FILE = "country-names.yaml"
_country_names: dict[str, dict[str, str]] = {}  # lang -> country code -> name, from the live content


class MissingCatalogError(RuntimeError):
    """A .po file without its compiled .mo: the set-up was skipped."""


class I18n:
    """The catalogs of the bot's languages, all loaded at start: a missing one fails then, not mid-conversation."""

    def __init__(self, locales_dir: Path, languages: Iterable[str], default: str = "ru"):
        self.languages = sorted(languages)
        self.default = default if default in self.languages else self.languages[0]
        self._catalogs: dict[str, NullTranslations] = {}
        for lang in self.languages:
            po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            mo = po.with_suffix(".mo")
            if po.exists() and not mo.exists():
                raise MissingCatalogError(f"{po} has no compiled {mo.name}: run `make setup`")
            if mo.exists():
                with mo.open("rb") as handle:
                    self._catalogs[lang] = Translations(handle, domain=DOMAIN)
            elif lang == SOURCE_LANGUAGE:
                self._catalogs[lang] = NullTranslations()
            else:
                raise MissingCatalogError(f"no catalog for language {lang!r} in {locales_dir}")

    def gettext(self, lang: str) -> Gettext:
        """The translation function for ``lang``; an unknown language gets the default's."""
        return self._catalogs.get(lang, self._catalogs[self.default]).gettext

    def negotiate(self, code: str | None) -> str:
        """Pick the bot language for a Telegram `language_code` like "ky", "ru-RU" or "pt-br"."""
        if code:
            found = Locale.negotiate([code], self.languages, sep="-")
            if found:
                return str(found)
            try:
                parsed = Locale.parse(code, sep="-")
            except (ValueError, UnknownLocaleError):
                parsed = None
            if parsed and parsed.language in self.languages:
                return parsed.language
        return self.default

    def language_name(self, lang: str) -> str:
        """The language's own name for itself ("Кыргызча", "Тоҷикӣ")."""
        try:
            name = Locale.parse(lang).get_display_name(lang) or lang
        except (ValueError, UnknownLocaleError):
            name = lang
        return name[:1].upper() + name[1:]


def country_name(code: str, lang: str) -> str:
    """A country's name in the user's language: the content's override, else CLDR."""
    override = _country_names.get(lang, {}).get(code)
    if override:
        return override
    try:
        return Locale.parse(lang).territories.get(code) or code
    except (ValueError, UnknownLocaleError):
        return Locale("en").territories.get(code, code)


def language_display(code: str, lang: str) -> str:
    """The name of language ``code`` in language ``lang`` (CLDR); the code itself when unknown."""
    try:
        return Locale.parse(lang).languages.get(code) or code
    except (ValueError, UnknownLocaleError):
        return code


def use_country_names(names: Mapping[str, Mapping[str, str]]) -> None:
    """Let the content's names win over CLDR's from now on.

    CLDR says «Киргизия» where people in the region say «Кыргызстан»; the
    volunteers' ``country-names.yaml`` corrects that. The names are installed
    once per live content (the dialogue does it) rather than passed down,
    because hotline cards deep in the rendering know only a language.
    """
    _country_names.clear()
    _country_names.update({lang: dict(by_code) for lang, by_code in names.items()})


def read_country_names(
    path: Path, languages: Collection[str]
) -> tuple[dict[str, dict[str, str]], list[tuple[int, str]]]:
    """Read ``country-names.yaml`` (``lang: {CODE: name}``): the names, and (line, message) for each problem.

    An absent file means no overrides. Problems name the line so a volunteer
    can find a mistyped language or country code.
    """
    if not path.exists():
        return {}, []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        return {}, [((mark.line + 1) if mark else 1, f"cannot read the file: {getattr(error, 'problem', error)}")]
    if root is None:
        return {}, []
    if not isinstance(root, yaml.MappingNode):
        return {}, [(root.start_mark.line + 1, "expected lines like 'ru:' with 'KG: Кыргызстан' under them")]
    known = Locale("en").territories
    names: dict[str, dict[str, str]] = {}
    problems: list[tuple[int, str]] = []
    for lang_node, by_code in root.value:
        lang, line = str(lang_node.value), lang_node.start_mark.line + 1
        if lang not in languages:
            problems.append((line, f"unknown language {lang!r} (the content has: {', '.join(sorted(languages))})"))
            continue
        if not isinstance(by_code, yaml.MappingNode):
            problems.append((line, f"under {lang!r}, write one 'CODE: name' per line, like 'KG: Кыргызстан'"))
            continue
        for code_node, name_node in by_code.value:
            code, line = str(code_node.value), code_node.start_mark.line + 1
            name = name_node.value if isinstance(name_node, yaml.ScalarNode) else None
            if len(code) != 2 or not code.isupper() or code not in known:
                problems.append((line, f"unknown country code {code!r}; use two capital letters like KG"))
            elif not isinstance(name, str) or not name.strip():
                problems.append((line, f"the name for {code} is empty"))
            else:
                names.setdefault(lang, {})[code] = name.strip()
    return names, problems
