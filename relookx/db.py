"""Engine factory (SQLite pragmas, PostgreSQL) and schema migrations through Alembic."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import NoSuchModuleError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from relookx.errors import ConfigError, StoreUnavailableError

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    """Build an engine for `url`; SQLite gets WAL and foreign keys, its folder is created."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise ConfigError(f"RELOOKX_DATABASE_URL is not a valid database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:  # an unknown scheme, or a driver that is not installed
        raise ConfigError(
            f"RELOOKX_DATABASE_URL uses {parsed.drivername!r}, which RelookX cannot open ({type(exc).__name__}): "
            "use sqlite:///path/relookx.db or postgresql+psycopg://user:password@host:5432/db.") from None


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the package's migrations (and at `engine` when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def migrate(conn: Connection, revision: str = "head", *, down: bool = False) -> None:
    """Move the database of `conn` up (or `down`) to `revision`, inside the connection's transaction."""
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    (command.downgrade if down else command.upgrade)(cfg, revision)


def upgrade(engine: Engine) -> None:
    """Apply every pending migration to the database behind `engine`."""
    try:
        with engine.begin() as conn:
            migrate(conn)
    except OperationalError as exc:
        log.error("Cannot open the store at %s: %s", engine.url.render_as_string(hide_password=True), exc.orig)
        raise StoreUnavailableError(
            f"RelookX cannot reach its store ({engine.url.get_backend_name()}) right now: try again in a minute. "
            "The server log has the details for the administrator.") from exc


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
