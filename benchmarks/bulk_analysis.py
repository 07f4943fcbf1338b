"""Bulk analysis of 40 photos with Mistral: one at a time against a pool of 4 under a 10 requests/s limit.

The local Mistral-compatible test server answers every vision call after 1 s, like a loaded real
API. Both runs store and analyse the same 40 photos of real people (composed like the tests do) in a
fresh store, through `relookx.photos.add_and_analyze_batch`; the pooled run uses
RELOOKX_ANALYSIS_WORKERS=4 and RELOOKX_MISTRAL_RPS=10. The server's own arrival times give the
highest number of requests in any one-second window. Targets: at least 3x faster, never over 10/s.

Run from the repository root: `.venv/bin/python benchmarks/bulk_analysis.py`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx import auth, photos  # noqa: E402
from relookx.config import Settings  # noqa: E402
from relookx.db import make_engine, session_scope, upgrade  # noqa: E402
from relookx.vision.factory import make_analyzer  # noqa: E402
from tests.imagegen import to_bytes  # noqa: E402
from tests.mistral_server import MistralServer, Reply  # noqa: E402
from tests.realphotos import astronaut, grace, on_background, recolor_suit  # noqa: E402

PHOTOS = 40
LATENCY_S = 1.0
RPS = 10.0
WORKERS = 4
TARGET_SPEEDUP = 3.0
ANSWER = json.dumps({"garments": [{
    "name": "Navy blazer", "category": "outerwear", "color_name": "navy", "color_hex": "#1f2a44",
    "pattern": "solid", "material": "wool", "fit": "regular", "estimated_price": "$120 - $160", "price": 140,
    "context": "office", "description": "A navy jacket.", "confidence": 0.85}]})


def files() -> list[tuple[str, bytes]]:
    """40 different photos of real people, 1200x900 (about 1 MP, as phones share them)."""
    people = [recolor_suit(astronaut(), "#2e7d32"), grace()]
    return [(f"look-{i:02d}.jpg", to_bytes(on_background(people[i % 2], size=(1200, 900), scale=1.4, seed=i)))
            for i in range(PHOTOS)]


def max_per_second(times: list[float]) -> int:
    """The most requests that arrived within any one-second window."""
    return max((sum(1 for t in times if start <= t < start + 1.0) for start in times), default=0)


def run(batch: list[tuple[str, bytes]], *, workers: int, rps: float) -> tuple[float, int, int]:
    """Seconds for the whole batch, requests made, and the most requests in one second."""
    with MistralServer() as server, tempfile.TemporaryDirectory() as tmp:
        server.default = lambda _request: Reply(content=ANSWER, delay=LATENCY_S)
        settings = Settings(mistral_api_key="bench-key", mistral_server_url=server.url, analyzer="mistral",
                            data_dir=Path(tmp), mistral_rps=rps, analysis_workers=workers)
        engine = make_engine(settings.db_url)
        upgrade(engine)
        with session_scope(engine) as session:
            user_id = auth.sign_up(session, username="bench", password="correct horse battery").id or 0
        analyzer = make_analyzer(settings)
        started = time.perf_counter()
        outcomes = photos.add_and_analyze_batch(engine, photos.storage_for(settings), settings, analyzer,
                                                user_id=user_id, files=batch)
        seconds = time.perf_counter() - started
        engine.dispose()
        done = sum(1 for o in outcomes if o.photo is not None and o.photo.status == "done")
        if done != len(batch):
            raise SystemExit(f"only {done} of {len(batch)} photos were analysed")
        times = [r.time for r in server.chat_requests]
        return seconds, len(times), max_per_second(times)


def main() -> int:
    """Print the figures; exit 1 when a target is missed."""
    batch = files()
    print(f"bulk analysis of {PHOTOS} photos, the server answering in {LATENCY_S:g} s per call")
    seq_s, seq_n, seq_peak = run(batch, workers=1, rps=RPS)
    print(f"  sequential (1 worker):          {seq_s:6.1f} s, {seq_n} requests, at most {seq_peak} in one second")
    pool_s, pool_n, pool_peak = run(batch, workers=WORKERS, rps=RPS)
    print(f"  pooled ({WORKERS} workers, {RPS:g} req/s):   {pool_s:6.1f} s, {pool_n} requests, "
          f"at most {pool_peak} in one second")
    speedup = seq_s / pool_s
    ok = speedup >= TARGET_SPEEDUP and pool_peak <= RPS
    print(f"speed-up {speedup:.2f}x (target >= {TARGET_SPEEDUP:g}x); peak {pool_peak}/s (limit {RPS:g}/s) -> "
          f"{'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
