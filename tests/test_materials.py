"""Campaign materials: the QR codes lead into the bot, the text fits or is reported, the posters print."""

from __future__ import annotations

import asyncio
import csv
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot import materials
from bot.config import PROJECT_ROOT
from bot.content import load_content
from bot.dialogue import Dialogue
from bot.hotlines import route
from bot.i18n import I18n
from bot.replies import UserState
from tests.conftest import make_mini_content, run_cli, write_topic

USERNAME = "SafarTestBot"
CAMPAIGN = "osh2026"
TOPICS = ("myth-easy-money", "trouble-passport-taken")
PDFTOPPM = shutil.which("pdftoppm")


def need_pdftoppm() -> None:
    if PDFTOPPM is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: `make test` installs poppler-utils")
        pytest.skip("pdftoppm is not installed (make test installs poppler-utils)")


@pytest.fixture(scope="module")
def fonts() -> materials.Fonts:
    try:
        return materials.find_fonts()
    except materials.MaterialsError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def i18n(real_content) -> I18n:
    return I18n(PROJECT_ROOT / "locales", real_content.languages)


@pytest.fixture(scope="module")
def dialogue(real_content, matcher, i18n) -> Dialogue:
    return Dialogue(real_content, matcher, i18n)


@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory, fonts) -> Path:
    """What a campaign team gets from the command line, for every language and two topics."""
    out = tmp_path_factory.mktemp("dist")
    env = {"SAFAR_BOT_USERNAME": f"@{USERNAME}"}
    args = ("--lang", "all", "--topics", ",".join(TOPICS), "--src", CAMPAIGN, "--country", "KG", "--out", str(out))
    result = run_cli("materials", *args, env=env)
    assert result.stderr == ""
    return out


def links(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "links.csv").read_text(encoding="utf-8").splitlines()))


def png(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image.copy()


def decode(image: Image.Image) -> list[str]:
    return sorted(barcode.text for barcode in zxingcpp.read_barcodes(image))


def pdf_pages(pdf: Path, tmp_path: Path, dpi: int = 100) -> list[Image.Image]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    prefix = tmp_path / pdf.stem
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return [png(page) for page in sorted(tmp_path.glob(f"{pdf.stem}-*.png"))]


# --- the links -----------------------------------------------------------------------------


def test_every_card_qr_opens_its_topic_in_its_language_and_counts_the_campaign(campaign_dir, real_content, dialogue):
    rows = links(campaign_dir)
    card_rows = [row for row in rows if row["topic"]]
    assert len(card_rows) == len(real_content.languages) * len(TOPICS)
    for row in card_rows:
        lang, topic_id = row["language"], row["topic"]
        card = png(campaign_dir / f"card-{lang}-{topic_id}.png")
        assert card.size == (1080, 1350)
        assert decode(card) == [row["link"]]
        assert row["link"] == f"https://t.me/{USERNAME}?start={lang}-{topic_id}-src-{CAMPAIGN}"

        turn = dialogue.start(UserState(), row["link"].partition("?start=")[2], None)
        assert turn.state.lang == lang
        assert turn.events[0].data == {"campaign": CAMPAIGN, "topic": topic_id, "lang": lang}
        title = real_content.topics[lang][topic_id].title
        assert html.escape(title) in turn.messages[0].html


def test_the_poster_qr_codes_are_the_links_and_the_big_one_reads_from_a_metre(campaign_dir, tmp_path, dialogue):
    need_pdftoppm()
    rows = links(campaign_dir)
    (page,) = pdf_pages(campaign_dir / "poster-ky.pdf", tmp_path)
    found = zxingcpp.read_barcodes(page)
    expected = sorted(row["link"] for row in rows if row["language"] == "ky")
    assert sorted({b.text for b in found}) == expected
    assert len(found) == 1 + materials.STRIPS_PER_POSTER  # two topics fill the six strips, three times each
    general = next(row["link"] for row in rows if row["language"] == "ky" and not row["topic"])
    big = next(b for b in found if b.text == general)
    width_cm = (big.position.top_right.x - big.position.top_left.x) / 100 * 2.54
    assert width_cm >= 9.9  # the code itself, without its white border: a 10 cm code reads from a metre

    turn = dialogue.start(UserState(), general.partition("?start=")[2], None)
    assert (turn.state.lang, turn.events[0].data["campaign"], turn.events[0].data["topic"]) == ("ky", CAMPAIGN, None)


def test_a_poster_has_a_page_for_one_topic_and_six_strips_a_page_for_more(real_content, fonts, i18n, tmp_path):
    need_pdftoppm()
    myths = [tid for tid in real_content.topic_ids if tid.startswith("myth-")][:7]
    for topics, pages in ((["trouble-passport-taken"], 1), (myths, None)):
        out = tmp_path / str(len(topics))
        built = materials.build(real_content, ["en"], topics, CAMPAIGN, "KG", USERNAME, out, i18n.gettext, fonts)
        cards = sum(path.suffix == ".png" for path in built.files)
        expected = pages or -(-cards // materials.STRIPS_PER_POSTER)
        rendered = pdf_pages(out / "poster-en.pdf", tmp_path / f"pages{len(topics)}", dpi=30)
        assert len(rendered) == expected
        assert all(page.size == (248, 351) for page in rendered)  # A4 at 30 dpi
    assert expected >= 2


# --- the text ------------------------------------------------------------------------------


def test_every_topic_and_language_makes_a_card_or_says_why(real_content, fonts):
    numbers = {lang: materials.campaign_numbers(real_content, "KG", lang) for lang in real_content.languages}
    made = 0
    for topic in real_content.all_topics():
        text = materials.card_text(topic)
        result = materials.layout_card(text, "https://t.me/x?start=en", "x", numbers[topic.lang], fonts, str)
        if isinstance(result, materials.Report):
            line = str(result)
            assert line.startswith(f"content/{topic.lang}/{topic.id}.md:{topic.id}:{topic.lang}: ")
            assert "card_text" in line
            continue
        made += 1
        assert result.image.size == materials.CARD_SIZE
        assert result.reality and result.reality in text.reality
        assert_nothing_outside_the_layout(result.image)
    assert made >= len(list(real_content.all_topics())) // 2


def assert_nothing_outside_the_layout(card: Image.Image) -> None:
    """Nothing drawn in the right margin above the band, and the band reaches the bottom untouched."""
    width, height = card.size
    band_top = height - materials.CardLimits().qr - 80
    margin = card.crop((width - 30, 0, width, band_top - 1))
    assert margin.getcolors() == [(30 * (band_top - 1), materials.PAPER)]
    bottom = card.crop((0, height - 6, width, height))
    assert bottom.getcolors() == [(6 * width, materials.BAND)]


def test_a_reality_too_long_is_reported_with_the_length_that_fits(tmp_path, fonts):
    root = make_mini_content(tmp_path / "content")
    long_reality = "nobody may keep your passport " + "and nobody may keep your papers " * 8
    fields = ("Passport", "trouble", "hotline", "", ["a", "b", "c", "d", "e", "f"])
    write_topic(root, "en", "trouble-long", *fields, f"**Myth:** it is fine.\n\n**Reality:** {long_reality.strip()}")
    content = load_content(root).content
    text = materials.card_text(content.topics["en"]["trouble-long"])
    report = materials.layout_card(text, "https://t.me/x?start=en", "x", [], fonts, str)
    assert isinstance(report, materials.Report)
    found = re.search(
        r"/en/trouble-long\.md:trouble-long:en: "
        r"the reality is too long for a card — shorten to (\d+) characters or set a card_text field$",
        str(report),
    )
    assert found

    # What the report says to do works: the text cut to that length, as a card_text field, fits.
    shorter = long_reality[: int(found.group(1))]
    path = root / "en" / "trouble-long.md"
    path.write_text(path.read_text().replace("title:", f"card_text: {shorter}\ntitle:"), encoding="utf-8")
    content = load_content(root).content
    assert content.topics["en"]["trouble-long"].card_text == shorter.strip()
    card = materials.layout_card(
        materials.card_text(content.topics["en"]["trouble-long"]), "https://t.me/x", "x", [], fonts, str
    )
    assert isinstance(card, materials.Card) and card.reality == shorter.strip()


def test_the_font_draws_kyrgyz_tajik_and_uzbek_letters(fonts):
    for bold in (False, True):
        font = fonts.get(40, bold)
        missing = bytes(font.getmask("\ue000"))  # a private-use code point: the font's "no glyph" box
        for letter in "ңөүҢӨҮҳҷӣӯқғҲҶӢӮҚҒʻ":
            assert bytes(font.getmask(letter)) != missing, letter


def test_no_font_is_one_plain_line(monkeypatch, tmp_path):
    monkeypatch.setattr(materials, "FONT_DIRS", (str(tmp_path),))
    monkeypatch.setattr(materials.shutil, "which", lambda name: None)
    monkeypatch.delenv("SAFAR_FONT_DIR", raising=False)
    with pytest.raises(materials.MaterialsError) as error:
        materials.find_fonts()
    assert "\n" not in str(error.value) and "fonts-dejavu-core" in str(error.value)


# --- the numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["KG", "TJ"])
def test_the_numbers_are_the_bots_own_for_a_citizen_at_home(real_content, country):
    numbers = [n.number for n in materials.campaign_numbers(real_content, country, "ru")]
    routed = [item.number for item in route(real_content, country, country).listings]
    assert numbers == routed[: materials.CARD_NUMBERS]
    emergency = next(h.number for h in real_content.hotlines if h.country == country and h.kind == "emergency")
    assert numbers[0] == emergency
    others = {h.number for h in real_content.hotlines if h.country != country} - {emergency}
    assert not set(numbers) & others


# --- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--lang", "xx", "--src", "a", "--country", "KG"], {}, "--lang 'xx'"),
        (["--lang", "ky", "--topics", "no-such-topic", "--src", "a", "--country", "KG"], {}, "no-such-topic"),
        (["--lang", "ky", "--src", "osh 2026", "--country", "KG"], {}, "--src"),
        (["--lang", "ky", "--src", "osh2026", "--country", "ZZ"], {}, "--country"),
        (["--lang", "ky", "--src", "osh2026"], {}, "--country"),
        (["--lang", "ky", "--src", "osh2026", "--country", "KG"], {"SAFAR_BOT_USERNAME": ""}, "SAFAR_BOT_USERNAME"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(args, env, says, tmp_path):
    env = {"SAFAR_BOT_USERNAME": USERNAME, "TELEGRAM_BOT_TOKEN": ""} | env
    result = run_cli("materials", *args, "--out", str(tmp_path / "out"), env=env, check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr
    assert not (tmp_path / "out").exists()


# --- inline mode's pictures ------------------------------------------------------------------


def test_a_share_image_is_made_once_and_made_anew_when_the_topic_changes(tmp_path, fonts):
    root = make_mini_content(tmp_path / "content")
    topic = load_content(root).content.topics["en"]["trouble-passport-taken"]
    images = materials.ShareImages(tmp_path / "share", USERNAME, "share", fonts)
    path = images.image(topic, str)
    assert decode(png(path)) == [f"https://t.me/{USERNAME}?start=en-trouble-passport-taken-src-share"]
    made = path.stat().st_mtime_ns
    assert images.image(topic, str) == path and path.stat().st_mtime_ns == made  # from disk, not drawn again

    images.remember(topic, "PHOTO-1")
    again = materials.ShareImages(tmp_path / "share", USERNAME, "share", fonts)  # after a restart
    assert again.file_id(topic) == "PHOTO-1"

    edited = root / "en" / "trouble-passport-taken.md"
    edited.write_text(edited.read_text().replace("nobody may keep it", "nobody may keep it, ever"), encoding="utf-8")
    changed = load_content(root).content.topics["en"]["trouble-passport-taken"]
    assert again.file_id(changed) is None  # the old picture says the old words: never offered for the new
    assert again.image(changed, str) != path


async def test_inline_mode_offers_the_picture_once_telegram_holds_it(mini_content, config, monkeypatch):
    from tests.telegram_fake import FakeTelegram, Updates, running_bot, to_update

    original = FakeTelegram._result

    def with_photos(self, method, params):
        if method == "sendPhoto":
            photo = [{"file_id": "PHOTO-ID", "file_unique_id": "u", "width": 1080, "height": 1350}]
            chat = {"id": int(params["chat_id"]), "type": "supergroup"}
            return {"message_id": 77, "date": 0, "chat": chat, "photo": photo}
        return original(self, method, params)

    monkeypatch.setattr(FakeTelegram, "_result", with_photos)
    async with running_bot(config, content_dir=mini_content, operator_chat_id=-100) as (app, fake):

        async def share() -> list[dict]:
            await app.process_update(to_update(Updates(language_code="ru").inline("passport"), app.bot))
            params = [p for name, p in fake.calls if name == "answerInlineQuery"][-1]
            return json.loads(params["results"]) if isinstance(params["results"], str) else params["results"]

        assert [r["type"] for r in await share()] == ["article"]  # the first time: the text, and the upload starts
        await asyncio.gather(*app.bot_data.uploading.values())
        uploads = fake.sent("sendPhoto")
        assert len(uploads) == 1 and uploads[0]["chat_id"] == -100 and uploads[0]["disable_notification"] is True
        assert fake.sent("deleteMessage") == [{"chat_id": -100, "message_id": 77}]

        results = await share()
        photo = next(r for r in results if r["type"] == "photo")
        assert photo["photo_file_id"] == "PHOTO-ID"
        link = photo["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert link == "https://t.me/safar_test_bot?start=ru-trouble-passport-taken-src-share"
        assert len(fake.sent("sendPhoto")) == 1  # uploaded once


def test_a_long_reality_is_cut_between_sentences_never_inside_a_quotation(tmp_path, fonts):
    root = make_mini_content(tmp_path / "content")
    reality = 'Offers like this are a lure. One ad said: "Waitress needed. Good pay, free flat, visa." ' + "x " * 200
    fields = ("Passport", "trouble", "hotline", "", ["a", "b", "c", "d", "e", "f"])
    write_topic(root, "en", "trouble-quote", *fields, f"**Myth:** it is fine.\n\n**Reality:** {reality.strip()}")
    topic = load_content(root).content.topics["en"]["trouble-quote"]
    card = materials.layout_card(materials.card_text(topic), "https://t.me/x", "x", [], fonts, str)
    assert isinstance(card, materials.Card)
    assert card.reality in (
        "Offers like this are a lure.",
        'Offers like this are a lure. One ad said: "Waitress needed. Good pay, free flat, visa."',
    )
