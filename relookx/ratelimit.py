"""A client-side rate limit shared by every call to one service in this process.

Mistral's free tier allows one request per second; going over it earns 429 answers and retries. Each
caller reserves the next free slot, spaced `1 / per_second` apart (a little more, see `MARGIN`), and
sleeps until it, so calls from several threads never start closer together than the limit allows.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Network and scheduling jitter can bring two requests closer at the server than they left the client
# (tens of milliseconds on a loaded machine): keep 5% spare.
MARGIN = 1.05

_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


class RateLimiter:
    """At most `per_second` starts per second, evenly spaced; `per_second <= 0` means no limit."""

    def __init__(self, per_second: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_second = per_second
        self.interval = MARGIN / per_second if per_second > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for this caller's slot; returns the seconds waited."""
        if self.interval <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        wait = start - now
        if wait > 0:
            self._sleep(wait)
        return wait


def shared_limiter(key: str, per_second: float) -> RateLimiter:
    """The process-wide limiter of one service (e.g. one Mistral host and key) at this rate."""
    name = f"{key}@{per_second:g}"
    with _shared_lock:
        limiter = _shared.get(name)
        if limiter is None:
            limiter = _shared[name] = RateLimiter(per_second)
        return limiter
