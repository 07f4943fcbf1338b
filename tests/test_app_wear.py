"""AppTest: the Wardrobe page's wear tab, merge and CSV import; the Images page's question and capture date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from relookx import items, store, wardrobe, wear
from relookx.db import session_scope
from relookx.vision.base import GarmentDraft
from tests.apphelpers import texts
from tests.conftest import create_user
from tests.test_app_pages import open_page


def seed(db: Engine, uid: int) -> list[int]:
    """Two items by hand and an outfit of both logged today; returns the item ids."""
    with session_scope(db) as s:
        ids = [wardrobe.add_by_hand(s, user_id=uid, name=n, category=c, color=col, price=p).item_id or 0
               for n, c, col, p in [("Navy blazer", "outerwear", "navy", 120), ("White tee", "top", "white", 15)]]
        wear.log_outfit(s, user_id=uid, item_ids=ids, worn_on=date.today())
        wear.log_outfit(s, user_id=uid, item_ids=ids[1:], worn_on=date.today())
    return ids


def test_wear_tab_shows_wears_cost_per_wear_and_charts(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    seed(db, uid)
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    assert not at.exception
    [editor] = at.data_editor
    table = editor.value.set_index("name")
    assert table.loc["White tee", "wears"] == 2 and table.loc["White tee", "cost_per_wear"] == 7.5
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Outfits"] == "2" and metrics["Worn in the last 30 days"] == "100%"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert {"Outfit calendar", "Most worn items", "Outfits per week"} <= set(titles)
    best = next(d for d in at.dataframe if d.value.columns[0] == "name" and "cost_per_wear" in d.value)
    assert best.value["name"].tolist()[0] == "White tee"


def test_empty_wear_tab_explains(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    with session_scope(db) as s:
        wardrobe.add_by_hand(s, user_id=uid, name="Navy blazer", category="outerwear", color="navy")
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    assert "No outfits yet. Each analysed photo counts as an outfit" in texts(at)


def test_merge_from_the_page(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    a, b = seed(db, uid)
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    at.selectbox(key="merge_keep").set_value(a)
    at.selectbox(key="merge_other").set_value(b).run()
    at.button(key="merge_submit").click().run()
    assert not at.exception
    with session_scope(db) as s:
        assert [r["id"] for r in items.item_rows(s, user_id=uid)] == [a]


def test_csv_import_previews_then_imports_and_refuses_bad_rows(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    at.file_uploader(key="import_csv_0").set_value(("bad.csv", b"name,category,color\n,top,red\n", "text/csv")).run()
    assert "Nothing will be imported: 1 row(s) have errors" in texts(at)
    assert at.dataframe[-1].value.values.tolist() == [[2, "the name is empty"]]
    good = b"name,category,color,price\nRed scarf,accessory,red,20\nGrey coat,outerwear,grey,150\n"
    at.file_uploader(key="import_csv_0").set_value(("good.csv", good, "text/csv")).run()
    assert "Ready: 2 new item(s), 0 update(s)." in texts(at)
    assert "looks like" not in at.dataframe[-1].value.columns  # nothing like an owned item: no empty column
    with session_scope(db) as s:
        assert items.item_rows(s, user_id=uid) == []  # a preview writes nothing
    at.button(key="import_submit").click().run()
    assert not at.exception
    assert "Imported 2 new item(s), updated 0." in texts(at) and [m.value for m in at.metric][0] == "2"
    with session_scope(db) as s:
        assert [r["name"] for r in items.item_rows(s, user_id=uid)] == ["Red scarf", "Grey coat"]


def test_csv_import_flags_rows_that_look_like_owned_items_and_can_skip_them(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    with session_scope(db) as s:
        wardrobe.add_by_hand(s, user_id=uid, name="Black leather chelsea boots", category="footwear", color="black")
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    data = b"name,category,color,material\nChelsea boots,footwear,black,\nRed scarf,accessory,red,wool\n"
    at.file_uploader(key="import_csv_0").set_value(("mine.csv", data, "text/csv")).run()
    assert "1 new row(s) look like items you already own" in texts(at)
    looks = at.dataframe[-1].value["looks like"].tolist()
    assert looks[0].startswith("your Black leather chelsea boots (") and looks[1] == ""
    at.checkbox(key="import_skip_similar").check().run()
    at.button(key="import_submit").click().run()
    assert not at.exception
    assert "Imported 1 new item(s), updated 0, skipped 1 that looked like items you own." in texts(at)
    with session_scope(db) as s:
        assert sorted(r["name"] for r in items.item_rows(s, user_id=uid)) == ["Black leather chelsea boots",
                                                                              "Red scarf"]


def test_images_page_asks_same_piece_and_edits_the_date(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    with session_scope(db) as s:
        for content, hex_, name in (("a" * 64, "#111111", "Black chelsea boots"),
                                    ("b" * 64, "#2a2a2a", "Black ankle boots")):
            photo = store.add_photo(s, user_id=uid, content_hash=content)
            store.record_analysis(s, user_id=uid, photo_id=photo.id or 0, analyzer="mistral", garments=[
                GarmentDraft(name=name, category="footwear", color_name="black", color_hex=hex_,
                             material="leather" if content[0] == "a" else "")])
    at = open_page(data_dir, uid, "pages/images.py")
    assert not at.exception
    assert "Is the Black ankle boots of image 2 the same as your Black chelsea boots from image 1?" in texts(at)
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("same_yes_"))).click().run()
    assert not at.exception and "Same piece?" not in texts(at)
    with session_scope(db) as s:
        [row] = items.item_rows(s, user_id=uid)
        assert row["photo_numbers"] == [1, 2]
    at.date_input(key="taken_date_1").set_value(date(2026, 3, 14)).run()
    at.button(key="save_taken_1").click().run()
    assert not at.exception
    with session_scope(db) as s:
        assert wear.photo_day(store.get_photo(s, user_id=uid, number=1)) == date(2026, 3, 14)


def test_outfits_page_dress_me_keep_reshuffle_wear_and_undo(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    empty = open_page(data_dir, uid, "pages/outfits.py")
    assert "Your wardrobe is empty" in texts(empty)
    with session_scope(db) as s:
        ids = {n: wardrobe.add_by_hand(s, user_id=uid, name=n, category=c, color=col, context=ctx).item_id
               for n, c, col, ctx in [("White shirt", "top", "white", "work"), ("Grey tee", "top", "grey", ""),
                                      ("Navy trousers", "bottom", "navy", "work"),
                                      ("Blue jeans", "bottom", "blue", ""),
                                      ("Black loafers", "footwear", "black", "work")]}
    at = open_page(data_dir, uid, "pages/outfits.py")
    assert "by the stylist's rules (set MISTRAL_API_KEY" in texts(at)
    at.text_input(key="dress_occasion").input("the office")
    at.button(key="dress_submit").click().run()
    assert not at.exception
    shown = texts(at)
    assert all(f"item #{ids[n]}" in shown for n in ("White shirt", "Navy trousers", "Black loafers"))
    assert "**Why:**" in shown
    at.checkbox(key=f"keep_{ids['Navy trousers']}").check().run()
    for _ in range(3):
        at.button(key="dress_reshuffle").click().run()
        assert not at.exception and f"item #{ids['Navy trousers']}" in texts(at)
    at.button(key="dress_wore").click().run()
    assert not at.exception
    with session_scope(db) as s:
        [logged] = wear.logged(s, user_id=uid)
    assert logged["source"] == "suggestion" and ids["Navy trousers"] in logged["item_ids"]
    at.multiselect(key="log_items").set_value([ids["Grey tee"], ids["Blue jeans"]])
    at.button(key="log_submit").click().run()
    assert not at.exception
    with session_scope(db) as s:
        assert len(wear.logged(s, user_id=uid)) == 2
    at.button(key=f"undo_wear_{logged['id']}").click().run()
    with session_scope(db) as s:
        assert [r["items"] for r in wear.logged(s, user_id=uid)] == [["Grey tee", "Blue jeans"]]


def test_split_a_sighting_from_the_page(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    with session_scope(db) as s:
        for content in ("a" * 64, "b" * 64):
            photo = store.add_photo(s, user_id=uid, content_hash=content)
            store.record_analysis(s, user_id=uid, photo_id=photo.id or 0, analyzer="mistral", garments=[
                GarmentDraft(name="Black boots", category="footwear", color_name="black", color_hex="#111111")])
        [row] = items.item_rows(s, user_id=uid)
    assert row["photo_numbers"] == [1, 2]
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    at.selectbox(key="split_item").set_value(row["id"]).run()
    split_buttons = [b for b in at.button if b.key and b.key.startswith("split_")]
    assert len(split_buttons) == 2
    split_buttons[1].click().run()
    assert not at.exception
    with session_scope(db) as s:
        assert [r["photo_numbers"] for r in items.item_rows(s, user_id=uid)] == [[1], [2]]
