"""Sign-in and sign-up limits with backoff, stored in the database so that every app replica shares them.

One `AuthThrottle` row per key: `user:NAME` (failed sign-ins of one username, known or not), `client:ADDR`
(failed sign-ins from one address, any username) and `signup:ADDR` (sign-up attempts from one address).
Past its limit within the window, a key is locked for a time that doubles with each further failure
(30 s, 1 min, 2 min... at most 15 min); a lock refuses even the right password. A successful sign-in
clears its username's counter, not its address's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from relookx.db import session_scope
from relookx.models import AuthThrottle, utcnow

USER_LIMIT = 5  # failed sign-ins of one username before it is locked
CLIENT_LIMIT = 20  # failed sign-ins from one address (any usernames) before it is locked
SIGNUP_LIMIT = 5  # sign-up attempts from one address per window
WINDOW = timedelta(minutes=15)  # failures older than this are forgotten
SIGNUP_WINDOW = timedelta(hours=1)
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 15 * 60.0


@dataclass(frozen=True)
class Lock:
    """A key that is locked, and for how long still."""

    key: str
    retry_after_s: float


def lock_seconds(failures: int, limit: int = USER_LIMIT) -> float:
    """How long a key is locked after `failures` failures: 30 s at the limit, doubling, at most 15 min."""
    if failures < limit:
        return 0.0
    return float(min(MAX_LOCK_S, FIRST_LOCK_S * 2.0 ** min(failures - limit, 20)))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def locked(engine: Engine, keys: list[str]) -> Lock | None:
    """The first of `keys` that is locked now, or None."""
    now = utcnow()
    with session_scope(engine) as session:
        rows = session.exec(select(AuthThrottle).where(AuthThrottle.key.in_(keys))).all()  # type: ignore[attr-defined]
    for key in keys:
        for row in rows:
            until = _aware(row.locked_until)
            if row.key == key and until is not None and until > now:
                return Lock(key, (until - now).total_seconds())
    return None


def record(engine: Engine, key: str, *, limit: int, window: timedelta = WINDOW, until_window_end: bool = False) -> int:
    """Count one failure (or attempt) of `key`, locking it past `limit`; returns the count in the window.

    The lock doubles with each failure past the limit, or lasts to the end of the window (`until_window_end`).
    """
    for attempt in range(3):
        try:
            return _record(engine, key, limit=limit, window=window, until_window_end=until_window_end)
        except IntegrityError:  # another replica inserted the same key at the same moment: count again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _record(engine: Engine, key: str, *, limit: int, window: timedelta, until_window_end: bool) -> int:
    now = utcnow()
    with session_scope(engine) as session:
        row = session.exec(select(AuthThrottle).where(AuthThrottle.key == key).with_for_update()).first()
        if row is None:
            row = AuthThrottle(key=key, failures=0, window_start=now)
        started = _aware(row.window_start) or now
        if now - started > window and (_aware(row.locked_until) or now) <= now:
            row.failures, row.window_start = 0, now  # an old streak is forgotten once its lock is over
        row.failures += 1
        wait = lock_seconds(row.failures, limit)
        if wait:
            row.locked_until = (row.window_start + window) if until_window_end else now + timedelta(seconds=wait)
        row.updated_at = now
        session.add(row)
        return row.failures


def clear(engine: Engine, key: str) -> None:
    """Forget the failures of `key` (after a successful sign-in)."""
    with session_scope(engine) as session:
        row = session.exec(select(AuthThrottle).where(AuthThrottle.key == key)).first()
        if row is not None:
            session.delete(row)
