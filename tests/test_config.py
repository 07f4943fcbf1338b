"""Settings: secrets, then environment, then defaults; every key documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from relookx.config import SETTINGS, Settings, load_settings
from relookx.errors import ConfigError
from tests.conftest import ROOT


def test_defaults_without_secrets_or_environment() -> None:
    s = load_settings({}, {})
    assert s == Settings()
    assert s.active_analyzer == "offline" and s.store_backend == "sqlite"
    assert s.db_url == f"sqlite:///{(Path('data') / 'relookx.db').resolve()}"
    assert s.max_upload_bytes == 20 * 1024 * 1024


def test_secrets_win_over_environment_which_wins_over_defaults() -> None:
    env = {"MISTRAL_API_KEY": "from-env", "RELOOKX_VISION_MODEL": "env-model", "RELOOKX_MAX_UPLOAD_MB": "5"}
    s = load_settings({"MISTRAL_API_KEY": "from-secrets", "RELOOKX_DATA_DIR": "/srv/relookx"}, env)
    assert s.mistral_api_key == "from-secrets"
    assert s.vision_model == "env-model"
    assert s.max_upload_mb == 5.0
    assert s.data_dir == Path("/srv/relookx")
    assert s.active_analyzer == "mistral"


def test_server_url_is_the_host_root() -> None:
    s = load_settings({"MISTRAL_SERVER_URL": "http://127.0.0.1:9999/v1/"}, {})
    assert s.mistral_server_url == "http://127.0.0.1:9999"


def test_database_url_is_used_as_given() -> None:
    url = "postgresql+psycopg://u:p@db.example.org:5432/relookx"
    s = load_settings({}, {"RELOOKX_DATABASE_URL": url})
    assert s.db_url == url and s.store_backend == "postgresql"


@pytest.mark.parametrize("values, message", [
    ({"RELOOKX_MAX_UPLOAD_MB": "lots"}, "RELOOKX_MAX_UPLOAD_MB must be a number"),
    ({"RELOOKX_ANALYZER": "magic"}, "must be one of auto, offline, mistral"),
    ({"RELOOKX_ANALYZER": "mistral"}, "needs MISTRAL_API_KEY"),
])
def test_bad_values_are_explained(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(values, {})


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text()
    for setting in SETTINGS:
        assert f"`{setting.key}`" in readme, setting.key
        assert setting.key in example, setting.key
