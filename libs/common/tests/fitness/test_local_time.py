"""`surely_not_future`: a day it passes is not after today in any time zone, so no zone need be read."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fitjourney_common.fitness.local_time import local_today, surely_not_future

ZONES = ("Etc/GMT+12", "Pacific/Pago_Pago", "America/Los_Angeles", "UTC", "Asia/Kolkata", "Pacific/Kiritimati")


@pytest.mark.parametrize("hour", range(24))
def test_a_day_it_passes_is_today_or_earlier_everywhere(hour: int) -> None:
    now = datetime(2026, 6, 15, hour, 30, tzinfo=UTC)
    for offset in range(-3, 3):
        day = now.date() + timedelta(days=offset)
        if surely_not_future(day, now):
            assert all(day <= local_today(ZoneInfo(zone), now) for zone in ZONES)
    # Yesterday in UTC always passes: the westernmost zone (UTC-12) is at most a day behind.
    assert surely_not_future(now.date() - timedelta(days=1), now)
    assert not surely_not_future(date(2026, 6, 16), now)
