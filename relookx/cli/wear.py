"""Wear commands: `wear log|list|undo` (outfits worn without a photo) and `outfits suggest` (dress me)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import IO, Any

from relookx.cli.common import CliError, open_store, user_id
from relookx.cli.output import jsonable
from relookx.config import Settings
from relookx.db import session_scope


def parse_ids(text: str) -> list[int]:
    """"3,5, 8" -> [3, 5, 8]; CliError naming the bad part."""
    ids = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit():
            raise CliError(f"'{part}' is not an item id: give ids such as --items 3,5,8 (see wardrobe items).")
        ids.append(int(part))
    return ids


def parse_day(text: str | None) -> date:
    """YYYY-MM-DD (today when None); CliError otherwise."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"'{text}' is not a date: use YYYY-MM-DD, e.g. 2026-12-01.") from None


def cmd_wear_log(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Log an outfit of items worn on a day."""
    from relookx import wear

    ids, day = parse_ids(args.items), parse_day(args.date)
    with open_store(settings) as engine, session_scope(engine) as session:
        logged = wear.log_outfit(session, user_id=user_id(engine, args.user), item_ids=ids, worn_on=day)
        print(f"Logged outfit {logged.id} on {day.isoformat()} ({len(ids)} items). Undo with: wear undo --user "
              f"{args.user} {logged.id}", file=out)
    return 0


def cmd_wear_list(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """List the outfits logged by hand, newest first."""
    from relookx import wear

    with open_store(settings) as engine, session_scope(engine) as session:
        found = wear.logged(session, user_id=user_id(engine, args.user), limit=args.limit)
    if args.json:
        json.dump(found, out, indent=2, default=jsonable_day)
        print(file=out)
    elif not found:
        print("No outfits logged by hand yet.", file=out)
    for row in [] if args.json else found:
        print(f"{row['id']:>5}  {row['worn_on'].isoformat()}  {', '.join(row['items'])}", file=out)
    return 0


def jsonable_day(value: Any) -> Any:
    """json.dump's default: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else jsonable(value)


def cmd_wear_undo(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Remove a logged outfit."""
    from relookx import wear

    with open_store(settings) as engine, session_scope(engine) as session:
        wear.undo(session, user_id=user_id(engine, args.user), wear_id=args.id)
    print(f"Removed logged outfit {args.id}.", file=out)
    return 0


def register(groups: Any) -> None:
    """Add the `wear` commands."""
    wear = groups.add_parser("wear", help="outfits worn (log by hand)").add_subparsers(dest="action", required=True)
    log_cmd = wear.add_parser("log", help="log an outfit worn on a day")
    list_cmd = wear.add_parser("list", help="outfits logged by hand")
    undo_cmd = wear.add_parser("undo", help="remove a logged outfit")
    for sub in (log_cmd, list_cmd, undo_cmd):
        sub.add_argument("--user", required=True, help="username")
    log_cmd.add_argument("--items", required=True, help="item ids, comma-separated (see wardrobe items)")
    log_cmd.add_argument("--date", help="YYYY-MM-DD (default: today)")
    list_cmd.add_argument("--json", action="store_true", help="print JSON instead of text")
    list_cmd.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    undo_cmd.add_argument("id", type=int, help="the logged outfit's id")
    log_cmd.set_defaults(handler=cmd_wear_log)
    list_cmd.set_defaults(handler=cmd_wear_list)
    undo_cmd.set_defaults(handler=cmd_wear_undo)
    register_outfits(groups)


def cmd_outfits_suggest(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Suggest an outfit of the user's items; Mistral chooses among their ids when configured."""
    from relookx import dress_me
    from relookx.llm import make_client

    day = parse_day(args.date)
    keep = parse_ids(args.keep) if args.keep else []
    client = (lambda: make_client(settings)) if settings.mistral_configured and not args.offline else None
    with open_store(settings) as engine:
        outfit, note = dress_me.dress_me(engine, settings, user_id=user_id(engine, args.user),
                                         occasion=args.occasion or "", day=day, keep=keep, seed=args.seed,
                                         client=client)
        worn = dress_me.wore_it(engine, user_id=user_id(engine, args.user), outfit=outfit, day=day) \
            if args.wear else None
    if args.json:
        json.dump({"item_ids": outfit.item_ids, "items": [i.name for i in outfit.items],
                   "color_rule": outfit.color_rule, "harmony": outfit.harmony, "reason": outfit.explanation(),
                   "backend": outfit.backend, "note": note, "logged": worn.id if worn else None}, out, indent=2)
        print(file=out)
        return 0
    print(dress_me.describe(outfit), file=out)
    print(f"Why: {outfit.explanation()}", file=out)
    if note:
        print(f"Note: {note}", file=out)
    if worn is not None:
        print(f"Logged as worn on {day.isoformat()} (outfit {worn.id}).", file=out)
    return 0


def register_outfits(groups: Any) -> None:
    """Add the `outfits` commands."""
    outfits = groups.add_parser("outfits", help="dress me: outfits of your own items").add_subparsers(
        dest="action", required=True)
    suggest_cmd = outfits.add_parser("suggest", help="suggest an outfit for an occasion")
    suggest_cmd.add_argument("--user", required=True, help="username")
    suggest_cmd.add_argument("--occasion", help="e.g. 'the office', party, weekend")
    suggest_cmd.add_argument("--date", help="YYYY-MM-DD, for the season (default: today)")
    suggest_cmd.add_argument("--keep", help="item ids to keep, comma-separated (the rest is reshuffled)")
    suggest_cmd.add_argument("--seed", type=int, default=0, help="another seed gives another outfit")
    suggest_cmd.add_argument("--offline", action="store_true", help="use the rules even when Mistral is set")
    suggest_cmd.add_argument("--wear", action="store_true", help="log the outfit as worn on the date")
    suggest_cmd.add_argument("--json", action="store_true", help="print JSON instead of text")
    suggest_cmd.set_defaults(handler=cmd_outfits_suggest)
