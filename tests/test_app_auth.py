"""AppTest: the sign-in gate, sign up and sign in through the forms, sign out, OIDC."""

from __future__ import annotations

from pathlib import Path

import pytest

from relookx.config import Settings
from tests.apphelpers import make_app, texts
from tests.conftest import create_user, make_store


def test_signed_out_visitors_only_reach_sign_in(tmp_path: Path) -> None:
    at = make_app(tmp_path).run()
    assert not at.exception
    assert at.title[0].value == "👗 RelookX"
    assert at.button(key="signin_submit") and at.button(key="signup_submit")
    with pytest.raises(ValueError, match="Known pages: .*signin.py'\\]"):
        at.switch_page("pages/wardrobe.py")  # only the sign-in page is registered while signed out


def test_sign_up_then_sign_out_then_sign_in(tmp_path: Path) -> None:
    at = make_app(tmp_path).run()
    at.text_input(key="signup_username").input("Zoe")
    at.text_input(key="signup_password").input("short")
    at.text_input(key="signup_confirm").input("short")
    at.button(key="signup_submit").click().run()
    assert "at least 8 characters" in texts(at)

    at.text_input(key="signup_password").input("velvet-trousers-42")
    at.text_input(key="signup_confirm").input("velvet-trousers-42")
    at.button(key="signup_submit").click().run()
    assert not at.exception
    assert at.title[0].value == "Hello, Zoe"
    assert "Your wardrobe is empty" in texts(at)

    at.button(key="sign_out").click().run()
    assert at.title[0].value == "👗 RelookX"
    at.text_input(key="signin_username").input("zoe")
    at.text_input(key="signin_password").input("wrong password")
    at.button(key="signin_submit").click().run()
    assert "Wrong username or password." in texts(at)
    at.text_input(key="signin_password").input("velvet-trousers-42")
    at.button(key="signin_submit").click().run()
    assert at.title[0].value == "Hello, Zoe"


def test_taken_name_is_refused(tmp_path: Path) -> None:
    engine = make_store(Settings(data_dir=tmp_path).db_url)
    create_user(engine, "zoe")
    engine.dispose()
    at = make_app(tmp_path).run()
    at.text_input(key="signup_username").input("zoe")
    at.text_input(key="signup_password").input("velvet-trousers-42")
    at.text_input(key="signup_confirm").input("velvet-trousers-42")
    at.button(key="signup_submit").click().run()
    assert "The username 'zoe' is taken" in texts(at)


def test_oidc_login_creates_and_uses_an_account(tmp_path: Path) -> None:
    auth = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
            "client_id": "relookx", "client_secret": "s",
            "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}
    at = make_app(tmp_path, auth=auth)
    at.run()
    assert at.button(key="oidc_login")  # offered on the sign-in page when [auth] is configured
    at.user = {"is_logged_in": True, "sub": "oidc|42", "email": "ada@example.org", "name": "Ada L."}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Hello, Ada L."
