"""What every command of `python -m relookx` shares: settings, the migrated store, the user, errors.

Nothing in this module imports a command module back: each command module imports from here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from relookx import store
from relookx.config import Settings, load_settings
from relookx.db import make_engine, session_scope, upgrade
from relookx.errors import ConfigError, RelookXError

PROG = "python -m relookx"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"


class CliError(RelookXError):
    """A command-line usage problem found after parsing (missing stdin password, unreadable file)."""


def read_secrets(path: Path = SECRETS_FILE) -> dict[str, Any]:
    """The top-level scalar keys of a Streamlit secrets file (empty when there is none)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}") from None
    # Tables (e.g. [auth] for st.login) are the app's business, not settings.
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}


def cli_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings as the app resolves them: secrets file of the current folder, then the environment."""
    return load_settings(read_secrets(), os.environ if environ is None else environ)


@contextmanager
def open_store(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured store, migrated to the latest revision (as the app does at start)."""
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def user_id(engine: Engine, username: str) -> int:
    """The id of the named user; NotFoundError when there is no such user."""
    with session_scope(engine) as session:
        user = store.get_user_by_name(session, username=username)
        assert user.id is not None
        return user.id


def write_file(target: Path, data: str | bytes) -> None:
    """Write a file the user named (text as UTF-8), turning an OSError into a one-line CliError."""
    try:
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            with target.open("w", newline="", encoding="utf-8") as fh:
                fh.write(data)
    except OSError as exc:
        raise CliError(f"Cannot write {target}: {exc.strerror or exc}") from None
