"""How long a refused sign-in takes: unknown username against wrong password (target: the same order).

Before the fix an unknown name answered in about 1 ms and a wrong password in about 220 ms, which told
anyone which usernames exist. Both now verify an argon2id hash. Runs `auth.attempt_sign_in` on a fresh
SQLite store, 10 times each, and prints the medians.

Run from the repository root: `.venv/bin/python benchmarks/signin_timing.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx import auth  # noqa: E402
from relookx.db import make_engine, session_scope, upgrade  # noqa: E402
from relookx.errors import AuthError  # noqa: E402

RUNS = 10


def _median_ms(engine: Engine, username: str) -> float:
    times = []
    for i in range(RUNS):
        start = time.perf_counter()
        try:
            name = f"{username}{i}" if username == "ghost" else username
            auth.attempt_sign_in(engine, username=name, password=f"wrong password {i}", client=None)
        except AuthError:
            pass
        times.append(time.perf_counter() - start)
        if username != "ghost":
            auth.throttle.clear(engine, f"user:{username}")  # stay under the lock
    return statistics.median(times) * 1000


def main() -> None:
    """Print the median time of each kind of refusal."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'b.db'}")
        upgrade(engine)
        with session_scope(engine) as session:
            auth.sign_up(session, username="alice", password="correct horse battery")
        wrong = _median_ms(engine, "alice")
        unknown = _median_ms(engine, "ghost")
        print(f"wrong password for a known user: {wrong:7.1f} ms (median of {RUNS})")
        print(f"unknown username:                {unknown:7.1f} ms (median of {RUNS})")
        print(f"ratio unknown/known: {unknown / wrong:.2f} (before the fix: about 0.005)")
        engine.dispose()


if __name__ == "__main__":
    main()
