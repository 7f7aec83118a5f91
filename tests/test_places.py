"""Which country a message names, in any script or declension, and which topic is about that country."""

from __future__ import annotations

from bot.normalize import skeleton_words
from bot.places import Places, read_places, word_pattern


def named(places: Places, text: str) -> frozenset[str]:
    return places.named(skeleton_words(text))


def test_a_long_name_matches_any_ending_a_short_one_only_the_whole_word():
    assert word_pattern("orusiya") == ("orusiy", True)
    assert word_pattern("oae") == ("oae", False)
    places = Places.build({}, [("ОАЭ", "AE"), ("Орусия", "RU")])
    assert named(places, "Орусияда иштейм") == {"RU"}
    assert named(places, "в ОАЭ") == {"AE"} and named(places, "оаэшка") == frozenset()


def test_a_name_of_several_words_matches_only_in_sequence():
    places = Places.build({}, [("United Arab Emirates", "AE")])
    assert named(places, "I work in the United Arab Emirates") == {"AE"}
    assert named(places, "united we stand, arab emirates") == frozenset()


def test_topics_of_a_country(tmp_path):
    places = Places.build({"work-russia": frozenset({"RU"}), "work-turkey": frozenset({"TR"})}, [])
    assert places.topics_of({"RU", "KZ"}) == {"work-russia"}
    assert places.country_topics == {"work-russia", "work-turkey"}


def test_standard_names_come_from_cldr_in_every_language(tmp_path):
    path = tmp_path / "places.yaml"
    path.write_text("topics:\n  work-turkey: [TR]\n", encoding="utf-8")
    places, problems = read_places(path, {"work-turkey"}, ["ru", "ky", "en"])
    assert problems == []
    for text in ("работаю в Турции", "Türkiye", "Түркия"):
        assert named(places, text) == {"TR"}, text


def test_no_places_file_means_no_country_topics(tmp_path):
    places, problems = read_places(tmp_path / "places.yaml", {"work-russia"}, ["ru"])
    assert problems == [] and places.country_topics == frozenset()


def test_a_broken_places_file_is_one_problem_on_its_line(tmp_path):
    path = tmp_path / "places.yaml"
    path.write_text("topics:\n  work-russia: [RU\nnames:\n", encoding="utf-8")
    places, problems = read_places(path, {"work-russia"}, ["ru"])
    assert len(problems) == 1 and problems[0][0] in (2, 3) and places.country_topics == frozenset()


def test_country_names_are_found_in_any_script_and_case(real_content):
    places = real_content.places
    for text, code in [
        ("Орусияда иштейм", "RU"),
        ("zhivu v Maskave", "RU"),
        ("Дубайда жумуш", "AE"),
        ("дар Истанбул", "TR"),
        ("Kazakstanga barsam", "KZ"),
        ("I work in the United Arab Emirates", "AE"),
    ]:
        assert code in places.named(skeleton_words(text)), text
    assert not places.named(skeleton_words("маска и перчатки"))


def test_places_file_mistakes_are_reported_with_their_line(tmp_path):
    path = tmp_path / "places.yaml"
    path.write_text("topics:\n  work-russia: [RU]\n  work-mars: [RU]\nnames:\n  XX: [Марс]\n  RU: [Орусия]\n")
    places, problems = read_places(path, {"work-russia"}, ["ru"])
    assert [line for line, _ in problems] == [3, 5]
    assert places.topics_of(places.named(skeleton_words("Орусияда"))) == {"work-russia"}
