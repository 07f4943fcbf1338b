"""Sign-in abuse: limits per username and per client with backoff, stored in the database (SQLite and
PostgreSQL), a constant-time path for unknown users, common passwords refused, sign-up rate-limited."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from relookx import auth
from relookx.db import make_engine, migrate, session_scope, upgrade
from relookx.errors import AuthError, RateLimitedError
from relookx.models import utcnow
from relookx.throttle import CLIENT_LIMIT, USER_LIMIT, lock_seconds
from tests.apphelpers import make_app, texts
from tests.conftest import create_user

GOOD = "correct horse battery"


def test_wrong_passwords_lock_the_account_even_for_the_right_one(store_db: Engine) -> None:
    create_user(store_db, "alice")
    for _ in range(USER_LIMIT):
        with pytest.raises(AuthError, match="Wrong username or password"):
            auth.attempt_sign_in(store_db, username="alice", password="not it at all", client=None)
    with pytest.raises(RateLimitedError, match="Too many failed sign-ins") as locked:
        auth.attempt_sign_in(store_db, username="alice", password=GOOD, client=None)
    assert 0 < locked.value.retry_after_s <= lock_seconds(USER_LIMIT)


def test_the_lock_is_shared_by_replicas_and_ends(store_db: Engine) -> None:
    create_user(store_db, "alice")
    other_replica = make_engine(store_db.url.render_as_string(hide_password=False))  # another process's engine
    try:
        for _ in range(USER_LIMIT):
            with pytest.raises(AuthError):
                auth.attempt_sign_in(store_db, username="ALICE", password="nope nope", client=None)
        with pytest.raises(RateLimitedError):
            auth.attempt_sign_in(other_replica, username="alice", password=GOOD, client=None)
        with store_db.begin() as conn:  # the lock expires (as if its 30 s had passed)
            conn.execute(text("UPDATE auththrottle SET locked_until = :t"), {"t": utcnow() - timedelta(seconds=1)})
        assert auth.attempt_sign_in(other_replica, username="alice", password=GOOD, client=None).username == "alice"
        # a success resets the account's counter: one more failure does not lock again
        with pytest.raises(AuthError, match="Wrong"):
            auth.attempt_sign_in(store_db, username="alice", password="nope nope", client=None)
        assert auth.attempt_sign_in(store_db, username="alice", password=GOOD, client=None)
    finally:
        other_replica.dispose()


def test_backoff_doubles() -> None:
    assert lock_seconds(USER_LIMIT) == 30 and lock_seconds(USER_LIMIT + 1) == 60
    assert lock_seconds(USER_LIMIT + 2) == 120 and lock_seconds(USER_LIMIT + 30) == 15 * 60


def test_per_client_limit_across_usernames(store_db: Engine) -> None:
    create_user(store_db, "alice")
    for i in range(CLIENT_LIMIT):
        with pytest.raises(AuthError, match="Wrong"):
            auth.attempt_sign_in(store_db, username=f"user{i}", password="guess guess", client="203.0.113.9")
    with pytest.raises(RateLimitedError, match="from your address"):
        auth.attempt_sign_in(store_db, username="alice", password=GOOD, client="203.0.113.9")
    assert auth.attempt_sign_in(store_db, username="alice", password=GOOD, client="198.51.100.7")  # another client


def test_unknown_users_are_refused_after_hashing_a_password(store_db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same argon2 work for an unknown name as for a wrong password (timings: benchmarks/signin_timing.py)."""
    create_user(store_db, "alice")
    verified: list[str] = []
    real = auth.verify_password

    def counting(hash_: str, password: str) -> bool:
        verified.append(hash_)
        return real(hash_, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    for name in ("alice", "ghost"):
        with pytest.raises(AuthError, match="Wrong username or password"):
            auth.attempt_sign_in(store_db, username=name, password="wrong password here", client=None)
    assert len(verified) == 2 and verified[0] != verified[1]  # alice's hash, then the dummy one
    assert all(h.startswith("$argon2id$") for h in verified)


@pytest.mark.parametrize("password", ["abcdefgh", "Summer2024", "password1", "qwertyuiop", "iloveyou1"])
def test_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(AuthError, match="(common|guess)"):
        auth.check_password_strength(password, username="alice", min_length=8)


def test_sign_up_is_rate_limited_per_client(store_db: Engine) -> None:
    from relookx.throttle import SIGNUP_LIMIT

    create_user(store_db, "alice")
    for i in range(SIGNUP_LIMIT):
        name = "alice" if i % 2 else f"new{i}"
        try:
            auth.attempt_sign_up(store_db, username=name, password=GOOD, client="203.0.113.20")
        except AuthError as exc:
            assert "taken" in str(exc)
    with pytest.raises(RateLimitedError, match="accounts"):
        auth.attempt_sign_up(store_db, username="another1", password=GOOD, client="203.0.113.20")
    assert auth.attempt_sign_up(store_db, username="another2", password=GOOD, client="203.0.113.21")


def test_migration_0005_on_a_database_with_rows(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        migrate(conn, "0003")
        conn.execute(text('INSERT INTO "user" (username, display_name, next_photo_number, created_at, password_hash) '
                          "VALUES ('old', 'old', 1, '2026-01-01 00:00:00+00', :h)"), {"h": auth.hash_password(GOOD)})
    upgrade(engine)
    assert auth.attempt_sign_in(engine, username="old", password=GOOD, client=None).username == "old"
    from relookx.preview.jobs import JobQueue

    queue = JobQueue(engine, "w")
    assert queue.try_start(queue.enqueue(1))  # the new previewjob table takes rows for the old user
    with engine.begin() as conn:
        migrate(conn, "0004", down=True)  # and the migration can be undone
    engine.dispose()


def test_sign_in_page_shows_the_lock(data_dir: Path) -> None:
    from relookx.config import Settings
    from tests.conftest import make_store

    page_db = make_store(Settings(data_dir=data_dir).db_url)
    create_user(page_db, "alice")
    at = make_app(data_dir).run()
    for _ in range(USER_LIMIT):
        at.text_input(key="signin_username").input("alice")
        at.text_input(key="signin_password").input("bad bad bad")
        at.button(key="signin_submit").click().run()
    at.text_input(key="signin_username").input("alice")
    at.text_input(key="signin_password").input(GOOD)
    at.button(key="signin_submit").click().run()
    assert not at.exception
    assert "Too many failed sign-ins" in texts(at)
    with session_scope(page_db) as s:
        assert s.exec(text("SELECT count(*) FROM auththrottle")).one()[0] >= 1  # type: ignore[call-overload]
    page_db.dispose()
