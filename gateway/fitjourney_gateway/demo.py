"""`make demo`: a demo account with 60 days of history, created through auth's own registration code
and filled by core's seeder, so its login works and every screen has something to show.

    python -m fitjourney_gateway.demo [--days 60]     # on DATABASE_URL (default: make dev's SQLite)
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence

from fitjourney_auth.cli import ensure_user
from fitjourney_auth.settings import AuthSettings
from fitjourney_core.cli import describe, seed
from fitjourney_core.settings import CoreSettings

DEMO_EMAIL = "demo@example.com"
# Published on purpose (README, the login page's defaults): the demo account refuses production.
DEMO_PASSWORD = "Sixty-days-strong"  # noqa: S105
DEMO_NAME = "Demo"
DEMO_TIME_ZONE = "Europe/Berlin"
DEMO_DAYS = 60


def demo_requested() -> bool:
    """`DEMO=1 make dev` seeds the demo account on start (once: a second start finds it there)."""
    return os.environ.get("DEMO", "").strip().lower() in ("1", "true", "yes")


async def create_demo(days: int = DEMO_DAYS) -> str:
    """Create (or find) the demo account and give it history if it has none; returns what to print."""
    auth_settings, core_settings = AuthSettings(), CoreSettings()
    if not auth_settings.is_dev and auth_settings.environment != "staging":
        raise SystemExit("the demo account's password is public: it is not created in production")
    user_id, _created = await ensure_user(auth_settings, DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)
    result = await seed(core_settings, [user_id], days, time_zone=DEMO_TIME_ZONE,
                        display_names={user_id: DEMO_NAME})
    done = "already had its history" if result.skipped else describe(result, days)
    return f"demo account {DEMO_EMAIL} (id {user_id}): {done}\ndemo login: {DEMO_EMAIL} / {DEMO_PASSWORD}"


def main(argv: Sequence[str] | None = None) -> int:
    from fitjourney_gateway.dev import prepare_embedded

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=DEMO_DAYS)
    args = parser.parse_args(argv)
    prepare_embedded(["auth", "core"])
    print(asyncio.run(create_demo(args.days)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
