"""Country names: the content's overrides win over CLDR, and a mistyped override is reported on its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content import load_content
from bot.dialogue import Dialogue
from bot.features import ui
from bot.i18n import I18n, MissingCatalogError, country_name, use_country_names
from bot.matching import Matcher
from bot.replies import UserState


@pytest.fixture(autouse=True)
def _cldr_names_after_each_test():
    yield
    use_country_names({})


def dialogue_for(root: Path) -> Dialogue:
    content = load_content(root).content
    return Dialogue(content, Matcher(content), I18n(PROJECT_ROOT / "locales", content.languages, "ru"))


def picker(dialogue: Dialogue, lang: str) -> list[str]:
    return [button.label for row in ui.country_buttons(dialogue, UserState(lang=lang), "home") for button in row]


def test_russian_buttons_say_kyrgyzstan_and_south_korea(real_content):
    dialogue = Dialogue(real_content, Matcher(real_content), I18n(PROJECT_ROOT / "locales", real_content.languages))
    russian = picker(dialogue, "ru")
    assert "Кыргызстан" in russian and "Южная Корея" in russian
    assert "Киргизия" not in russian and "Республика Корея" not in russian
    assert "Таджикистан" in russian  # not overridden: CLDR's name stays
    assert "Түштүк Корея" in picker(dialogue, "ky")  # an override for one language leaves the others alone


def test_the_hotline_card_uses_the_override(mini_content):
    (mini_content / "country-names.yaml").write_text("ru:\n  KG: Кыргызстан\n", encoding="utf-8")
    dialogue = dialogue_for(mini_content)
    card = "\n".join(
        m.html for m in dialogue.command(UserState(lang="ru", home="KG", current="RU"), "hotline").messages
    )
    assert "Кыргызстан" in card and "Киргизия" not in card


def test_without_the_file_every_name_comes_from_cldr(mini_content):
    dialogue_for(mini_content)
    assert country_name("KG", "ru") == "Киргизия"


def test_an_unknown_language_or_country_code_is_an_error_on_its_line(mini_content):
    path = mini_content / "country-names.yaml"
    path.write_text("ru:\n  KG: Кыргызстан\n  KX: Косово\nkg:\n  KG: Кыргызстан\nen:\n  TR: ''\n", encoding="utf-8")
    result = load_content(mini_content)
    found = {(Path(p.path).name, p.line): p.message for p in result.errors}
    assert "unknown country code 'KX'" in found[("country-names.yaml", 3)]
    assert "unknown language 'kg'" in found[("country-names.yaml", 4)]
    assert "the name for TR is empty" in found[("country-names.yaml", 7)]
    assert result.content.country_names == {"ru": {"KG": "Кыргызстан"}}


def test_a_catalog_without_its_compiled_file_fails_fast(tmp_path):
    (tmp_path / "ky" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "ky" / "LC_MESSAGES" / "safar.po").write_text("", encoding="utf-8")
    with pytest.raises(MissingCatalogError, match="make setup"):
        I18n(tmp_path, ["ky", "en"])
