"""Time the wear statistics on 5,000 items and 20,000 wears (target: under 150 ms in total).

Run from the repository root: `.venv/bin/python benchmarks/wear_stats.py`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.wardrobe_data import make_wardrobe  # noqa: E402
from relookx import analytics as an  # noqa: E402
from relookx.analytics import wear as w  # noqa: E402

TARGET_MS = 150.0
ITEMS, WEARS = 5000, 20000
TODAY = date(2026, 12, 3)


def wear_rows(seed: int = 5) -> list[dict[str, object]]:
    """20,000 (outfit, day, item) rows: about 4 items per outfit over two years, popular items favoured."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    outfit = 0
    while len(rows) < WEARS:
        outfit += 1
        day = TODAY - timedelta(days=rng.randint(0, 730))
        for item in {int(rng.paretovariate(1.2) * 40) % ITEMS + 1 for _ in range(4)}:
            rows.append({"outfit": f"log {outfit}", "worn_on": day, "item_id": item})
    return rows[:WEARS]


def main() -> None:
    """Print the median time of each step and the total."""
    item_rows, _photos = make_wardrobe(ITEMS)
    for i, row in enumerate(item_rows, start=1):
        row["id"] = i
    rows = wear_rows()
    steps: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("items frame + wears frame", lambda st: st.update(i=an.garments_frame(item_rows), w=w.wears_frame(rows))),
        ("item_wear_stats", lambda st: st.update(s=w.item_wear_stats(st["i"], st["w"], today=TODAY))),
        ("wear_summary", lambda st: w.wear_summary(st["i"], st["w"], today=TODAY)),
        ("never / not worn / best and worst", lambda st: (w.never_worn(st["s"]), w.not_worn_since(st["s"]),
                                                          w.best_and_worst_value(st["s"]))),
        ("wears by color and category", lambda st: (w.wears_by_color(st["i"], st["w"]),
                                                    w.wears_by_category(st["i"], st["w"]))),
        ("outfits per week + days", lambda st: (w.outfits_per_week(st["w"]), w.outfit_days(st["w"]))),
    ]
    timings: dict[str, list[float]] = {}
    for _ in range(7):
        state: dict[str, Any] = {}
        for name, step in steps:
            started = time.perf_counter()
            step(state)
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    total = 0.0
    for name, values in timings.items():
        median = statistics.median(values)
        total += median
        print(f"{name:40s} {median:8.1f} ms")
    frames = statistics.median(timings["items frame + wears frame"])
    print(f"{'total (without building the frames)':40s} {total - frames:8.1f} ms")
    print(f"{'total':40s} {total:8.1f} ms (target < {TARGET_MS:.0f} ms for {ITEMS} items, {WEARS} wears)")


if __name__ == "__main__":
    main()
