"""Accounts: sign up, sign in, OIDC identities. Passwords are hashed with argon2id."""

from __future__ import annotations

import functools
import math
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from relookx import throttle
from relookx.db import session_scope
from relookx.errors import AuthError, RateLimitedError
from relookx.models import Profile, User

_hasher = PasswordHasher()
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
COMMON_PASSWORDS = frozenset(
    "password password1 password123 12345678 123456789 1234567890 qwertyuiop qwerty123 "
    "iloveyou sunshine princess football baseball welcome admin123 letmein1 abc12345 "
    "11111111 00000000 azertyuiop passw0rd trustno1 monkey123 dragon123".split()
)


def normalize_username(name: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    return name.strip().lower()


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_STRENGTH = 3  # zxcvbn score (0-4): 3 means about 10^8 guesses or more


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the username is unknown, so that both cases take as long."""
    return _hasher.hash("relookx: no such user")


def check_password_strength(password: str, *, username: str, min_length: int) -> None:
    """Raise AuthError saying why a password is too weak (zxcvbn: common passwords, words, sequences, dates)."""
    from zxcvbn import zxcvbn

    if len(password) < min_length:
        raise AuthError(f"Choose a password of at least {min_length} characters.")
    if password.lower() in COMMON_PASSWORDS:
        raise AuthError("This password is one of the most common ones: choose another.")
    if username and username in password.lower():
        raise AuthError("The password must not contain your username.")
    if len(set(password)) < 5:
        raise AuthError("The password repeats too few characters: use at least 5 different ones.")
    verdict = zxcvbn(password[:100], user_inputs=[username] if username else [])
    if verdict["score"] < MIN_STRENGTH:
        why = verdict["feedback"].get("warning") or "It is built like common passwords."
        raise AuthError(f"This password is too easy to guess: {why.rstrip('.')}. Try a few unrelated words "
                        "(for example 'velvet trousers orbit').")


def sign_up(session: Session, *, username: str, password: str, min_length: int = 8) -> User:
    """Create an account; raise AuthError for an invalid or taken name or a weak password."""
    name = normalize_username(username)
    if not USERNAME_RE.match(name):
        raise AuthError(
            "Usernames have 3 to 32 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    check_password_strength(password, username=name, min_length=min_length)
    if session.exec(select(User).where(User.username == name)).first() is not None:
        raise AuthError(f"The username '{name}' is taken: choose another or sign in.")
    user = User(username=name, password_hash=hash_password(password), display_name=username.strip())
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(Profile(user_id=user.id))
    session.flush()
    return user


def sign_in(session: Session, *, username: str, password: str) -> User:
    """Return the user whose name and password match; raise AuthError otherwise."""
    name = normalize_username(username)
    user = session.exec(select(User).where(User.username == name)).first()
    if user is None or not user.password_hash:
        verify_password(_dummy_hash(), password)  # as long as a wrong password: no enumeration by timing
        raise AuthError("Wrong username or password.")
    if not verify_password(user.password_hash, password):
        raise AuthError("Wrong username or password.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def _wait_text(seconds: float) -> str:
    return f"{math.ceil(seconds)} s" if seconds < 90 else f"{math.ceil(seconds / 60)} min"


def attempt_sign_in(engine: Engine, *, username: str, password: str, client: str | None) -> User:
    """Sign in under the limits per username and per client address (`client` None: not known, not limited).

    Failures are counted in the database (every replica sees them); a locked username or address is
    refused even with the right password, with how long to wait.
    """
    user_key = f"user:{normalize_username(username)[:64]}"
    keys = [user_key, *([f"client:{client}"] if client else [])]
    lock = throttle.locked(engine, keys)
    if lock is not None:
        where = "for this account" if lock.key == user_key else "from your address"
        raise RateLimitedError(f"Too many failed sign-ins {where}: try again in {_wait_text(lock.retry_after_s)}.",
                               retry_after_s=lock.retry_after_s)
    try:
        with session_scope(engine) as session:
            user = sign_in(session, username=username, password=password)
    except AuthError:
        throttle.record(engine, user_key, limit=throttle.USER_LIMIT)
        if client:
            throttle.record(engine, f"client:{client}", limit=throttle.CLIENT_LIMIT)
        raise
    throttle.clear(engine, user_key)
    return user


def attempt_sign_up(engine: Engine, *, username: str, password: str, client: str | None,
                    min_length: int = 8) -> User:
    """Create an account, at most SIGNUP_LIMIT attempts per hour from one client address."""
    if client:
        key = f"signup:{client}"
        lock = throttle.locked(engine, [key])
        if lock is not None:
            raise RateLimitedError(f"Too many accounts tried from your address: try again in "
                                   f"{_wait_text(lock.retry_after_s)}.", retry_after_s=lock.retry_after_s)
        throttle.record(engine, key, limit=throttle.SIGNUP_LIMIT, window=throttle.SIGNUP_WINDOW, until_window_end=True)
    with session_scope(engine) as session:
        return sign_up(session, username=username, password=password, min_length=min_length)


def oidc_user(session: Session, *, subject: str, email: str = "", name: str = "") -> User:
    """The account of an OIDC identity (Streamlit's st.login), created on first sign-in."""
    user = session.exec(select(User).where(User.oidc_subject == subject)).first()
    if user is not None:
        return user
    base = re.sub(r"[^a-z0-9_.-]", "", normalize_username(email.split("@")[0] or name)) or "user"
    base = base[:24] if len(base) >= 3 else f"{base}user"
    candidate, n = base, 1
    while session.exec(select(User).where(User.username == candidate)).first() is not None:
        n += 1
        candidate = f"{base}{n}"
    user = User(username=candidate, oidc_subject=subject, display_name=name or email or candidate)
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(Profile(user_id=user.id))
    session.flush()
    return user
