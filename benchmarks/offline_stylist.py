"""Time one offline recommendation (choose_rules + critique + advise) on a 1,000-garment wardrobe.

Target: under 50 ms. Run from the repository root: `.venv/bin/python benchmarks/offline_stylist.py`.
The wardrobe comes from `benchmarks.wardrobe_data` (seeded, realistic colors and categories); the outfit
is the garments of one photo (five garments), and every run adds its rules to the history like the chat does.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.wardrobe_data import make_wardrobe  # noqa: E402
from relookx.fashion.pieces import OutfitItem  # noqa: E402
from relookx.stylist.offline import OfflineStylist  # noqa: E402
from relookx.stylist.rules import choose_rules  # noqa: E402
from relookx.stylist.types import Constraints, StyleRequest  # noqa: E402

TARGET_MS = 50.0
REPEATS = 20
N_GARMENTS = 1000
CASES: tuple[tuple[str, Constraints], ...] = (
    ("no constraint", Constraints()),
    ("red top for a party, under 80", Constraints(category="top", color_name="red", occasion="party",
                                                   max_price=80.0)),
    ("winter outerwear", Constraints(category="outerwear", season="winter")),
    ("white sneakers", Constraints(garment="sneakers", color_name="white")),
)


def wardrobe_items(seed: int = 0) -> tuple[list[OutfitItem], list[OutfitItem]]:
    """(wardrobe, outfit): 1,000 garments as OutfitItems, and the garments of a photo with five of them."""
    rows, _ = make_wardrobe(N_GARMENTS, 200, seed=seed)
    items = [OutfitItem(name=r["name"].capitalize(), category=r["category"], color_name=r["color_name"],
                        color_hex=r["color_hex"], pattern=r["pattern"], material=r["material"], fit=r["fit"],
                        price=r["price"], context=r["context"]) for r in rows]
    by_photo: dict[int, list[OutfitItem]] = {}
    for row, item in zip(rows, items, strict=True):
        if row["photo_number"] is not None:
            by_photo.setdefault(row["photo_number"], []).append(item)
    outfit = min(by_photo.values(), key=lambda garments: abs(len(garments) - 5))
    return items, outfit


def one_recommendation(wardrobe: list[OutfitItem], outfit: list[OutfitItem], constraints: Constraints,
                       recent: list[tuple[str, str]], seed: int) -> float:
    """Seconds for choose_rules + the whole critique + advise."""
    stylist = OfflineStylist()
    start = time.perf_counter()
    rules = choose_rules(recent=recent, constraints=constraints, outfit=outfit, rng=random.Random(seed))
    request = StyleRequest(query="recommend a piece", outfit=outfit, wardrobe=wardrobe, constraints=constraints,
                           color_rule=rules[0], piece_rule=rules[1], seed=seed)
    critique = "".join(stylist.critique(request))
    stylist.advise(request, critique)
    elapsed = time.perf_counter() - start
    recent.append(rules)
    return elapsed


def main() -> int:
    """Print best and median per case; exit 1 when a median misses the target."""
    wardrobe, outfit = wardrobe_items()
    print(f"Offline stylist on {len(wardrobe)} garments, outfit of {len(outfit)} "
          f"({', '.join(g.name.lower() for g in outfit)}); {REPEATS} runs per case, target {TARGET_MS:.0f} ms")
    print(f"{'case':<34} {'best ms':>8} {'median ms':>10} {'max ms':>8}")
    ok = True
    for label, constraints in CASES:
        recent: list[tuple[str, str]] = []
        times = [one_recommendation(wardrobe, outfit, constraints, recent, seed) * 1000 for seed in range(REPEATS)]
        median = statistics.median(times)
        ok &= median < TARGET_MS
        print(f"{label:<34} {min(times):>8.1f} {median:>10.1f} {max(times):>8.1f}")
    print("OK: under target" if ok else "SLOW: a median is over target")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
