"""Operator commands of the analytics service: `fitjourney-analytics grant-reader`."""

from __future__ import annotations

import argparse

from fitjourney_analytics import reader_role


def main() -> None:
    parser = argparse.ArgumentParser(prog="fitjourney-analytics")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("grant-reader", help="create/update the read-only role on core (DATABASE_URL: the owner)")
    args = parser.parse_args()
    if args.command == "grant-reader":
        reader_role.main()
