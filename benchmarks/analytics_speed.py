"""Time wardrobe analytics on a 5,000-garment / 1,000-photo wardrobe (target: under 100 ms in total).

Run from the repository root: `.venv/bin/python benchmarks/analytics_speed.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.wardrobe_data import make_wardrobe  # noqa: E402
from relookx import analytics as an  # noqa: E402

TARGET_MS = 100.0
REPEATS = 5


def _steps(garment_rows: list[dict[str, Any]], photo_rows: list[dict[str, Any]]) -> list[
    tuple[str, Callable[[dict[str, Any]], Any]]
]:
    """Each step reads what earlier steps stored in `state` (the frames), like a page would."""

    def frames(state: dict[str, Any]) -> None:
        state["g"] = an.garments_frame(garment_rows)
        state["p"] = an.photos_frame(photo_rows)

    return [
        ("garments_frame + photos_frame", frames),
        ("summary", lambda s: an.summary(s["g"], s["p"])),
        ("filter_garments", lambda s: an.filter_garments(
            s["g"], categories=["top", "bottom"], colors=["black", "navy"], occasions=["work"],
            photos=range(1, 500))),
        ("category_counts", lambda s: an.category_counts(s["g"])),
        ("color_palette", lambda s: an.color_palette(s["g"])),
        ("value_by_category", lambda s: an.value_by_category(s["g"])),
        ("occasion_counts", lambda s: an.occasion_counts(s["g"])),
        ("growth", lambda s: an.growth(s["g"], s["p"])),
        ("fig_categories", lambda s: an.fig_categories(s["g"])),
        ("fig_palette", lambda s: an.fig_palette(s["g"])),
        ("fig_value_by_category", lambda s: an.fig_value_by_category(s["g"])),
        ("fig_occasions", lambda s: an.fig_occasions(s["g"])),
        ("fig_growth", lambda s: an.fig_growth(s["g"], s["p"])),
    ]


def main() -> int:
    """Print best-of-5 and median milliseconds per step; exit 1 when the best total misses the target."""
    garment_rows, photo_rows = make_wardrobe(n_garments=5000, n_photos=1000, seed=0)
    steps = _steps(garment_rows, photo_rows)
    state: dict[str, Any] = {}
    for _, step in steps:  # warm-up: imports, plotly templates, regex caches
        step(state)
    timings: dict[str, list[float]] = {name: [] for name, _ in steps}
    totals: list[float] = []
    for _ in range(REPEATS):
        state = {}
        run_total = 0.0
        for name, step in steps:
            t0 = time.perf_counter()
            step(state)
            elapsed = (time.perf_counter() - t0) * 1000
            timings[name].append(elapsed)
            run_total += elapsed
        totals.append(run_total)

    width = max(len(name) for name in timings) + 2
    print(f"{len(garment_rows)} garments, {len(photo_rows)} photos, {REPEATS} runs")
    print(f"{'step':<{width}}{'best ms':>10}{'median ms':>12}")
    print("-" * (width + 22))
    for name, values in timings.items():
        print(f"{name:<{width}}{min(values):>10.2f}{statistics.median(values):>12.2f}")
    print("-" * (width + 22))
    best_total, median_total = min(totals), statistics.median(totals)
    print(f"{'total (per run)':<{width}}{best_total:>10.2f}{median_total:>12.2f}")
    verdict = "OK" if best_total < TARGET_MS else "TOO SLOW"
    print(f"target < {TARGET_MS:.0f} ms: {verdict}")
    return 0 if best_total < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
