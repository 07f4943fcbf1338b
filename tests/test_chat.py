"""Chat turns end to end: intent, the workflow on each backend, history, failures and retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from relookx import history, photos, store
from relookx.chat import ChatDeps, handle
from relookx.config import Settings
from relookx.db import session_scope
from relookx.llm import make_client
from relookx.photos import storage_for
from relookx.shop.service import catalog, configured_sources
from relookx.stylist.rules import COLOR_RULES, PIECE_RULES
from relookx.stylist.workflow import make_stylist
from relookx.vision.base import GarmentDraft
from relookx.vision.offline import OfflineAnalyzer
from tests import mistral_server as ms
from tests.imagegen import to_bytes
from tests.realphotos import outfit_photo

CRITIQUE = ("**Strengths**: the red top is bold. **Improvements**: add a structured outer layer. "
            "**Verdict**: lively but unfinished. **Ratings**: style 6/10, comfort 8/10, versatility 6/10, "
            "overall 6/10.")
PIECE = {"name": "Camel wool overcoat", "category": "outerwear", "color_name": "camel", "color_hex": "#c19a6b",
         "fit": "regular", "estimated_price": 140, "context": "work, weekend",
         "description": "A knee-length camel overcoat in brushed wool.",
         "reason": "Camel warms the navy and red without competing; the coat adds the missing layer."}


def stylist_server(request: dict[str, Any]) -> Any:
    """Answer like Mistral would: the critic streams text, the advisor and router return JSON."""
    if request.get("stream") and "fashion critic" in request["messages"][0]["content"]:
        return ms.Reply(content=CRITIQUE)
    fmt = (request.get("response_format") or {}).get("json_schema", {})
    if "Piece" in fmt.get("name", ""):
        return PIECE
    if fmt:
        return {"intent": "recommend", "photo_number": None, "category": None, "garment": None, "color": None,
                "max_price": None, "occasion": None, "season": None}
    return "Navy and black work together when the textures differ."


def seed_outfit(engine: Engine, user_id: int, content: str = "a" * 64) -> int:
    with session_scope(engine) as s:
        photo = store.add_photo(s, user_id=user_id, content_hash=content)
        store.record_analysis(s, user_id=user_id, photo_id=photo.id or 0, analyzer="offline", garments=[
            GarmentDraft(name="Red top", category="top", color_name="red", color_hex="#c0392b", price=25),
            GarmentDraft(name="Navy jeans", category="bottom", color_name="navy", color_hex="#1f2a44", price=50),
            GarmentDraft(name="White sneakers", category="footwear", color_name="white", color_hex="#f5f5f5",
                         price=70),
        ])
        return photo.number


def offline_deps(settings: Settings) -> ChatDeps:
    demo = catalog(settings)
    return ChatDeps(settings=settings, stylist=lambda: make_stylist(settings),
                    sources=lambda: configured_sources(settings, None, demo=demo), storage=storage_for(settings))


def mistral_deps(settings: Settings) -> ChatDeps:
    client = make_client(settings)
    return ChatDeps(settings=settings, stylist=lambda: make_stylist(settings), client=lambda: client)


def test_offline_recommendation_with_visible_steps(engine: Engine, settings: Settings, alice: int) -> None:
    seed_outfit(engine, alice)
    steps: list[str] = []
    streamed: list[str] = []

    def show(chunks: Any) -> str:
        streamed.extend(chunks)
        return "".join(streamed)

    turn = handle(engine, offline_deps(settings), user_id=alice,
                  text="Can you recommend a piece to match image 1?", on_step=steps.append, show_text=show)
    assert not turn.error and steps == ["Reading image 1", "Critiquing", "Choosing a piece", "Finding it in shops"]
    assert len(streamed) > 1 and "red top" in "".join(streamed).lower()
    [reply] = turn.replies
    assert reply.kind == "recommendation"
    with session_scope(engine) as s:
        rec = history.get_recommendation(s, user_id=alice, recommendation_id=reply.recommendation_id or 0)
        assert [m.role for m in history.list_messages(s, user_id=alice)] == ["user", "assistant"]
    assert rec.backend == "offline" and rec.calls == 0 and rec.photo_number == 1
    assert rec.color_rule in COLOR_RULES and rec.piece_rule in PIECE_RULES
    assert rec.piece["name"] and rec.piece["color_hex"].startswith("#") and rec.piece["reason"]
    assert rec.critique == "".join(streamed)
    assert len(rec.products) == 3 and all(p["demo"] and p["reasons"] for p in rec.products)
    assert rec.products[0]["category"] == rec.piece["category"]


def test_where_to_buy_and_preview_of_the_latest_recommendation(
    engine: Engine, settings: Settings, alice: int
) -> None:
    storage = storage_for(settings)
    photo = photos.add_upload(engine, storage, settings, user_id=alice, filename="look.jpg",
                              data=to_bytes(outfit_photo("#c0392b")))
    photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=photo.id or 0)
    deps = offline_deps(settings)
    rec_turn = handle(engine, deps, user_id=alice, text="recommend a piece to match image 1")
    shop = handle(engine, deps, user_id=alice, text="where can I buy it?")
    assert shop.replies[0].kind == "products" and shop.replies[0].recommendation_id == \
        rec_turn.replies[0].recommendation_id
    assert "demo catalog" in shop.replies[0].text
    steps: list[str] = []
    preview = handle(engine, deps, user_id=alice, text="show me a preview of the new outfit", on_step=steps.append)
    [reply] = preview.replies
    assert not preview.error and reply.kind == "preview" and reply.preview_id
    assert "mock-up" in reply.text and steps[0].endswith("on image 1 (offline mock-up)")
    with session_scope(engine) as s:
        saved = history.get_preview(s, user_id=alice, preview_id=reply.preview_id)
    assert saved.backend == "mockup" and storage.preview_path(saved.image_key, saved.image_format).is_file()


def test_rules_do_not_repeat_over_recent_recommendations(engine: Engine, settings: Settings, alice: int) -> None:
    seed_outfit(engine, alice)
    for _ in range(4):
        assert not handle(engine, offline_deps(settings), user_id=alice, text="what would go with image 1?").error
    with session_scope(engine) as s:
        rules = history.recent_rules(s, user_id=alice)
    assert len({c for c, _ in rules}) == 4 and len({p for _, p in rules}) == 4


@pytest.mark.parametrize("text, expected", [
    ("Can you recommend a piece to match image 9?", "There is no image 9 in your wardrobe. Your images: 1."),
    ("how many tops do I have?", "1"),
    ("hello there", "MISTRAL_API_KEY"),
    ("show me a preview of the new outfit", "no recommendation to preview yet"),
    ("where can I buy it?", "Ask me for a piece first"),
])
def test_other_answers_offline(engine: Engine, settings: Settings, alice: int, text: str, expected: str) -> None:
    seed_outfit(engine, alice)
    turn = handle(engine, offline_deps(settings), user_id=alice, text=text)
    assert not turn.error
    assert expected in turn.replies[0].text
    with session_scope(engine) as s:
        assert history.list_recommendations(s, user_id=alice) == []


def test_recommend_with_an_empty_wardrobe_says_how_to_start(engine: Engine, settings: Settings, alice: int) -> None:
    turn = handle(engine, offline_deps(settings), user_id=alice, text="recommend me something for image 1")
    assert "Images" in turn.replies[0].text


def test_mistral_recommendation_takes_two_calls_and_is_recorded(
    engine: Engine, mistral_settings: Settings, mistral_server: ms.MistralServer, alice: int, tmp_path: Path
) -> None:
    seed_outfit(engine, alice)
    mistral_server.default = stylist_server
    steps: list[str] = []
    turn = handle(engine, mistral_deps(mistral_settings), user_id=alice,
                  text="Can you recommend a piece to match image 1?", on_step=steps.append)
    assert not turn.error, turn.error
    calls = mistral_server.chat_requests
    assert len(calls) == 2 and calls[0].json["stream"] is True and "Red top" in json.dumps(calls[0].json)
    assert steps == ["Reading image 1", "Critiquing", "Choosing a piece"]
    with session_scope(engine) as s:
        rec = history.latest_recommendation(s, user_id=alice)
        runs = history.list_runs(s, user_id=alice)
    assert rec is not None and rec.backend == "mistral" and rec.calls == 2 and rec.critique == CRITIQUE
    assert rec.piece["name"] == "Camel wool overcoat" and rec.piece["price"] == 140
    assert rec.timings["first_token_s"] <= rec.timings["critique_s"] <= rec.timings["total_s"]
    [run] = runs
    assert [m["role"] for m in run.example["messages"]] == ["system", "user", "assistant"]
    assert json.loads(run.example["messages"][2]["content"])["name"] == "Camel wool overcoat"


def test_failed_turn_keeps_the_message_and_can_be_retried(
    engine: Engine, mistral_settings: Settings, mistral_server: ms.MistralServer, alice: int
) -> None:
    seed_outfit(engine, alice)
    deps = mistral_deps(mistral_settings)
    mistral_server.default = lambda _request: ms.server_error(503)
    turn = handle(engine, deps, user_id=alice, text="Can you recommend a piece to match image 1?")
    assert "503" in turn.error
    with session_scope(engine) as s:
        [message] = history.list_messages(s, user_id=alice)
        assert history.list_recommendations(s, user_id=alice) == []
    assert (message.text, message.status) == ("Can you recommend a piece to match image 1?", "failed")
    mistral_server.default = stylist_server
    retried = handle(engine, deps, user_id=alice, retry_message_id=message.id)
    assert not retried.error and retried.replies[0].kind == "recommendation"
    with session_scope(engine) as s:
        messages = history.list_messages(s, user_id=alice)
    assert [(m.role, m.status) for m in messages] == [("user", "ok"), ("assistant", "ok")]


def test_general_talk_streams_from_mistral_with_the_wardrobe(
    engine: Engine, mistral_settings: Settings, mistral_server: ms.MistralServer, alice: int
) -> None:
    seed_outfit(engine, alice)
    mistral_server.default = stylist_server
    pieces: list[str] = []
    turn = handle(engine, mistral_deps(mistral_settings), user_id=alice, text="Is navy ok with black?",
                  show_text=lambda chunks: "".join(pieces.extend(chunks) or pieces))
    assert turn.replies[0].text == "Navy and black work together when the textures differ."
    [call] = mistral_server.chat_requests
    assert call.json["stream"] is True and "Navy jeans" in json.dumps(call.json)


def test_feedback_and_isolation(engine: Engine, settings: Settings, alice: int, bob: int) -> None:
    seed_outfit(engine, alice)
    turn = handle(engine, offline_deps(settings), user_id=alice, text="recommend a piece for image 1")
    rec_id = turn.replies[0].recommendation_id or 0
    with session_scope(engine) as s:
        assert history.set_feedback(s, user_id=alice, recommendation_id=rec_id, feedback=-1).feedback == -1
    from relookx.errors import NotFoundError

    with session_scope(engine) as s, pytest.raises(NotFoundError):
        history.set_feedback(s, user_id=bob, recommendation_id=rec_id, feedback=1)
    with session_scope(engine) as s:
        assert history.list_messages(s, user_id=bob) == [] and history.list_recommendations(s, user_id=bob) == []
