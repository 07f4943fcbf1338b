"""Dress me: outfits of owned items only, constraints honoured, no item twice, keep and reshuffle, Mistral ids."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from relookx import dress_me, wardrobe, wear
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.fashion.pieces import OutfitItem
from relookx.llm import make_client
from relookx.stylist.outfits import Owned, check_choice, occasion_key, suggest
from tests import mistral_server as ms

WINTER, SUMMER = date(2026, 1, 15), date(2026, 7, 15)


def owned(*rows: tuple[int, str, str, str, str], days: dict[int, float] | None = None) -> list[Owned]:
    days = days or {}
    return [Owned(id=i, item=OutfitItem(name=n, category=c, color_name="", color_hex=h, context=ctx),
                  days_since_worn=days.get(i)) for i, n, c, h, ctx in rows]


WARDROBE = owned(
    (1, "White shirt", "top", "#f7f7f5", "work"), (2, "Grey hoodie", "top", "#8a8a8a", "casual"),
    (3, "Navy trousers", "bottom", "#1f2a44", "work"), (4, "Blue jeans", "bottom", "#3b5b92", "casual"),
    (5, "Black loafers", "footwear", "#111111", "work"), (6, "White sneakers", "footwear", "#f5f5f5", "casual"),
    (7, "Camel wool coat", "outerwear", "#c19a6b", "work"), (8, "Burgundy scarf", "accessory", "#800020", ""),
    (9, "Red linen dress", "dress", "#c0392b", "party"), (10, "Linen shorts", "bottom", "#d8c3a5", "casual"),
)


def slots(outfit_ids: list[int]) -> list[str]:
    by_id = {o.id: o.item.category for o in WARDROBE}
    return [by_id[i] for i in outfit_ids]


@pytest.mark.parametrize("seed", range(6))
def test_rules_build_a_valid_outfit_of_owned_items(seed: int) -> None:
    outfit = suggest(WARDROBE, occasion="the office", season="winter", seed=seed)
    assert set(outfit.item_ids) <= {o.id for o in WARDROBE} and len(set(outfit.item_ids)) == len(outfit.item_ids)
    check_choice(WARDROBE, outfit.item_ids)  # the same checks a model's choice must pass
    cats = slots(outfit.item_ids)
    assert "footwear" in cats and "outerwear" in cats  # winter: an outer layer
    assert 10 not in outfit.item_ids  # linen shorts are not for winter
    assert outfit.explanation().startswith(("Complementary", "Analogous", "Accent", "Sandwich", "Monochromatic",
                                            "Neutral base"))
    neutral = suggest(owned((1, "White shirt", "top", "#f7f7f5", ""), (2, "Grey trousers", "bottom", "#8a8a8a", "")),
                      season="spring")
    assert neutral.color_rule == "neutral" and neutral.explanation().startswith("Neutral base (no color rule)")


def test_occasion_and_recency_steer_the_choice() -> None:
    outfit = suggest(WARDROBE, occasion="office", season="winter", seed=1)
    assert {1, 3, 5} <= set(outfit.item_ids)  # the items tagged for work
    recent = owned(*[(o.id, o.item.name, o.item.category, o.item.color_hex, "") for o in WARDROBE],
                   days={1: 1, 2: 90})
    assert 2 in suggest(recent, season="spring", seed=0).item_ids  # worn 3 months ago beats yesterday's
    assert occasion_key("to the office tomorrow") == "work"


def test_keep_a_piece_and_reshuffle_the_rest() -> None:
    outfits = [suggest(WARDROBE, season="spring", keep=[4], seed=s) for s in range(8)]
    assert all(4 in o.item_ids and 3 not in o.item_ids and 9 not in o.item_ids for o in outfits)
    assert len({tuple(o.item_ids) for o in outfits}) > 1  # reshuffling changes the rest
    dress = suggest(WARDROBE, season="summer", keep=[9], seed=0)
    assert 9 in dress.item_ids and not {"top", "bottom"} & set(slots(dress.item_ids))
    with pytest.raises(RelookXError, match="Item 99 is not in your wardrobe"):
        suggest(WARDROBE, season="summer", keep=[99])


def test_missing_basics_and_bad_choices_are_explained() -> None:
    with pytest.raises(RelookXError, match="needs a top and a bottom, or a dress"):
        suggest(owned((1, "Black loafers", "footwear", "#111111", "")), season="summer")
    for ids, message in (([1, 3, 99], "not the user's items"), ([1, 3, 5, 5], "chosen twice"),
                         ([1, 5], "a top and a bottom"), ([1, 2, 3, 5], "two items of one kind"),
                         ([9, 1, 5], "a dress replaces"), ([1, 3], "needs footwear")):
        with pytest.raises(RelookXError, match=message):
            check_choice(WARDROBE, ids)


def stock(engine: Engine, uid: int) -> dict[str, int]:
    with session_scope(engine) as s:
        return {n: wardrobe.add_by_hand(s, user_id=uid, name=n, category=c, color=col, context=ctx).item_id or 0
                for n, c, col, ctx in [("White shirt", "top", "white", "work"), ("Navy trousers", "bottom", "navy",
                                       "work"), ("Black loafers", "footwear", "black", "work")]}


def test_wore_it_logs_and_recency_follows(engine: Engine, settings: Settings, alice: int) -> None:
    ids = stock(engine, alice)
    outfit, note = dress_me.dress_me(engine, settings, user_id=alice, occasion="office", day=WINTER)
    assert note == "" and sorted(outfit.item_ids) == sorted(ids.values()) and outfit.backend == "rules"
    dress_me.wore_it(engine, user_id=alice, outfit=outfit)
    with session_scope(engine) as s:
        [logged] = wear.logged(s, user_id=alice)
    assert logged["source"] == "suggestion" and logged["worn_on"] == date.today()
    assert all(o.days_since_worn == 0 for o in dress_me.owned_items(engine, user_id=alice))
    assert "White shirt (#" in dress_me.describe(outfit)


def test_mistral_may_only_choose_the_users_ids(
    engine: Engine, mistral_settings: Settings, mistral_server: ms.MistralServer, alice: int, bob: int,
) -> None:
    ids = stock(engine, alice)
    theirs = stock(engine, bob)["White shirt"]
    client = lambda: make_client(mistral_settings)  # noqa: E731
    mistral_server.queue_json({"item_ids": [theirs, ids["Navy trousers"], ids["Black loafers"]], "reason": "x"})
    mistral_server.queue_json({"item_ids": sorted(ids.values()), "reason": "White and navy: a crisp contrast."})
    outfit, note = dress_me.dress_me(engine, mistral_settings, user_id=alice, occasion="office", day=WINTER,
                                     client=client)
    assert note == "" and outfit.backend.startswith("mistral") and sorted(outfit.item_ids) == sorted(ids.values())
    first, second = mistral_server.chat_requests
    listed = json.loads(first.json["messages"][1]["content"])
    assert {i["id"] for i in listed["items"]} == set(ids.values()) and listed["occasion"] == "work"
    assert "not the user's items" in second.json["messages"][-1]["content"]
    # Twice a stranger's id: refused, and the rules answer with a note saying so.
    bad = {"item_ids": [theirs, ids["Navy trousers"], ids["Black loafers"]], "reason": "x"}
    mistral_server.queue_json(bad)
    mistral_server.queue_json(bad)
    outfit, note = dress_me.dress_me(engine, mistral_settings, user_id=alice, day=SUMMER, client=client)
    assert outfit.backend == "rules" and theirs not in outfit.item_ids
    assert note.startswith("Mistral could not choose") and "not the user's items" in note


def test_empty_wardrobe_is_explained(engine: Engine, settings: Settings, alice: int) -> None:
    with pytest.raises(RelookXError, match="Your wardrobe is empty"):
        dress_me.dress_me(engine, settings, user_id=alice, day=WINTER - timedelta(days=1))


def test_the_chat_dresses_me_for_the_office_tomorrow(engine: Engine, settings: Settings, alice: int) -> None:
    from relookx.chat import handle
    from tests.test_chat import offline_deps

    empty = handle(engine, offline_deps(settings), user_id=alice, text="what should I wear to the office tomorrow?")
    assert empty.replies[0].kind == "notice" and "Your wardrobe is empty" in empty.replies[0].text
    ids = stock(engine, alice)
    turn = handle(engine, offline_deps(settings), user_id=alice, text="what should I wear to the office tomorrow?")
    [reply] = turn.replies
    assert reply.text.startswith("For work tomorrow, from your wardrobe: ")
    assert all(f"(#{i})" in reply.text for i in ids.values()) and "Why: " in reply.text
