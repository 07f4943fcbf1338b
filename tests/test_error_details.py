"""No tracebacks to users, and clear messages for the cases the audit found."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from relookx.db import make_engine
from relookx.errors import ConfigError
from tests.apphelpers import make_app, texts
from tests.conftest import ROOT, create_user
from tests.services import free_port


def test_streamlit_hides_error_details() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


@pytest.mark.parametrize("url", ["mysqlx://u:p@h/db", "postgres+nodriver://u@h/db", "mongodb://h/db"])
def test_unknown_database_scheme_is_a_clear_error(url: str) -> None:
    with pytest.raises(ConfigError, match="RELOOKX_DATABASE_URL") as failed:
        make_engine(url)
    assert "sqlite" in str(failed.value) and "postgresql+psycopg" in str(failed.value)
    assert ":p@" not in str(failed.value)


def test_unknown_scheme_on_the_sign_in_page(data_dir: Path) -> None:
    at = make_app(data_dir, RELOOKX_DATABASE_URL="mongodb://dbuser:dbpw-1@db.internal.example/x").run()
    assert not at.exception
    shown = texts(at)
    assert "RelookX cannot start" in shown and "dbpw-1" not in shown and "db.internal.example" not in shown


def test_database_outage_does_not_show_host_or_user(data_dir: Path) -> None:
    url = f"postgresql+psycopg://secretuser:secretpw@127.0.0.1:{free_port()}/relookx"
    at = make_app(data_dir, RELOOKX_DATABASE_URL=url).run()
    assert not at.exception
    shown = texts(at)
    assert "cannot reach its store" in shown
    for detail in ("secretuser", "secretpw", "127.0.0.1", "relookx@"):
        assert detail not in shown, detail


def test_deleting_an_already_deleted_photo(data_dir: Path, db: Engine) -> None:
    at = make_app(data_dir, user_id=create_user(db, "alice")).run()
    at.switch_page("pages/images.py").run()
    at.session_state["images_action"] = ("delete", 7)  # as the Delete button's callback leaves it
    at.run()
    assert not at.exception
    assert "Image 7 was already deleted" in texts(at)
