"""Bulk analysis with Mistral: a bounded pool under a shared client-side rate limit, against the local server."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy.engine import Engine

from relookx import photos, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.ratelimit import RateLimiter
from relookx.vision.factory import make_analyzer
from tests.conftest import create_user, make_store
from tests.imagegen import to_bytes
from tests.mistral_server import MistralServer, Reply, rate_limited
from tests.realphotos import grace, on_background

GARMENTS = {"garments": [
    {"name": "White shirt", "category": "top", "color_name": "white", "color_hex": "#f5f5f5", "pattern": "solid",
     "material": "cotton", "fit": "regular", "estimated_price": "$30 - $40", "price": 35, "context": "office",
     "description": "A white shirt.", "confidence": 0.9},
    {"name": "Navy blazer", "category": "outerwear", "color_name": "navy", "color_hex": "#1f2a44",
     "pattern": "solid", "material": "wool", "fit": "regular", "estimated_price": "$120 - $160", "price": 140,
     "context": "office", "description": "A navy uniform jacket.", "confidence": 0.85},
]}


def photo_files(n: int) -> list[tuple[str, bytes]]:
    """`n` different real photos (Grace Hopper on different busy backgrounds)."""
    return [(f"look-{i:02d}.jpg", to_bytes(on_background(grace(), size=(600, 700), scale=0.95, seed=i)))
            for i in range(n)]


@pytest.fixture
def bulk(mistral_server: MistralServer, mistral_settings: Settings) -> tuple[Engine, Settings, int]:
    mistral_server.default = lambda _request: Reply(content=__import__("json").dumps(GARMENTS), delay=0.6)
    settings = dataclasses.replace(mistral_settings, mistral_rps=5.0, analysis_workers=4)
    engine = make_store(settings.db_url)
    return engine, settings, create_user(engine, "alice")


def test_pool_keeps_upload_order_and_never_exceeds_the_rate(
    mistral_server: MistralServer, bulk: tuple[Engine, Settings, int]
) -> None:
    engine, settings, uid = bulk
    files = photo_files(10)
    stored, progress = [], []
    outcomes = photos.add_and_analyze_batch(
        engine, photos.storage_for(settings), settings, make_analyzer(settings), user_id=uid, files=files,
        on_stored=lambda i, o: stored.append((i, o.photo.number if o.photo else None)),
        on_progress=lambda done, total, o: progress.append((done, total, threading.current_thread().name)),
    )
    assert stored == [(i, i + 1) for i in range(10)]  # numbers follow the upload order
    assert [o.filename for o in outcomes] == [f for f, _ in files]
    assert [o.photo.number for o in outcomes if o.photo] == list(range(1, 11))
    assert all(o.photo is not None and o.photo.status == "done" for o in outcomes)
    assert [p[0] for p in progress] == list(range(1, 11)) and {p[1] for p in progress} == {10}
    assert {p[2] for p in progress} == {threading.current_thread().name}  # callbacks in the caller's thread
    times = [r.time for r in mistral_server.chat_requests]
    assert len(times) == 10
    # Never more than 5 requests in any one-second window, by the server's own clock: the limiter's slots are
    # exactly 0.2 s apart (checked on a fake clock below), and arrivals jitter by the client's send latency (a
    # request whose connection opened late arrives just before the next one), so allow 15 % of the window.
    assert all(times[i + 5] - times[i] >= 0.85 for i in range(len(times) - 5)), times
    # And the pool overlapped them: a request arrived while the previous one was still being answered.
    assert any(b - a < 0.6 for a, b in zip(times, times[1:], strict=False))
    with session_scope(engine) as s:
        found = store.list_garments(s, user_id=uid)
    assert len(found) == 20 and all(g.source == "mistral" for g in found)
    # Mistral's garments get crops from the same pose regions as the offline analyzer's, by category.
    assert all(g.crop_key for g in found)
    assert len({g.crop_key for g in found if g.photo_id == found[0].photo_id}) == 2


def test_rate_limit_is_kept_with_429_retries(mistral_server: MistralServer, bulk: tuple[Engine, Settings, int]) -> None:
    engine, settings, uid = bulk
    mistral_server.queue(rate_limited(), rate_limited())
    outcomes = photos.add_and_analyze_batch(engine, photos.storage_for(settings), settings, make_analyzer(settings),
                                            user_id=uid, files=photo_files(4))
    assert [o.photo.status for o in outcomes if o.photo] == ["done"] * 4
    times = [r.time for r in mistral_server.chat_requests]
    assert len(times) == 6  # two 429s answered, then retried by the SDK
    # The retries wait for their slot too: at 5 per second, 6 requests span 5 slots of 0.21 s. Arrival times
    # at the server jitter by the client's send latency (a thread starting, a connection opening), so allow
    # 15% of it. The limiter's own spacing is checked exactly, on a fake clock, below.
    assert times[5] - times[0] >= 0.85 * 5 * 0.2, times


def test_limiter_spaces_starts_across_threads() -> None:
    now = [0.0]
    lock = threading.Lock()

    def sleep(seconds: float) -> None:  # the fake clock stands still: each caller waits for its reserved slot
        with lock:
            starts.append(seconds)

    starts: list[float] = []
    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    threads = [threading.Thread(target=limiter.acquire) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    waits = sorted([0.0] * (8 - len(starts)) + starts)
    assert waits == pytest.approx([i * 1.05 / 4 for i in range(8)])
    assert RateLimiter(0).acquire() == 0.0  # 0: no limit
