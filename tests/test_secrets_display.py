"""Credentials never shown: redaction, Settings' repr, and infrastructure details on Home only for admins."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from relookx.config import Settings, load_settings
from relookx.preview.client import WebuiClient
from relookx.preview.wire import PreviewError
from relookx.redact import redact_text, redact_url
from tests.apphelpers import make_app, texts
from tests.conftest import create_user
from tests.services import free_port

SD_URL = "http://sduser:sdsecret-42@gpu.internal.example:7860"
SECRETS = {
    "RELOOKX_SD_URL": SD_URL,
    "RELOOKX_SHOPS": "https://shopuser:shoppw-77@shop.internal.example",
    "MISTRAL_API_KEY": "mk-verysecret-1",
    "RELOOKX_SD_AUTH": "webui:authpw-9",
}


def test_redact_url_and_text() -> None:
    assert redact_url(SD_URL) == "http://sduser:***@gpu.internal.example:7860"
    assert redact_url("https://token@host/x?a=1") == "https://***@host/x?a=1"
    assert redact_url("http://host:8080/p") == "http://host:8080/p"
    assert redact_url("not a url") == "not a url"
    line = f"Cannot reach {SD_URL}/sdapi and postgresql+psycopg://relookx:pg-pw@db:5432/x"
    out = redact_text(line, secrets=["mk-verysecret-1"])
    assert "sdsecret-42" not in out and "pg-pw" not in out
    assert "gpu.internal.example" in out
    assert redact_text("key mk-verysecret-1 used", secrets=["mk-verysecret-1"]) == "key *** used"


def test_settings_repr_hides_secrets() -> None:
    settings = load_settings({**SECRETS, "RELOOKX_DATABASE_URL": "postgresql+psycopg://u:pg-pw-5@db/x",
                              "RELOOKX_SSH_PASSWORD": "sshpw-3", "RAPIDAPI_KEY": "rapid-8"}, {})
    shown = repr(settings) + str(settings)
    for secret in ("sdsecret-42", "shoppw-77", "mk-verysecret-1", "authpw-9", "pg-pw-5", "sshpw-3", "rapid-8"):
        assert secret not in shown, secret
    assert "vision_model='mistral-small-latest'" in shown  # the rest is still there
    assert settings.mistral_api_key == "mk-verysecret-1"  # and the values themselves are intact


def test_admins_setting() -> None:
    settings = load_settings({"RELOOKX_ADMINS": " alice, Carol ,"}, {})
    assert settings.admin_usernames == frozenset({"alice", "carol"})
    assert settings.is_admin("alice") and settings.is_admin("CAROL") and not settings.is_admin("bob")
    assert not Settings().is_admin("alice")


def test_webui_errors_do_not_show_the_password() -> None:
    client = WebuiClient(f"http://sduser:sdsecret-42@127.0.0.1:{free_port()}", timeout_s=2)
    with pytest.raises(PreviewError) as failed:
        client.health()
    assert "sdsecret-42" not in str(failed.value) and "127.0.0.1" in str(failed.value)


def test_home_hides_infrastructure_from_users(data_dir: Path, db: Engine) -> None:
    at = make_app(data_dir, user_id=create_user(db, "bob"), **SECRETS, RELOOKX_ADMINS="alice").run()
    assert not at.exception
    shown = texts(at)
    for detail in ("sdsecret-42", "gpu.internal.example", "shop.internal.example", "shoppw-77",
                   str(data_dir), "relookx.db", "mk-verysecret-1"):
        assert detail not in shown, detail
    assert "configured" in shown.lower()


def test_home_shows_details_to_admins_without_credentials(data_dir: Path, db: Engine) -> None:
    at = make_app(data_dir, user_id=create_user(db, "alice"), **SECRETS, RELOOKX_ADMINS="alice").run()
    assert not at.exception
    shown = texts(at)
    assert "gpu.internal.example" in shown and "shop.internal.example" in shown and "relookx.db" in shown
    for secret in ("sdsecret-42", "shoppw-77", "mk-verysecret-1", "authpw-9"):
        assert secret not in shown, secret
