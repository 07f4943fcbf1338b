"""AppTest: the Chat page asks, streams, shows a card, keeps failed messages and retries them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from relookx import history
from relookx.db import session_scope
from tests import mistral_server as ms
from tests.apphelpers import make_app, texts
from tests.conftest import create_user
from tests.test_chat import seed_outfit, stylist_server


def chat_page(data_dir: Path, user_id: int, **secrets: object):  # noqa: ANN201
    at = make_app(data_dir, user_id=user_id, **secrets).run()
    return at.switch_page("pages/chat.py").run()


def test_welcome_then_offline_recommendation_card(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    seed_outfit(db, uid)
    at = chat_page(data_dir, uid)
    assert not at.exception
    assert "offline stylist" in texts(at) and "I am your stylist" in texts(at)
    at.chat_input(key="chat_input").set_value("Can you recommend a piece to match image 1?").run()
    assert not at.exception
    assert [s.label for s in at.status] == ["Done"]
    page = texts(at)
    assert "**Why:**" in page and "for image 1" in page
    at.run()  # the history now renders from the store
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert "The critique behind it" in [e.label for e in at.expander]
    with session_scope(db) as s:
        [rec] = history.list_recommendations(s, user_id=uid)
    assert rec.piece["name"] in texts(at)
    assert len(at.get("feedback")) == 2  # in the conversation and in the past recommendations
    at.get("feedback")[0].set_value(1).run()  # thumbs up
    with session_scope(db) as s:
        assert history.get_recommendation(s, user_id=uid, recommendation_id=rec.id or 0).feedback == 1


def test_failed_turn_shows_error_and_retry_works(data_dir: Path, db: Engine, mistral_server: ms.MistralServer) -> None:
    uid = create_user(db, "alice")
    seed_outfit(db, uid)
    secrets = {"MISTRAL_API_KEY": "test-key", "MISTRAL_SERVER_URL": mistral_server.url,
               "RELOOKX_MISTRAL_RETRY_BUDGET_S": "0.5", "RELOOKX_MISTRAL_TIMEOUT_S": "5"}
    mistral_server.default = lambda _request: ms.server_error(503)
    at = chat_page(data_dir, uid, **secrets)
    assert "Mistral critic" in texts(at)
    at.chat_input(key="chat_input").set_value("Can you recommend a piece to match image 1?").run()
    assert not at.exception
    assert "Your message is kept" in texts(at)
    at.run()
    assert "Can you recommend a piece to match image 1?" in texts(at)
    assert at.button(key="retry_1")
    mistral_server.default = stylist_server
    at.button(key="retry_1").click().run()
    assert not at.exception
    assert "Camel wool overcoat" in texts(at)
    at.run()
    assert not [b for b in at.button if b.key and b.key.startswith("retry_")]


def test_past_recommendations_tab(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    at = chat_page(data_dir, uid)
    assert "No recommendations yet" in texts(at)
