"""Operator commands for messages and events, for when the admin dashboard is not at hand.

python -m jobs.cli messages [--limit N] [--to ADDRESS] [--show ID]
python -m jobs.cli dead-letters
python -m jobs.cli retry EVENT_ID HANDLER
python -m jobs.cli retire-demo-accounts
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from backend.core.db import dispose_engine
from backend.core.errors import DomainError
from backend.demo import published_accounts
from backend.events import deliveries
from backend.notifications import queries as messages


def _print(line: str = "") -> None:
    sys.stdout.write(line + "\n")


async def list_messages(limit: int, recipient: str | None) -> None:
    page = await messages.list_messages(limit=limit, recipient=recipient)
    _print(f"{page.total} message(s); newest first")
    for m in page.items:
        when = m.created_at.strftime("%Y-%m-%d %H:%M:%S")
        _print(f"{m.id}  {when}  {m.channel:5}  {m.status:7}  {m.recipient}  {m.subject}")


async def show_message(message_id: str) -> None:
    detail = await messages.get_message(uuid.UUID(message_id))
    _print(f"To: {detail.recipient}\nSubject: {detail.subject}\nStatus: {detail.status}\n")
    _print(detail.body_text)


async def list_dead_letters() -> None:
    dead = await deliveries.list_dead_letters()
    _print(f"{len(dead)} dead-lettered deliver{'y' if len(dead) == 1 else 'ies'}")
    for d in dead:
        _print(f"{d.event_id}  {d.event_type}  {d.handler}  attempts={d.attempts}  {d.last_error}")


async def retry(event_id: str, handler: str) -> None:
    await deliveries.redeliver(uuid.UUID(event_id), handler)
    _print("Queued again: the worker will retry it shortly.")


async def retire_demo_accounts() -> None:
    retired = await published_accounts.retire_published_demo_accounts()
    if not retired:
        _print("No demo account signs in with a published password.")
    for email in retired:
        _print(f"{email}: new random password, locked, signed out everywhere")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("messages", help="list sent and stored messages")
    listing.add_argument("--limit", type=int, default=25)
    listing.add_argument("--to", dest="recipient")
    listing.add_argument("--show", metavar="ID", help="print one message in full")
    commands.add_parser("dead-letters", help="list deliveries that were set aside")
    again = commands.add_parser("retry", help="retry a dead-lettered delivery")
    again.add_argument("event_id")
    again.add_argument("handler")
    commands.add_parser(
        "retire-demo-accounts",
        help="give the demo accounts that still have published passwords random ones, "
        "and lock them (production refuses to start until this is done)",
    )
    args = parser.parse_args(argv)

    async def run() -> None:
        try:
            if args.command == "messages" and args.show:
                await show_message(args.show)
            elif args.command == "messages":
                await list_messages(args.limit, args.recipient)
            elif args.command == "dead-letters":
                await list_dead_letters()
            elif args.command == "retire-demo-accounts":
                await retire_demo_accounts()
            else:
                await retry(args.event_id, args.handler)
        finally:
            await dispose_engine()

    try:
        asyncio.run(run())
    except (DomainError, ValueError) as error:
        sys.stderr.write(f"error: {getattr(error, 'message', error)}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
