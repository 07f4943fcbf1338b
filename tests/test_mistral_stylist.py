"""MistralStylist against the local Mistral-compatible server, through the real SDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relookx.config import with_overrides
from relookx.errors import ConfigError, ServiceError
from relookx.fashion.pieces import OutfitItem, Piece
from relookx.garments import CATEGORIES
from relookx.llm import make_client
from relookx.stylist.mistral import (
    MistralStylist,
    advisor_messages,
    critic_messages,
    direct_messages,
    piece_from_json,
    training_example,
)
from relookx.stylist.rules import COLOR_RULES, PIECE_RULES
from relookx.stylist.types import Constraints, StyleRequest
from tests.mistral_server import Reply, delay, last_user_text, rate_limited

CRITIC, ADVISOR, DIRECT = "critic-test", "advisor-test", "ft:mistral-small-latest:relookx:20261124:abc123"
GUIDES = {
    "critique": "CRITIQUE GUIDE: balance volumes with the rule of thirds; rate style, comfort, versatility.",
    "description": "DESCRIPTION GUIDE: name the silhouette, the color, the fabric and the occasion.",
    "advice": "ADVICE GUIDE: turn the biggest improvement into one piece to add or replace.",
}
CRITIQUE = ("**Strengths**\n- The white oxford shirt is crisp.\n**Improvements**\n- Add a bold outer layer.\n"
            "**Verdict** Clean but flat.\n**Ratings** style 6/10, comfort 8/10, versatility 7/10, overall 7/10")

OUTFIT = [
    OutfitItem("White oxford shirt", "top", "white", "#f8f8f8", pattern="solid", material="cotton",
               fit="regular", context="office"),
    OutfitItem("Navy slim chinos", "bottom", "navy", "#1f2a44", material="cotton", fit="slim"),
    OutfitItem("Brown leather loafers", "footwear", "brown", "#6b4226", material="leather"),
]
OWNED = [*OUTFIT, OutfitItem("Grey wool coat", "outerwear", "grey", "#808080", material="wool")]


def piece(**overrides: object) -> dict:
    base = {
        "name": "Rust corduroy overshirt", "category": "outerwear", "color_name": "rust",
        "color_hex": "#B7410E", "fit": "relaxed", "estimated_price": 65, "context": "smart casual",
        "description": "A rust wide-wale corduroy overshirt with chest pockets.",
        "reason": "Rust sits opposite the navy chinos and adds texture to the flat cotton.",
    }
    return {**base, **overrides}


def make_request(**constraints: object) -> StyleRequest:
    return StyleRequest(
        query="Can you recommend a piece to match image 7?", outfit=list(OUTFIT), wardrobe=list(OWNED),
        constraints=Constraints(**constraints),  # type: ignore[arg-type]
        color_rule="complementary", piece_rule="texture_mixing", photo_number=7,
        profile={"gender": "man", "favourite_color": "green", "budget": 100, "style_notes": "likes workwear"},
    )


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    root = tmp_path / "guides"
    root.mkdir()
    for name, text in GUIDES.items():
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def stylist(mistral_settings, guides) -> MistralStylist:
    return MistralStylist(make_client(mistral_settings), critic_model=CRITIC, advisor_model=ADVISOR,
                          timeout_s=mistral_settings.mistral_timeout_s, guides_root=guides)


def all_text(request) -> str:
    return "\n".join(p.get("text", "") for p in request.content_parts)


def test_critique_then_advice_is_two_calls(mistral_server, stylist):
    mistral_server.queue(CRITIQUE, piece())
    request = make_request()
    critique = "".join(stylist.critique(request))
    result = stylist.advise(request, critique)

    assert critique == CRITIQUE
    assert result == Piece(name="Rust corduroy overshirt", category="outerwear", color_name="rust",
                           color_hex="#b7410e", fit="relaxed", price=65.0, context="smart casual",
                           description=piece()["description"], reason=piece()["reason"])
    critic, advisor = mistral_server.chat_requests
    assert critic.json["model"] == CRITIC and critic.json["stream"] is True
    assert "response_format" not in critic.json or critic.json["response_format"] is None
    assert GUIDES["critique"] in critic.json["messages"][0]["content"]
    assert all(item.name in last_user_text(critic.json) for item in OUTFIT)
    assert "likes workwear" in last_user_text(critic.json)

    assert advisor.json["model"] == ADVISOR and not advisor.json.get("stream")
    text = all_text(advisor)
    assert COLOR_RULES["complementary"].title in text and PIECE_RULES["texture_mixing"].title in text
    assert CRITIQUE in text and GUIDES["description"] in text and GUIDES["advice"] in text
    assert "Grey wool coat" in text  # owned items are listed so the advisor avoids them
    fmt = advisor.json["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["category"]["enum"] == list(CATEGORIES)


def test_the_sent_messages_are_the_public_builders(mistral_server, stylist, guides):
    mistral_server.queue(CRITIQUE, piece())
    request = make_request(max_price=80, occasion="party", season="autumn")
    stylist.advise(request, "".join(stylist.critique(request)))
    critic, advisor = mistral_server.chat_requests
    assert critic.json["messages"] == critic_messages(request, guides_root=guides)
    assert advisor.json["messages"] == advisor_messages(request, CRITIQUE, guides_root=guides)
    user = last_user_text(advisor.json)
    assert "at most 80" in user and "party" in user and "autumn" in user


def test_critique_streams_pieces_in_order(mistral_server, stylist):
    chunks = ["**Strengths**", "\n- crisp", " shirt", "\n**Verdict** ", "good"]
    mistral_server.queue(Reply(chunks=chunks, content="".join(chunks)))
    stream = stylist.critique(make_request())
    assert mistral_server.chat_requests == []  # nothing is sent before the page starts reading
    assert list(stream) == chunks


def test_invalid_json_then_valid_is_three_calls(mistral_server, stylist):
    mistral_server.queue(CRITIQUE, "Sure! Here is a lovely overshirt.", piece())
    request = make_request()
    result = stylist.advise(request, "".join(stylist.critique(request)))
    assert result.name == "Rust corduroy overshirt"
    assert len(mistral_server.chat_requests) == 3
    assert "not valid" in last_user_text(mistral_server.chat_requests[-1].json)


def test_price_above_the_limit_is_corrected(mistral_server, stylist):
    mistral_server.queue(piece(estimated_price=120), piece(estimated_price=45))
    result = stylist.advise(make_request(max_price=50), CRITIQUE)
    assert result.price == 45.0
    first, second = mistral_server.chat_requests
    assert "above the user's limit of 50" in last_user_text(second.json)


def test_wrong_category_and_color_are_corrected(mistral_server, stylist):
    asked = {"category": "footwear", "garment": "sneakers", "color_name": "red"}
    mistral_server.queue(piece(), piece(name="Red suede sneakers", category="footwear", color_name="red",
                                        color_hex="#c62828"))
    result = stylist.advise(make_request(**asked), CRITIQUE)
    assert (result.category, result.color_hex) == ("footwear", "#c62828")
    correction = last_user_text(mistral_server.chat_requests[-1].json)
    assert "asked for footwear" in correction and "not the red" in correction


def test_an_owned_duplicate_is_corrected(mistral_server, stylist):
    mistral_server.queue(piece(name="Charcoal wool coat", color_name="grey", color_hex="#808080"), piece())
    result = stylist.advise(make_request(), CRITIQUE)
    assert result.color_hex == "#b7410e"
    assert "already owns Grey wool coat" in last_user_text(mistral_server.chat_requests[-1].json)


def test_invalid_twice_is_a_service_error_after_two_attempts(mistral_server, stylist):
    mistral_server.queue("not json", piece(estimated_price=500))
    with pytest.raises(ServiceError, match="twice") as info:
        stylist.advise(make_request(max_price=50), CRITIQUE)
    assert "above the user's limit" in str(info.value)
    assert len(mistral_server.chat_requests) == 2  # never more than two advisor attempts


def test_rate_limit_then_success(mistral_server, stylist):
    mistral_server.queue(rate_limited("0.01"), CRITIQUE, rate_limited("0.01"), piece())
    request = make_request()
    result = stylist.advise(request, "".join(stylist.critique(request)))
    assert result.name == "Rust corduroy overshirt"
    assert [r.json.get("stream", False) for r in mistral_server.chat_requests] == [True, True, False, False]


@pytest.mark.parametrize("step", ["critique", "advise"])
def test_timeout_is_a_service_error_naming_the_time(mistral_server, mistral_settings, guides, step):
    settings = with_overrides(mistral_settings, mistral_timeout_s=0.4, mistral_retry_budget_s=0.1)
    stylist = MistralStylist(make_client(settings), critic_model=CRITIC, advisor_model=ADVISOR,
                             timeout_s=settings.mistral_timeout_s, guides_root=guides)
    mistral_server.default = lambda _req: delay(3, CRITIQUE)
    with pytest.raises(ServiceError, match=r"0\.4 s"):
        if step == "critique":
            list(stylist.critique(make_request()))
        else:
            stylist.advise(make_request(), CRITIQUE)


def test_direct_mode_is_one_call_to_the_direct_model(mistral_server, mistral_settings, guides):
    stylist = MistralStylist(make_client(mistral_settings), critic_model=CRITIC, advisor_model=ADVISOR,
                             timeout_s=5, direct_model=DIRECT, guides_root=guides)
    mistral_server.queue(piece())
    request = make_request()
    result = stylist.recommend_direct(request)
    assert result.name == "Rust corduroy overshirt" and result.reason == piece()["reason"]
    (call,) = mistral_server.chat_requests
    assert call.json["model"] == DIRECT and call.json["messages"] == direct_messages(request)
    assert call.json["response_format"]["type"] == "json_schema"


def test_direct_mode_needs_a_model(stylist):
    with pytest.raises(ConfigError, match="RELOOKX_DIRECT_MODEL"):
        stylist.recommend_direct(make_request())


def test_training_example_round_trips_the_piece():
    request = make_request(max_price=80)
    result = Piece(name="Rust corduroy overshirt", category="outerwear", color_name="rust", color_hex="#b7410e",
                   fit="relaxed", price=65.0, context="smart casual", description="A corduroy overshirt.",
                   reason="Complements the navy.")
    example = training_example(request, CRITIQUE, result)
    json.dumps(example)  # one JSONL line
    system, user, assistant = example["messages"]
    assert [m["role"] for m in example["messages"]] == ["system", "user", "assistant"]
    assert (system, user) == tuple(direct_messages(request))
    assert COLOR_RULES["complementary"].title in user["content"] and "White oxford shirt" in user["content"]
    assert piece_from_json(assistant["content"]) == result
    assert json.loads(assistant["content"])["estimated_price"] == 65.0


def test_a_missing_guide_is_a_config_error(stylist, tmp_path):
    stylist.guides_root = tmp_path / "nowhere"
    with pytest.raises(ConfigError, match="critique guide is missing"):
        stylist.critique(make_request())


def test_the_owned_list_keeps_the_relevant_categories(guides):
    footwear = last_user_text({"messages": advisor_messages(make_request(category="footwear"), CRITIQUE,
                                                            guides_root=guides)})
    owned = footwear.split("## Already owned")[1]
    assert "Brown leather loafers" in owned and "Grey wool coat" not in owned


def test_an_explicit_request_for_an_owned_color_and_category_is_answered(mistral_server, mistral_settings) -> None:  # noqa: ANN001
    """Asking for a white top while owning one is not an error: the piece says you own a close match."""
    stylist = MistralStylist(make_client(mistral_settings), critic_model=CRITIC, advisor_model=ADVISOR, timeout_s=5)
    request = make_request(category="top", color_name="white", color_hex="#f8f8f8")
    mistral_server.queue_json(piece(name="White linen shirt", category="top", color_name="white",
                                    color_hex="#F7F7F7", estimated_price=45))
    result = stylist.advise(request, CRITIQUE)
    assert result.name == "White linen shirt" and "You already own a close match (White oxford shirt)" in result.reason
    assert len(mistral_server.chat_requests) == 1
