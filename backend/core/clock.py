"""The one source of "now": timezone-aware UTC, so no naive datetime reaches the database.
And the shop's wall clock: times merchants type and read are in the shop's time zone
(Admin → Settings), stored in UTC."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WALL_CLOCK_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input shows and sends


def utcnow() -> datetime:
    return datetime.now(UTC)


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones a shop can choose: "Area/City" names and UTC, not the legacy
    aliases ("US/Eastern", "Etc/GMT+5", "EST")."""
    areas = (
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    )
    return ("UTC", *sorted(zone for zone in available_timezones() if zone.startswith(areas)))


def zone_named(name: str) -> ZoneInfo:
    """The zone called `name`; ValueError for a name that is none."""
    if name not in time_zones():
        msg = f"{name!r} is not a time zone, such as Europe/Berlin or America/New_York."
        raise ValueError(msg)
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError as error:  # listed but its data is missing
        raise ValueError(str(error)) from None


def wall_clock_text(moment: datetime | None, zone: ZoneInfo) -> str:
    """`moment` as the clock on the shop's wall shows it, to the minute ("" for None)."""
    return moment.astimezone(zone).strftime(WALL_CLOCK_FORMAT) if moment else ""


def moment_from_wall_clock(text: str, zone: ZoneInfo) -> datetime | None:
    """A time typed in the shop's zone ("2026-11-27T09:00"), as the moment it is; None for
    an empty text, ValueError for what is no time."""
    text = text.strip()
    if not text:
        return None
    typed = datetime.fromisoformat(text)
    if typed.tzinfo is not None:
        return typed.astimezone(UTC)
    return typed.replace(tzinfo=zone).astimezone(UTC)
