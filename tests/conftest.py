"""Shared fixtures: settings on a temporary data dir, a migrated store, users."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from relookx import auth
from relookx.config import Settings
from relookx.db import make_engine, session_scope, upgrade

pytest_plugins = [  # fixtures and local servers speaking the real protocols
    "tests.services", "tests.apphelpers", "tests.browser", "tests.mistral_server", "tests.ssh_servers",
    "tests.shop_site", "tests.sd_server", "tests.s3_server",
]

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _no_real_mistral_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read a developer's real key or database from the environment."""
    for key in ("MISTRAL_API_KEY", "MISTRAL_SERVER_URL", "RELOOKX_DATABASE_URL", "RELOOKX_ANALYZER"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults on a fresh data dir."""
    return Settings(data_dir=tmp_path / "data")


def make_store(url: str) -> Engine:
    """A migrated engine for `url`."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated SQLite store in the temporary data dir."""
    eng = make_store(settings.db_url)
    yield eng
    eng.dispose()


def create_user(engine: Engine, name: str, password: str = "correct horse battery") -> int:
    """Sign up a user and return their id."""
    with session_scope(engine) as session:
        user = auth.sign_up(session, username=name, password=password)
        assert user.id is not None
        return user.id


@pytest.fixture
def memory_engine() -> Iterator[Engine]:
    """A migrated in-memory SQLite store."""
    eng = make_store("sqlite://")
    yield eng
    eng.dispose()


@pytest.fixture
def alice(engine: Engine) -> int:
    """A signed-up user id."""
    return create_user(engine, "alice")


@pytest.fixture
def bob(engine: Engine) -> int:
    """A second user id, to check isolation."""
    return create_user(engine, "bob")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: SQLite, and a new database per test on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_url"))


def new_postgres_database(server_url: str) -> str:
    """Create an empty database on the PostgreSQL server of `server_url`; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def store_db(empty_db_url: str) -> Iterator[Engine]:
    """A freshly migrated store on each backend (named apart from the AppTest helpers' `db`)."""
    engine = make_engine(empty_db_url)
    upgrade(engine)
    yield engine
    engine.dispose()
