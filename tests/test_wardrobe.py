"""Tag edits, garments added by hand and CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.engine import Engine

from relookx import items, store, wardrobe
from relookx.db import session_scope
from relookx.errors import NotFoundError, RelookXError
from relookx.fashion.colors import color_to_hex


def add(engine: Engine, user_id: int, **kw: object) -> int:
    defaults: dict[str, object] = {"name": "White tee", "category": "top", "color": "white", "price": "15"}
    defaults.update(kw)
    with session_scope(engine) as s:
        # Edits and deletions act on items: the id of the item the typed garment became.
        return wardrobe.add_by_hand(s, user_id=user_id, **defaults).item_id or 0  # type: ignore[arg-type]


def test_add_by_hand_normalises(engine: Engine, alice: int) -> None:
    gid = add(engine, alice, name="Olive chinos", category="Chinos", color="Olive", price="around 45 euros")
    with session_scope(engine) as s:
        g = items.get_item(s, user_id=alice, item_id=gid)
    assert (g.category, g.color_name, g.color_hex, g.price, g.source) == (
        "bottom", "olive", color_to_hex("olive"), 45.0, "manual")
    gid = add(engine, alice, name="Odd", color="#1F3A93")
    with session_scope(engine) as s:
        g = items.get_item(s, user_id=alice, item_id=gid)
    assert g.color_hex == "#1f3a93" and g.color_name  # a name is derived from the hex


@pytest.mark.parametrize("kw, message", [
    ({"name": "  "}, "Give the garment a name"),
    ({"color": "sparkly unicorn"}, "not a color RelookX knows"),
    ({"price": "a lot"}, "not a price"),
])
def test_add_by_hand_refuses_bad_input(engine: Engine, alice: int, kw: dict[str, object], message: str) -> None:
    with pytest.raises(RelookXError, match=message):
        add(engine, alice, **kw)
    with session_scope(engine) as s:
        assert store.counts(s, user_id=alice)["garments"] == 0


def test_edits_normalise_and_color_name_brings_its_hex(engine: Engine, alice: int) -> None:
    gid = add(engine, alice)
    with session_scope(engine) as s:
        n = wardrobe.apply_edits(s, user_id=alice, edits={gid: {"color_name": "Burgundy", "category": "sweater",
                                                                 "price": "$40 - $60", "fit": " slim "}})
    assert n == 1
    with session_scope(engine) as s:
        g = items.get_item(s, user_id=alice, item_id=gid)
    assert (g.color_name, g.color_hex, g.category, g.price, g.fit) == (
        "burgundy", color_to_hex("burgundy"), "top", 50.0, "slim")


def test_a_bad_edit_saves_nothing(engine: Engine, alice: int) -> None:
    a, b = add(engine, alice), add(engine, alice, name="Jeans", category="bottom", color="blue")
    with pytest.raises(RelookXError, match="not a hex color"):
        with session_scope(engine) as s:
            wardrobe.apply_edits(s, user_id=alice, edits={a: {"name": "Renamed"}, b: {"color_hex": "#zzz"}})
    with pytest.raises(RelookXError, match="not a category"):
        with session_scope(engine) as s:
            wardrobe.apply_edits(s, user_id=alice, edits={a: {"category": "spaceship"}})
    with session_scope(engine) as s:
        assert items.get_item(s, user_id=alice, item_id=a).name == "White tee"


def test_deletions_and_other_users_rows(engine: Engine, alice: int, bob: int) -> None:
    a = add(engine, alice)
    with pytest.raises(NotFoundError):
        with session_scope(engine) as s:
            wardrobe.apply_edits(s, user_id=bob, edits={}, deletions=[a])
    with session_scope(engine) as s:
        assert wardrobe.apply_edits(s, user_id=alice, edits={}, deletions=[a]) == 1
        assert store.counts(s, user_id=alice)["garments"] == 0


def test_csv_export_round_trip(engine: Engine, alice: int) -> None:
    add(engine, alice, name='Tee, "classic"', context="casual, weekend")
    with session_scope(engine) as s:
        text = wardrobe.garments_csv(store.garment_rows(s, user_id=alice))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] == 'Tee, "classic"' and rows[0]["context"] == "casual, weekend"
    assert rows[0]["photo_number"] == "" and rows[0]["price"] == "15.0"
    assert list(rows[0])[:4] == ["photo_number", "name", "category", "color"]
