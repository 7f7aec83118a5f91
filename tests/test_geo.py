"""A shared location becomes a country code, offline; nonsense or a broken gazetteer gives None, never an error."""

from __future__ import annotations

import logging

import pytest

from bot import geo


@pytest.mark.parametrize(
    ("latitude", "longitude", "country"),
    [
        (42.87, 74.59, "KG"),  # Bishkek
        (38.56, 68.78, "TJ"),  # Dushanbe
        (55.75, 37.62, "RU"),  # Moscow
        (41.01, 28.98, "TR"),  # Istanbul
        (25.20, 55.27, "AE"),  # Dubai
    ],
)
def test_a_location_is_the_country_it_is_in(latitude, longitude, country):
    assert geo.country_at(latitude, longitude) == country


@pytest.mark.parametrize(("latitude", "longitude"), [(91.0, 0.0), (0.0, 181.0), (-90.5, 10.0)])
def test_impossible_coordinates_are_none(latitude, longitude):
    assert geo.country_at(latitude, longitude) is None


def test_a_broken_gazetteer_costs_nothing_but_a_log_line(monkeypatch, caplog):
    class Broken:
        def get(self, point):
            raise OSError("data file missing")

    monkeypatch.setattr(geo, "_gazetteer", lambda: Broken())
    with caplog.at_level(logging.ERROR, logger="bot.geo"):
        assert geo.country_at(42.87, 74.59) is None
        geo.warm()
    assert "reverse geocoding failed" in caplog.text and "could not be loaded" in caplog.text
