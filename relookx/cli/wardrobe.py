"""Wardrobe commands: `wardrobe list|items|stats|export|import|merge|split|find-repeats`."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine

from relookx import store
from relookx.cli.common import PROG, CliError, open_store, user_id, write_file
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
    """Headline numbers and breakdowns of the user's items, with the wear figures, as a JSON-able dict."""
    from relookx import analytics, wardrobe_items

    with session_scope(engine) as session:
        data = wardrobe_items.load(session, user_id=uid)
    garments, photos = data.items, data.photos
    stats: dict[str, Any] = {
        k: jsonable(v) for k, v in dataclasses.asdict(analytics.summary(garments, photos)).items()
    }
    stats["items"] = stats["garments"]  # one physical piece each: the same count under its own name
    stats["by_category"] = records(analytics.category_counts(garments))
    stats["palette"] = records(analytics.color_palette(garments))
    stats["value_by_category"] = records(analytics.value_by_category(garments))
    stats["occasions"] = records(analytics.occasion_counts(garments))
    stats["wear"] = json.loads(json.dumps(wardrobe_items.wear_figures(data), default=jsonable))
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
    """Export the user's items as CSV to a file or standard output ('-')."""
    from relookx import wardrobe_items

    with open_store(settings) as engine, session_scope(engine) as session:
        found = wardrobe_items.export_rows(wardrobe_items.load(session, user_id=user_id(engine, args.user)))
    if args.csv == "-":
        out.write(garments_csv(found))
        return 0
    target = Path(args.csv)
    write_file(target, garments_csv(found))
    print(f"Exported {plural(len(found), 'item')} to {target}", file=out)
    return 0


def cmd_wardrobe_items(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Print the user's items with wears, last worn and cost per wear."""
    from relookx import wardrobe_items

    with open_store(settings) as engine, session_scope(engine) as session:
        found = wardrobe_items.item_records(wardrobe_items.load(session, user_id=user_id(engine, args.user)))
    if args.json:
        json.dump(found, out, indent=2, ensure_ascii=False)
        print(file=out)
        return 0
    if not found:
        print(f"No items yet: add photos with {PROG} photos add --user {args.user} PATH...", file=out)
        return 0
    for r in found:
        cpw = f"{r['cost_per_wear']:.2f}/wear" if r["cost_per_wear"] is not None else "-"
        seen = ", ".join(map(str, r["photo_numbers"])) or "-"
        print(f"{r['id']:>5}  {r['name'][:28]:28}  {r['category']:10}  worn {r['wears']:>3}x  "
              f"last {r['last_worn'] or 'never':10}  {cpw:>12}  images {seen}", file=out)
    return 0


def cmd_wardrobe_merge(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Merge the second item into the first (sightings and logged wears move)."""
    from relookx import items

    keep_id, other_id = args.ids
    with open_store(settings) as engine, session_scope(engine) as session:
        kept = items.merge(session, user_id=user_id(engine, args.user), keep_id=keep_id, other_id=other_id)
        print(f"Merged item {other_id} into item {keep_id} ({kept.name}).", file=out)
    return 0


def cmd_wardrobe_split(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Make one sighting (a garment id of `wardrobe list`) its own item."""
    from relookx import items

    with open_store(settings) as engine, session_scope(engine) as session:
        item = items.split(session, user_id=user_id(engine, args.user), garment_id=args.sighting)
        print(f"Sighting {args.sighting} is now item {item.id} ({item.name}).", file=out)
    return 0


def cmd_wardrobe_find_repeats(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Merge items that are clearly one piece; queue questions about likely ones."""
    from relookx import items

    with open_store(settings) as engine, session_scope(engine) as session:
        result = items.find_repeats(session, user_id=user_id(engine, args.user))
    print(f"Merged {plural(result.linked, 'repeat')}; {plural(result.asked, 'question')} to answer on the Images "
          "page.", file=out)
    return 0


def cmd_wardrobe_import(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Import items from a CSV file in the export's format: all rows or none."""
    from relookx import csv_import

    try:
        data = Path(args.csv).read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read {args.csv}: {exc.strerror or exc}") from None
    with open_store(settings) as engine, session_scope(engine) as session:
        plan = csv_import.preview(session, user_id=user_id(engine, args.user), data=data)
        if plan.errors:
            details = "; ".join(f"line {line}: {message}" for line, message in plan.errors[:10])
            raise CliError(f"Nothing was imported: {plural(len(plan.errors), 'row')} with errors ({details}).")
        similar = [r for r in plan.rows if r.update_id is None and r.similar_id is not None]
        for row in similar:
            print(f"line {row.line}: {row.fields['name']} looks like your {row.similar_name} "
                  f"(item {row.similar_id}, {row.similar_score:.0%})", file=out)
        if args.dry_run:
            new = sum(1 for r in plan.rows if r.update_id is None)
            print(f"Would import {plural(new, 'new item')} and update {plural(len(plan.rows) - new, 'item')}.",
                  file=out)
            return 0
        created, updated = csv_import.apply(session, user_id=user_id(engine, args.user), plan=plan,
                                            skip_similar=args.skip_similar)
    skipped = f", skipped {plural(len(similar), 'look-alike')}" if args.skip_similar and similar else ""
    print(f"Imported {plural(created, 'new item')}, updated {plural(updated, 'item')}{skipped}.", file=out)
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
    items_cmd = wardrobe.add_parser("items", help="list the items with wears and cost per wear")
    merge_cmd = wardrobe.add_parser("merge", help="merge the second item into the first")
    split_cmd = wardrobe.add_parser("split", help="make one sighting its own item")
    repeats_cmd = wardrobe.add_parser("find-repeats", help="merge items seen on several photos")
    import_cmd = wardrobe.add_parser("import", help="import items from a CSV file (the export's format)")
    for sub in (items_cmd, merge_cmd, split_cmd, repeats_cmd, import_cmd):
        sub.add_argument("--user", required=True, help="username")
    items_cmd.add_argument("--json", action="store_true", help="print JSON instead of text")
    merge_cmd.add_argument("ids", nargs=2, type=int, metavar="ID", help="item ids: the one kept, the one merged")
    split_cmd.add_argument("--sighting", required=True, type=int, help="garment id (see wardrobe list)")
    import_cmd.add_argument("--csv", required=True, metavar="FILE", help="CSV file to read")
    import_cmd.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    import_cmd.add_argument("--skip-similar", action="store_true",
                            help="leave out new rows that look like items you own (they are listed either way)")
    items_cmd.set_defaults(handler=cmd_wardrobe_items)
    merge_cmd.set_defaults(handler=cmd_wardrobe_merge)
    split_cmd.set_defaults(handler=cmd_wardrobe_split)
    repeats_cmd.set_defaults(handler=cmd_wardrobe_find_repeats)
    import_cmd.set_defaults(handler=cmd_wardrobe_import)
    list_cmd.set_defaults(handler=cmd_wardrobe_list)
    stats_cmd.set_defaults(handler=cmd_wardrobe_stats)
    export_cmd.set_defaults(handler=cmd_wardrobe_export)
