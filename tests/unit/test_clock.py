"""The shop's wall clock: times typed in its zone are the right moments, across summer
time, and read back as typed; names that are no zone are refused."""

from datetime import UTC, datetime

import pytest

from backend.core.clock import moment_from_wall_clock, time_zones, wall_clock_text, zone_named


def test_a_typed_time_is_that_moment_in_the_shops_zone_summer_or_winter() -> None:
    berlin = zone_named("Europe/Berlin")
    assert moment_from_wall_clock("2026-11-27T09:00", berlin) == datetime(
        2026, 11, 27, 8, tzinfo=UTC
    )
    assert moment_from_wall_clock("2026-07-01T09:00", berlin) == datetime(2026, 7, 1, 7, tzinfo=UTC)
    new_york = zone_named("America/New_York")
    moment = moment_from_wall_clock("2026-11-27T00:00", new_york)
    assert moment == datetime(2026, 11, 27, 5, tzinfo=UTC)
    assert wall_clock_text(moment, new_york) == "2026-11-27T00:00"
    assert wall_clock_text(moment, zone_named("UTC")) == "2026-11-27T05:00"


def test_empty_is_no_time_and_nonsense_is_refused() -> None:
    utc = zone_named("UTC")
    assert moment_from_wall_clock("  ", utc) is None
    assert wall_clock_text(None, utc) == ""
    with pytest.raises(ValueError, match="Invalid isoformat"):
        moment_from_wall_clock("next Friday", utc)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "US/Eastern", "EST", "", "../etc/passwd"])
def test_only_area_and_city_zones_and_utc_are_offered(name: str) -> None:
    with pytest.raises(ValueError, match="is not a time zone"):
        zone_named(name)
    assert "Europe/Berlin" in time_zones()
    assert time_zones()[0] == "UTC"
