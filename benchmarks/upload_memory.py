"""Peak memory of preparing one uploaded photo (target: under 300 MB per photo).

Each case runs `relookx.media.prepare_upload` in a fresh child process and reports:
- the smallest address-space budget (RLIMIT_AS above the child's size before the call, found by bisection
  to 10 MB) in which it completes: every allocation counts, touched or not, so the figure is deterministic;
- the growth of the child's peak resident set (ru_maxrss), which depends on what pages were touched;
- the time taken.
Cases: the audit's 10950x10950 PNG (refused by the 50 MP default, then with the limit raised to 120 MP),
49 MP PNGs (RGB and RGBA, the largest accepted), and 12 MP and 48 MP phone JPEGs.

Run from the repository root: `.venv/bin/python benchmarks/upload_memory.py`.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 300

CHILD = """
import resource, sys, time
from relookx.media import prepare_upload
from relookx.errors import UploadError
data = open(sys.argv[1], "rb").read()
max_pixels, budget = int(sys.argv[2]), int(sys.argv[3])
vm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
if budget:
    resource.setrlimit(resource.RLIMIT_AS, (vm + budget * 1024 * 1024, resource.RLIM_INFINITY))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    done = prepare_upload(data, filename="x", max_bytes=1 << 30, max_pixels=max_pixels)
    outcome = f"stored {done.width}x{done.height}"
except MemoryError:
    print("MemoryError")
    raise SystemExit(0)
except UploadError as exc:
    outcome = "refused: " + str(exc).split(";")[0]
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(f"ok|{outcome}|{grown:.0f}|{time.perf_counter() - start:.2f}")
"""


def _png(path: Path, size: tuple[int, int], mode: str) -> None:
    subprocess.run([sys.executable, "-c", f"from PIL import Image; Image.new({mode!r}, {size}, "
                    f"(120, 40, 60, 255)[:{len(mode)}]).save({str(path)!r}, 'PNG')"], check=True)


def _jpeg(path: Path, size: tuple[int, int]) -> None:
    rng = np.random.default_rng(7)
    small = (rng.random((size[1] // 8, size[0] // 8, 3)) * 255).astype(np.uint8)
    img = Image.fromarray(small).resize(size, Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    path.write_bytes(buf.getvalue())


def _run(path: Path, max_pixels: int, budget_mb: int) -> str:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(max_pixels), str(budget_mb)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def _smallest_budget(path: Path, max_pixels: int) -> int:
    low, high = 0, 2000  # MB
    while high - low > 10:
        mid = (low + high) // 2
        if _run(path, max_pixels, mid).startswith("ok"):
            high = mid
        else:
            low = mid
    return high


def main() -> None:
    """Print one line per case and whether it meets the target."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = [
            ("10950x10950 PNG, default 50 MP limit", d / "bomb.png", 50_000_000,
             lambda p: _png(p, (10950, 10950), "RGB")),
            ("10950x10950 PNG, limit raised to 120 MP", d / "bomb.png", 120_000_000, None),
            ("7000x7000 RGBA PNG (49 MP)", d / "rgba.png", 50_000_000, lambda p: _png(p, (7000, 7000), "RGBA")),
            ("7000x7000 RGB PNG (49 MP)", d / "rgb.png", 50_000_000, lambda p: _png(p, (7000, 7000), "RGB")),
            ("4000x3000 JPEG (12 MP phone photo)", d / "12mp.jpg", 50_000_000, lambda p: _jpeg(p, (4000, 3000))),
            ("8000x6000 JPEG (48 MP phone photo)", d / "48mp.jpg", 50_000_000, lambda p: _jpeg(p, (8000, 6000))),
        ]
        print(f"{'case':44} {'file':>9} {'budget':>8} {'RSS+':>7} {'time':>6}  outcome")
        for label, path, max_pixels, make in cases:
            if make is not None:
                make(path)
            _, outcome, grown, seconds = _run(path, max_pixels, 0).split("|")
            budget = _smallest_budget(path, max_pixels)
            verdict = "ok" if budget <= TARGET_MB else f"OVER {TARGET_MB} MB"
            print(f"{label:44} {path.stat().st_size / 1024:>7.0f}KB {budget:>6}MB {grown:>5}MB {seconds:>5}s  "
                  f"{outcome} [{verdict}]")


if __name__ == "__main__":
    main()
