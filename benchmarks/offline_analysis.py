"""Offline analysis time per photo: the pose model against the color heuristic (target: < 0.5 s at 12 MP).

Photos of real people are composed like the tests do (the astronaut and Grace Hopper on busy
backgrounds) at 12 MP (4000x3000) and 1 MP (1155x866); each analyzer runs on each photo after one
warm-up, and the median of the repeats is printed. What is timed is `analyze(image)` on a decoded
photo, as `relookx.photos.analyze` calls it.

Run from the repository root: `.venv/bin/python benchmarks/offline_analysis.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx.vision.heuristic import HeuristicAnalyzer  # noqa: E402
from relookx.vision.offline import OfflineAnalyzer  # noqa: E402
from relookx.vision.pose import ModelUnavailableError, shared_pose_model  # noqa: E402
from tests.realphotos import astronaut, grace, on_background, recolor_suit  # noqa: E402

TARGET_S = 0.5
REPEATS = 5
SIZES = {"12 MP": (4000, 3000), "1 MP": (1155, 866)}


def photos(size: tuple[int, int]) -> list:
    """Two photos of real people at this size."""
    scale = size[1] / 600
    return [on_background(recolor_suit(astronaut(), "#1f3a93"), size=size, scale=scale, x=0.45, seed=1),
            on_background(grace(), size=size, scale=scale * 0.95, x=0.55, seed=2)]


def median_seconds(analyzer, images) -> tuple[float, int]:  # noqa: ANN001
    """Median wall time of one analysis, and the garments found on the last photo."""
    for img in images:
        analyzer.analyze(img)  # warm-up: first numpy and LiteRT calls
    times = []
    found = 0
    for _ in range(REPEATS):
        for img in images:
            started = time.perf_counter()
            found = len(analyzer.analyze(img).garments)
            times.append(time.perf_counter() - started)
    return statistics.median(times), found


def main() -> int:
    """Print the figures; exit 1 when the pose model misses the target at 12 MP."""
    model = shared_pose_model()
    if isinstance(model, ModelUnavailableError):
        print(f"The pose model cannot load: {model}")
        return 1
    print(f"offline analysis, median of {REPEATS} x 2 photos (real people on busy backgrounds)")
    worst = 0.0
    for label, size in SIZES.items():
        images = photos(size)
        pose_s, pose_n = median_seconds(OfflineAnalyzer(), images)
        heur_s, heur_n = median_seconds(HeuristicAnalyzer(), images)
        print(f"  {label:>5} {size[0]}x{size[1]}: pose model {pose_s * 1000:6.0f} ms ({pose_n} garments), "
              f"heuristic {heur_s * 1000:6.0f} ms ({heur_n} garments)")
        if label == "12 MP":
            worst = pose_s
    verdict = "OK" if worst < TARGET_S else "MISSED"
    print(f"target: pose model under {TARGET_S:g} s per 12 MP photo: {worst:.3f} s -> {verdict}")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
