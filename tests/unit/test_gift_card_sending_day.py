"""The day a shopper picks for a gift card's e-mail becomes a moment in the shop's zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from storefront.pages.gift_cards import send_moment

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_later_day_is_sent_at_eight_in_the_shops_zone() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert send_moment(date(2026, 12, 24), BERLIN, now) == datetime(
        2026, 12, 24, 8, 0, tzinfo=BERLIN
    )


def test_today_after_eight_means_as_soon_as_the_order_is_paid() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)  # 13:00 in Berlin
    assert send_moment(date(2026, 12, 6), BERLIN, now) is None


def test_today_before_eight_waits_for_eight() -> None:
    now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # 06:00 in Berlin
    assert send_moment(date(2026, 12, 6), BERLIN, now) == datetime(2026, 12, 6, 8, 0, tzinfo=BERLIN)


def test_a_day_gone_by_stays_in_the_past_for_the_cart_to_refuse() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    moment = send_moment(date(2026, 12, 1), BERLIN, now)
    assert moment is not None
    assert moment < now
