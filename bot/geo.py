"""Where a shared location is, as a country code, from an offline gazetteer (no network, nothing kept).

``reverse_geocode`` ships GeoNames' cities and finds the nearest one; its
index takes about two seconds to build, so it is built once, on the first
location anyone shares, and callers run it off the event loop.
"""

from __future__ import annotations

import logging
from functools import cache

log = logging.getLogger(__name__)


@cache
def _gazetteer():
    import reverse_geocode

    return reverse_geocode


def country_at(latitude: float, longitude: float) -> str | None:
    """The ISO country code of the nearest known place, or None if the coordinates make no sense."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    try:
        place = _gazetteer().get((latitude, longitude))
    except Exception:  # a broken gazetteer must not cost the person their emergency card
        log.exception("reverse geocoding failed")
        return None
    return place.get("country_code") or None


def warm() -> None:
    """Build the index now (in a worker thread at start-up), so the first shared location is answered at once."""
    try:
        _gazetteer().get((0.0, 0.0))
    except Exception:
        log.exception("reverse geocoder could not be loaded")
