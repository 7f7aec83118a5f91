"""Interface languages: gettext catalogs, CLDR names, and choosing a user's language.

The bot speaks every language that has both a content folder and a
compiled catalog, so a new language is added with files only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

Gettext = Callable[[str], str]
DOMAIN = "safar"
SOURCE_LANGUAGE = "en"


class MissingCatalogError(RuntimeError):
    """A .po file without its compiled .mo: the set-up was skipped."""


class I18n:
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
    """A country's name in the user's language, from CLDR."""
    try:
        return Locale.parse(lang).territories.get(code) or code
    except (ValueError, UnknownLocaleError):
        return Locale("en").territories.get(code, code)


def language_display(code: str, lang: str) -> str:
    try:
        return Locale.parse(lang).languages.get(code) or code
    except (ValueError, UnknownLocaleError):
        return code
