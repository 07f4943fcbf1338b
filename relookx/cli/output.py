"""Output formatting of the command line: the garment table, the stats text, JSON-able values.

Pure functions of records and stats dicts, used by the command modules of `relookx.cli`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

TABLE_COLUMNS = (  # (heading, key, widest width)
    ("image", "photo_number", 5), ("name", "name", 28), ("category", "category", 10),
    ("color", "color", 14), ("hex", "color_hex", 7), ("price", "price", 10), ("context", "context", 30),
)


def plural(n: int, word: str) -> str:
    """"1 garment", "3 garments"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def jsonable(value: Any) -> Any:
    """A value json.dump can write: datetimes as ISO text, NaN as None, numpy scalars as Python numbers."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars from pandas frames
        return jsonable(value.item())
    return value


def records(frame: Any) -> list[dict[str, Any]]:
    """A pandas frame as a list of JSON-able dicts."""
    return [{k: jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _cell(value: Any, key: str, width: int) -> str:
    if value is None:
        text = ""
    elif key == "price":
        text = f"{float(value):.2f}"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(records: Sequence[Mapping[str, Any]]) -> str:
    """A plain-text table of garments (TABLE_COLUMNS)."""
    cells = [[_cell(r.get(key), key, width) for _, key, width in TABLE_COLUMNS] for r in records]
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, (h, _, _) in enumerate(TABLE_COLUMNS)]
    right = {"photo_number", "price"}

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if key in right else v.ljust(w)
                 for v, w, (_, key, _) in zip(values, widths, TABLE_COLUMNS, strict=True)]
        return "  ".join(parts).rstrip()

    head = line([h for h, _, _ in TABLE_COLUMNS])
    return "\n".join([head, line(["-" * w for w in widths]), *(line(row) for row in cells)])


def format_stats(stats: Mapping[str, Any]) -> str:
    """The stats as readable text."""
    top = stats["top_color_name"]
    lines = [
        f"Photos: {stats['photos']}   Garments: {stats['garments']}   Categories: {stats['categories']}",
        f"Known value: {stats['total_value']:.2f} ({stats['priced']} of {stats['garments']} priced)",
        f"Top colour: {top} ({stats['top_color_hex'] or 'no hex'})" if top else "Top colour: -",
    ]

    def section(title: str, rows: list[dict[str, Any]], fmt: Callable[[dict[str, Any]], str]) -> None:
        if rows:
            lines.extend(["", f"{title}:", *("  " + fmt(r) for r in rows)])

    section("By category", stats["by_category"], lambda r: f"{r['category']:<12}{r['count']:>5}")
    section("Palette", stats["palette"],
            lambda r: f"{r['color_name']:<16}{r['color_hex'] or '-':<9}{r['count']:>5}")
    section("Value by category", stats["value_by_category"],
            lambda r: f"{r['category']:<12}{r['value']:>10.2f}  ({r['priced']} priced)")
    section("Occasions", stats["occasions"], lambda r: f"{r['occasion']:<16}{r['count']:>5}")
    if wear := stats.get("wear"):
        lines.extend(["", f"Outfits: {wear['outfits']}   Never worn: {wear['never_worn']}   Not worn in 90 days: "
                          f"{wear['not_worn_90_days']}   Worn in 30 days: {wear['worn_share_30_days']:.0%}"])
        section("Most worn", wear["most_worn"], lambda r: f"{r['name'][:28]:<30}{r['wears']:>4}x" + (
            f"  {r['cost_per_wear']:.2f}/wear" if r["cost_per_wear"] is not None else ""))
    return "\n".join(lines)
