"""Understanding chat messages: the local parser on a table of messages, and the model refinement."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from relookx import llm
from relookx.stylist.intent import parse_message, refine_with_model, unknown_photo_note
from relookx.stylist.types import INTENTS, SEASONS, ParsedMessage
from tests.mistral_server import server_error

PHOTOS = [1, 2, 3, 5, 7]

# (message, intent, photo number, expected constraints (subset), ambiguous or None = not checked)
CASES: list[tuple[str, str, int | None, dict[str, Any], bool | None]] = [
    # recommend
    ("Can you recommend a piece to match image 7?", "recommend", 7, {}, False),
    ("recommend a piece to match image 7", "recommend", 7, {}, False),
    ("What would go with image 7?", "recommend", 7, {}, False),
    ("I need something red for a party under 80 euros", "recommend", None,
     {"color_name": "red", "occasion": "party", "max_price": 80.0}, False),
    ("what should I add to my outfit", "recommend", None, {}, False),
    ("suggest a jacket", "recommend", None, {"category": "outerwear", "garment": "jacket"}, False),
    ("Any suggestions for shoes?", "recommend", None, {"category": "footwear", "garment": "shoes"}, False),
    ("What should I wear to a wedding?", "recommend", None, {"occasion": "wedding"}, False),
    ("what should I wear this fall?", "recommend", None, {"season": "autumn"}, False),
    # outfit: a whole outfit from what they own
    ("what should I wear to the office tomorrow?", "outfit", None, {"occasion": "work"}, False),
    ("Dress me for a party tonight", "outfit", None, {"occasion": "party"}, False),
    ("pick an outfit for me", "outfit", None, {}, False),
    ("what can I wear today?", "outfit", None, {}, False),
    ("something in burgundy for a wedding", "recommend", None,
     {"color_name": "burgundy", "color_hex": "#800020", "occasion": "wedding"}, False),
    ("I'd like a light blue shirt for work", "recommend", None,
     {"color_name": "light blue", "color_hex": "#add8e6", "category": "top", "garment": "shirt",
      "occasion": "work"}, False),
    ("I'd like a light-blue shirt", "recommend", None, {"color_name": "light blue"}, False),
    ("I want a navy blue blazer for the office in winter", "recommend", None,
     {"color_name": "navy blue", "category": "outerwear", "occasion": "work", "season": "winter"}, False),
    ("a red jacket for a party", "recommend", None, {"color_name": "red", "category": "outerwear"}, False),
    ("help me complete image 2 for a job interview", "recommend", 2, {"occasion": "interview"}, False),
    ("style image 3 for the beach", "recommend", 3, {"occasion": "beach"}, False),
    ("what goes with my navy jeans? something in burgundy", "recommend", None,
     {"color_name": "burgundy", "category": None}, False),
    ("recommend for pic 5 something in dark red", "recommend", 5, {"color_name": "dark red"}, False),
    ("I need a bag for travel, up to 70", "recommend", None, {"category": "bag", "occasion": "travel",
                                                               "max_price": 70.0}, False),
    ("suggest an accessory for the gym", "recommend", None, {"category": "accessory", "occasion": "sport"}, False),
    ("I'm looking for a dress for a date", "recommend", None, {"category": "dress", "occasion": "date"}, False),
    ("suggest something casual for the weekend", "recommend", None, {"occasion": "weekend"}, False),
    # photo references
    ("image 7 under 80", "recommend", 7, {"max_price": 80.0}, False),
    ("cheaper than 40, what goes with photo #3", "recommend", 3, {"max_price": 40.0}, False),
    ("recommend something for picture 2", "recommend", 2, {}, False),
    ("what goes with img 5?", "recommend", 5, {}, False),
    ("what goes with image7", "recommend", 7, {}, False),
    ("the last photo, what should I add?", "recommend", 7, {}, False),
    ("my latest picture needs a jacket, suggest one", "recommend", 7, {"category": "outerwear"}, False),
    ("the previous photo: suggest something", "recommend", 5, {}, False),
    ("the first photo, recommend a bag", "recommend", 1, {"category": "bag"}, False),
    ("recommend something for image 12", "recommend", None, {}, False),
    # budgets
    ("less than $50 please, a top for the office", "recommend", None,
     {"max_price": 50.0, "category": "top", "occasion": "work"}, False),
    ("max 100 for a coat", "recommend", None, {"max_price": 100.0, "category": "outerwear"}, False),
    ("below 60€ shoes", "recommend", None, {"max_price": 60.0, "category": "footwear"}, False),
    ("my budget of 120, suggest shoes", "recommend", None, {"max_price": 120.0}, False),
    ("no more than 90 euros for a bag", "recommend", None, {"max_price": 90.0, "category": "bag"}, False),
    ("recommend shoes between 50 and 80 euros", "recommend", None, {"max_price": 80.0}, False),
    ("recommend shoes 50-80 euros", "recommend", None, {"max_price": 80.0}, False),
    ("suggest a top around €45", "recommend", None, {"max_price": 45.0}, False),
    ("over 100 euros, recommend a coat", "recommend", None, {"max_price": None}, False),
    ("size 38 sneakers please, recommend", "recommend", None,
     {"max_price": None, "category": "footwear", "garment": "sneakers"}, False),
    ("suggest 3 tops", "recommend", None, {"max_price": None, "category": "top"}, False),
    ("I am 30 years old, suggest a dress", "recommend", None, {"max_price": None, "category": "dress"}, False),
    # words hiding colors or garments
    ("this is important, I'm tired, suggest a top", "recommend", None, {"color_name": None, "category": "top"},
     False),
    ("I need something that isn't black", "recommend", None, {"color_name": None}, False),
    ("recommend something to wear on top of image 2", "recommend", 2, {"category": None}, False),
    # seasons
    ("something for the cold", "recommend", None, {"season": "winter"}, False),
    ("suggest a dress for hot days", "recommend", None, {"season": "summer", "category": "dress"}, False),
    ("spring look for image 1, any suggestion?", "recommend", 1, {"season": "spring"}, False),
    # preview
    ("show me a preview of the new outfit", "preview", None, {}, False),
    ("what would it look like on me", "preview", None, {}, False),
    ("render it", "preview", None, {}, False),
    ("Can you visualise image 3 with the new jacket?", "preview", 3, {}, None),
    # shop
    ("where can I buy it?", "shop", None, {}, False),
    ("find it in a shop", "shop", None, {}, False),
    ("buy", "shop", None, {}, False),
    ("price of the recommended piece", "shop", None, {}, False),
    ("how much does it cost?", "shop", None, {}, False),
    ("where can I buy a red dress under 80?", "shop", None, {"color_name": "red", "max_price": 80.0,
                                                            "category": "dress"}, False),
    # wardrobe questions
    ("how many blue tops do I have?", "wardrobe_question", None, {"color_name": "blue", "category": "top"}, False),
    ("what's my most common color?", "wardrobe_question", None, {}, False),
    ("What’s my most common colour?", "wardrobe_question", None, {}, False),
    ("how much is my wardrobe worth?", "wardrobe_question", None, {}, False),
    ("list my shoes", "wardrobe_question", None, {"category": "footwear"}, False),
    ("which occasions are my clothes for?", "wardrobe_question", None, {}, False),
    ("Do I have any red shoes?", "wardrobe_question", None, {"color_name": "red", "category": "footwear"}, False),
    ("what's in image 3?", "wardrobe_question", 3, {}, False),
    ("how many photos do I have?", "wardrobe_question", None, {}, False),
    # general talk
    ("is navy ok with black?", "chat", None, {}, False),
    ("does navy go with black?", "chat", None, {}, False),
    ("hello", "chat", None, {}, False),
    ("thanks!", "chat", None, {}, False),
    ("What is a capsule wardrobe?", "chat", None, {}, False),
    ("Can I wear white sneakers to a wedding?", "chat", None, {"occasion": "wedding"}, False),
    # ambiguous
    ("what goes with 7?", "recommend", None, {}, True),
    ("image 7", "recommend", 7, {}, True),
    ("burgundy?", "chat", None, {"color_name": "burgundy"}, True),
    ("red jacket or green jacket, recommend one", "recommend", None, {}, True),
    ("something red or green please", "recommend", None, {"color_name": "red"}, True),
    ("image 2 or image 5, suggest", "recommend", 2, {}, True),
    ("Do I have something that goes with image 3?", "recommend", 3, {}, True),
    ("I want to buy a red dress", "shop", None, {"color_name": "red"}, True),
    ("is image 3 ok for a wedding?", "chat", 3, {"occasion": "wedding"}, True),
    ("a top and a bag for image 2", "recommend", 2, {}, True),
]


@pytest.mark.parametrize(("text", "intent", "photo", "constraints", "ambiguous"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_parse_message(text: str, intent: str, photo: int | None, constraints: dict[str, Any],
                       ambiguous: bool | None) -> None:
    parsed = parse_message(text, photo_numbers=PHOTOS)
    assert parsed.intent == intent
    assert parsed.photo_number == photo
    got = dataclasses.asdict(parsed.constraints)
    assert {k: got[k] for k in constraints} == constraints
    if ambiguous is not None:
        assert parsed.ambiguous is ambiguous


def test_the_table_is_big_and_covers_every_intent() -> None:
    assert len(CASES) >= 60
    assert {c[1] for c in CASES} == set(INTENTS)


def test_the_key_example_is_unambiguous_with_two_calls_budget() -> None:
    parsed = parse_message("Can you recommend a piece to match image 7?", photo_numbers=[3, 7])
    assert (parsed.intent, parsed.photo_number, parsed.photo_phrase, parsed.ambiguous) == (
        "recommend", 7, "image 7", False)
    assert parsed.constraints.is_empty() and parsed.notes == []


def test_unknown_photo_number_lists_the_valid_ones() -> None:
    parsed = parse_message("recommend a piece for image 12", photo_numbers=[1, 2, 5])
    assert parsed.photo_number is None and parsed.photo_phrase == "image 12"
    assert parsed.notes == ["There is no image 12 in your wardrobe. Your images: 1, 2, 5."]


def test_photo_list_is_compressed_into_ranges() -> None:
    assert unknown_photo_note(99, list(range(1, 41)) + [42, 45, 46]) == (
        "There is no image 99 in your wardrobe. Your images: 1-40, 42, 45, 46.")
    assert "no photos yet" in unknown_photo_note(3, [])


def test_photos_are_resolved_among_the_users_own_only() -> None:
    assert parse_message("what goes with image 3?", photo_numbers=[1, 2]).photo_number is None
    assert parse_message("the last photo", photo_numbers=[4, 9, 2]).photo_number == 9
    assert parse_message("the previous photo", photo_numbers=[4, 9, 2]).photo_number == 4
    assert parse_message("my latest picture", photo_numbers=[]).photo_number is None


def test_the_last_photo_without_photos_says_so() -> None:
    parsed = parse_message("recommend something for the last photo", photo_numbers=[])
    assert parsed.photo_number is None and parsed.photo_phrase == "the last photo"
    assert parsed.notes and parsed.notes[0].startswith("You have no photos yet")


def test_the_photo_number_is_not_a_price_nor_the_price_a_photo() -> None:
    parsed = parse_message("what goes with image 7 under 80 and in red", photo_numbers=PHOTOS)
    assert (parsed.photo_number, parsed.constraints.max_price, parsed.constraints.color_name) == (7, 80.0, "red")
    parsed = parse_message("suggest a top for image 5 under 7", photo_numbers=PHOTOS)
    assert (parsed.photo_number, parsed.constraints.max_price) == (5, 7.0)




# --- refine_with_model against the local Mistral-compatible server ---------------------------------


def _answer(**overrides: Any) -> dict[str, Any]:
    reading: dict[str, Any] = {"intent": "recommend", "photo_number": None, "category": None, "garment": None,
                               "color_name": None, "max_price": None, "occasion": None, "season": None}
    return {**reading, **overrides}


def _refine(settings: Any, parsed: ParsedMessage, photos: list[int] = PHOTOS) -> ParsedMessage:
    client = llm.make_client(settings)
    return refine_with_model(client, model="router-test", parsed=parsed, photo_numbers=photos,
                             timeout_s=settings.mistral_timeout_s)


def test_an_ambiguous_message_gets_one_call_whose_answer_is_merged(mistral_server, mistral_settings) -> None:
    parsed = parse_message("what goes with 7? something red or green", photo_numbers=PHOTOS)
    assert parsed.ambiguous
    mistral_server.queue(_answer(photo_number=7, color_name="Green", category="footwear", garment="loafers",
                                 season="fall"))
    refined = _refine(mistral_settings, parsed)
    assert len(mistral_server.chat_requests) == 1
    request = mistral_server.chat_requests[0].json
    assert request["model"] == "router-test"
    assert request["response_format"]["type"] == "json_schema"
    assert "what goes with 7?" in request["messages"][-1]["content"]
    assert "1, 2, 3, 5, 7" in request["messages"][0]["content"]
    assert (refined.intent, refined.photo_number, refined.photo_phrase) == ("recommend", 7, "image 7")
    c = refined.constraints
    assert (c.color_name, c.color_hex, c.category, c.garment, c.season) == (
        "green", "#008000", "footwear", "loafers", "autumn")
    assert not refined.ambiguous


def test_an_unambiguous_message_makes_no_call(mistral_server, mistral_settings) -> None:
    parsed = parse_message("Can you recommend a piece to match image 7?", photo_numbers=PHOTOS)
    assert _refine(mistral_settings, parsed) is parsed
    assert mistral_server.chat_requests == []


def test_invalid_values_from_the_model_are_ignored(mistral_server, mistral_settings) -> None:
    parsed = parse_message("what goes with 12?", photo_numbers=PHOTOS)
    mistral_server.queue(_answer(photo_number=12, category="spaceship", color_name="blurple", season="monsoon",
                                 max_price=-5))
    refined = _refine(mistral_settings, parsed)
    assert refined.photo_number is None
    assert refined.constraints == parsed.constraints
    assert refined.intent == "recommend"


def test_explicit_local_values_are_kept(mistral_server, mistral_settings) -> None:
    parsed = parse_message("image 3 or image 5, under 60 euros", photo_numbers=PHOTOS)
    assert parsed.ambiguous and parsed.photo_number == 3
    mistral_server.queue(_answer(intent="recommend", photo_number=5, max_price=200))
    refined = _refine(mistral_settings, parsed)
    assert (refined.photo_number, refined.constraints.max_price) == (3, 60.0)


def test_a_server_error_keeps_the_local_parse(mistral_server, mistral_settings) -> None:
    settings = dataclasses.replace(mistral_settings, mistral_retry_budget_s=0.3)
    mistral_server.default = lambda _request: server_error(500)
    parsed = parse_message("image 7", photo_numbers=PHOTOS)
    refined = _refine(settings, parsed)
    assert mistral_server.chat_requests
    assert dataclasses.replace(refined, notes=parsed.notes) == parsed
    assert "Mistral is unavailable (HTTP 500)" in refined.notes[-1]


def test_invalid_json_twice_keeps_the_local_parse(mistral_server, mistral_settings) -> None:
    mistral_server.queue("I think it is a recommendation.", '{"intent": "dance"}')
    parsed = parse_message("burgundy?", photo_numbers=PHOTOS)
    refined = _refine(mistral_settings, parsed)
    assert len(mistral_server.chat_requests) == 2  # complete_json's one corrective retry
    assert refined.intent == "chat" and refined.ambiguous
    assert refined.constraints.season is None and refined.constraints.color_name == "burgundy"


def test_seasons_are_the_shared_vocabulary() -> None:
    seasons = {parse_message(t, photo_numbers=[]).constraints.season for t in (
        "suggest a coat for winter", "summer dress please", "a spring jacket", "an autumn scarf", "for fall")}
    assert seasons == set(SEASONS)
