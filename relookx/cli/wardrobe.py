"""Wardrobe commands: `wardrobe list`, `wardrobe stats`, `wardrobe export`."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine

from relookx import store
from relookx.cli.common import PROG, open_store, user_id, write_file
from relookx.cli.output import format_stats, format_table, jsonable, plural, records
from relookx.config import Settings
from relookx.db import session_scope
from relookx.wardrobe import EXPORT_COLUMNS, export_record, garments_csv

GARMENT_KEYS = EXPORT_COLUMNS  # keys of one garment in `wardrobe list --json` and the CSV export


def garment_records(engine: Engine, uid: int) -> list[dict[str, Any]]:
    """The user's garments as flat records with GARMENT_KEYS (for JSON, CSV and the table)."""
    with session_scope(engine) as session:
        rows = store.garment_rows(session, user_id=uid)
    return [export_record(row) for row in rows]


def cmd_wardrobe_list(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Print the user's garments as a table or JSON."""
    with open_store(settings) as engine:
        found = garment_records(engine, user_id(engine, args.user))
    if args.json:
        json.dump(found, out, indent=2, ensure_ascii=False)
        print(file=out)
    elif not found:
        print(f"No garments yet: add photos with {PROG} photos add --user {args.user} PATH...", file=out)
    else:
        print(format_table(found), file=out)
    return 0


def wardrobe_stats(engine: Engine, uid: int) -> dict[str, Any]:
    """Headline numbers and breakdowns of the user's wardrobe as a JSON-able dict."""
    from relookx import analytics

    with session_scope(engine) as session:
        garments = analytics.garments_frame(store.garment_rows(session, user_id=uid))
        photos = analytics.photos_frame(store.photo_rows(session, user_id=uid))
    stats: dict[str, Any] = {
        k: jsonable(v) for k, v in dataclasses.asdict(analytics.summary(garments, photos)).items()
    }
    stats["by_category"] = records(analytics.category_counts(garments))
    stats["palette"] = records(analytics.color_palette(garments))
    stats["value_by_category"] = records(analytics.value_by_category(garments))
    stats["occasions"] = records(analytics.occasion_counts(garments))
    return stats


def cmd_wardrobe_stats(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Print summary metrics and breakdowns as text or JSON."""
    with open_store(settings) as engine:
        stats = wardrobe_stats(engine, user_id(engine, args.user))
    if args.json:
        json.dump(stats, out, indent=2, ensure_ascii=False)
        print(file=out)
    else:
        print(format_stats(stats), file=out)
    return 0


def cmd_wardrobe_export(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Export the user's garments as CSV to a file or standard output ('-')."""
    with open_store(settings) as engine:
        found = garment_records(engine, user_id(engine, args.user))
    if args.csv == "-":
        out.write(garments_csv(found))
        return 0
    target = Path(args.csv)
    write_file(target, garments_csv(found))
    print(f"Exported {plural(len(found), 'garment')} to {target}", file=out)
    return 0


def register(groups: Any) -> None:
    """Add the `wardrobe` commands."""
    wardrobe = groups.add_parser("wardrobe", help="garments").add_subparsers(dest="action", required=True)
    list_cmd = wardrobe.add_parser("list", help="list the garments")
    stats_cmd = wardrobe.add_parser("stats", help="summary metrics and breakdowns")
    export_cmd = wardrobe.add_parser("export", help="export the garments as CSV")
    for sub in (list_cmd, stats_cmd, export_cmd):
        sub.add_argument("--user", required=True, help="username")
    for sub in (list_cmd, stats_cmd):
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
    export_cmd.add_argument("--csv", required=True, metavar="FILE", help="CSV file to write ('-': stdout)")
    list_cmd.set_defaults(handler=cmd_wardrobe_list)
    stats_cmd.set_defaults(handler=cmd_wardrobe_stats)
    export_cmd.set_defaults(handler=cmd_wardrobe_export)
