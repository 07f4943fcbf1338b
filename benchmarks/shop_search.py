"""Time shop search plus ranking on a 10,000-product catalog (target: under 50 ms).

Run from the repository root: `.venv/bin/python benchmarks/shop_search.py`. The catalog is the demo
generator scaled up; images are drawn once by a warm-up call (as the app's first search would) and
then only checked, so the timed rows measure the search and ranking themselves.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx.fashion.pieces import Piece  # noqa: E402
from relookx.shop.catalog import CatalogSource  # noqa: E402
from relookx.shop.ranking import rank  # noqa: E402
from relookx.shop.search import find_products, query_for, search_text  # noqa: E402

SIZE = 10_000
SEED = 7
TARGET_MS = 50.0
REPEATS = 20
PIECE = Piece(name="Burgundy corduroy overshirt", category="outerwear", color_name="burgundy", color_hex="#800020",
              price=60.0, description="A warm corduroy overshirt to layer over the grey tee and dark jeans.")


def _time(fn: Callable[[], Any]) -> tuple[float, float]:
    """Best and median milliseconds of REPEATS calls, after one warm-up call."""
    fn()
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return min(runs), statistics.median(runs)


def main() -> int:
    """Print the table; exit 1 when search plus ranking misses the target."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        catalog = CatalogSource(Path(tmp) / "catalog", size=SIZE, seed=SEED)
        build_ms = (time.perf_counter() - start) * 1000
        products = catalog.all_products()
        query = query_for(PIECE)
        rows = [
            (f"catalog.search({query!r}, 20)", _time(lambda: catalog.search(query, 20)), False),
            (f"rank(piece, all {SIZE:,} products)", _time(lambda: rank(PIECE, products, budget=80)), True),
            ("find_products(piece, [catalog]) = search + rank", _time(
                lambda: find_products(PIECE, [catalog], budget=80)), True),
            ("search_text('black leather boots', filters)", _time(lambda: search_text(
                "black leather boots", [catalog], limit=20, max_price=150, in_stock_only=True)), True),
        ]
    print(f"Shop search on a {SIZE:,}-product catalog (built and indexed in {build_ms:.0f} ms), "
          f"best and median of {REPEATS}:")
    width = max(len(name) for name, _, _ in rows)
    print(f"{'step':<{width}}  {'best ms':>8}  {'median ms':>9}  target")
    ok = True
    for name, (best, median), targeted in rows:
        verdict = ("ok" if median < TARGET_MS else "SLOW") if targeted else ""
        ok = ok and (not targeted or median < TARGET_MS)
        print(f"{name:<{width}}  {best:8.2f}  {median:9.2f}  {f'< {TARGET_MS:.0f} ms ' + verdict if targeted else ''}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
