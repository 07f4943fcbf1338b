"""AppTest helpers and fixtures (a pytest plugin): the app on a temporary data dir, signed in or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from relookx.config import Settings
from tests.conftest import ROOT, make_store


def reset_streamlit_globals() -> None:
    """Caches and secrets are process-global in Streamlit: clear them between tests."""
    st.cache_resource.clear()
    st.cache_data.clear()
    st.secrets._reset()


def make_app(data_dir: Path, *, user_id: int | None = None, **secrets: Any) -> AppTest:
    """The app (Home.py) on `data_dir`, with `user_id` signed in when given."""
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    at.secrets["RELOOKX_DATA_DIR"] = str(data_dir)
    for key, value in secrets.items():
        at.secrets[key] = value
    if user_id is not None:
        at.session_state["relookx_user_id"] = user_id
    return at


def texts(at: AppTest) -> str:
    """Every markdown, caption, info and error text of the current run, joined."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "error", "warning", "success", "title", "subheader"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def _fresh_streamlit() -> Iterator[None]:
    """Clear Streamlit's process-global caches and secrets around each AppTest."""
    reset_streamlit_globals()
    yield
    reset_streamlit_globals()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The app's data dir for one test."""
    return tmp_path / "data"


@pytest.fixture
def db(data_dir: Path) -> Iterator[Engine]:
    """The migrated store the app of this test uses."""
    engine = make_store(Settings(data_dir=data_dir).db_url)
    yield engine
    engine.dispose()
