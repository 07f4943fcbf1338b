"""AppTest: each signed-in page renders and its key interactions work, user by user."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from relookx import items, store, wardrobe
from relookx.db import session_scope
from relookx.fashion.colors import color_to_hex
from tests import mistral_server as ms
from tests.apphelpers import make_app, reset_streamlit_globals, texts
from tests.conftest import create_user
from tests.imagegen import to_bytes
from tests.realphotos import busy_background, grace, outfit_photo


def photo(top: str = "#8e1b2e") -> bytes:
    """A real person (the astronaut photo) whose suit is recolored to `top`."""
    return to_bytes(outfit_photo(top))


def upload(at: AppTest, *files: tuple[str, bytes, str]) -> AppTest:
    at.file_uploader(key="upload_files").set_value(list(files))
    return at.button(key="upload_submit").click().run()


def open_page(data_dir: Path, user_id: int, page: str, **secrets: object) -> AppTest:
    at = make_app(data_dir, user_id=user_id, **secrets).run()
    assert not at.exception
    return at.switch_page(page).run()


def status_labels(at: AppTest) -> list[str]:
    return [s.label for s in at.status]


def test_home_shows_empty_state_and_backends(data_dir: Path, db: Engine) -> None:
    at = make_app(data_dir, user_id=create_user(db, "alice")).run()
    assert not at.exception
    assert "Your wardrobe is empty" in texts(at)
    assert "Offline pose model" in texts(at) and "SQLite" in texts(at)
    assert "MISTRAL_API_KEY" in texts(at)
    assert [m.value for m in at.metric] == ["0", "0", "0"]


def test_upload_analyse_duplicate_and_refusal(data_dir: Path, db: Engine) -> None:
    at = open_page(data_dir, create_user(db, "alice"), "pages/images.py")
    assert "No photos yet" in texts(at)
    upload(at, ("look1.jpg", photo(), "image/jpeg"), ("look2.png", to_bytes(grace(), "PNG"), "image/png"),
           ("notes.jpg", b"this is not a photo at all", "image/jpeg"))
    assert not at.exception
    labels = status_labels(at)
    assert labels[0].startswith("look1.jpg: image 1,") and "garments (offline)" in labels[0]  # upload order
    assert labels[1].startswith("look2.png: image 2, 3 garments (offline)")  # shirt, open jacket, cap
    assert labels[2].startswith('"notes.jpg" is not an image')
    assert "Your photos (2)" in texts(at)
    assert "Estimated offline" in texts(at) and "No legs are visible" in texts(at)
    crops = [h.proto.body for h in at.get("html") if "relookx-crop" in h.proto.body]
    assert crops and "data:image/jpeg;base64," in crops[0]  # garments are listed with their crops

    upload(at, ("again.jpg", photo(), "image/jpeg"))
    assert any("already in your wardrobe as image 1" in label for label in status_labels(at))
    with session_scope(db) as s:
        assert store.photo_numbers(s, user_id=1) == [1, 2]
        assert store.counts(s, user_id=1)["garments"] >= 4


def test_no_person_found_then_garments_by_hand(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    at = open_page(data_dir, uid, "pages/images.py")
    upload(at, ("street.jpg", to_bytes(busy_background((640, 480), seed=3)), "image/jpeg"))
    assert not at.exception
    [label] = status_labels(at)
    assert label.startswith("street.jpg: image 1, no person found")
    assert [s.state for s in at.status] == ["error"]  # never a green "done, 0 garments"
    assert "No person was found on this photo" in texts(at)
    assert any("no person found" in m.value for m in at.markdown)
    at.text_input(key="hand_name_1").input("Navy wool coat")
    at.selectbox(key="hand_category_1").select("outerwear")
    at.text_input(key="hand_color_1").input("navy")
    at.button(key="hand_submit_1").click().run()
    assert not at.exception
    with session_scope(db) as s:
        rows = store.garment_rows(s, user_id=uid)
        assert store.get_photo(s, user_id=uid, number=1).status == "no_person"
    assert [(r["name"], r["category"], r["photo_number"], r["source"]) for r in rows] == [
        ("Navy wool coat", "outerwear", 1, "manual")]


def test_delete_asks_for_confirmation(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    at = open_page(data_dir, uid, "pages/images.py")
    upload(at, ("look1.jpg", photo(), "image/jpeg"))
    at.button(key="delete_1").click().run()
    assert "Delete image 1 and its" in texts(at)
    at.button(key="cancel_delete_1").click().run()
    assert "Your photos (1)" in texts(at)
    at.button(key="delete_1").click().run()
    at.button(key="confirm_delete_1").click().run()
    assert not at.exception
    assert "No photos yet" in texts(at)
    with session_scope(db) as s:
        assert store.counts(s, user_id=uid) == {"photos": 0, "garments": 0, "items": 0}
    upload(at, ("look2.jpg", photo(top="#ffcc00"), "image/jpeg"))
    assert "Image 2" in texts(at)  # numbers are never reused


def test_failed_mistral_analysis_keeps_photo_then_retry_works(
    data_dir: Path, db: Engine, mistral_server: ms.MistralServer
) -> None:
    uid = create_user(db, "alice")
    secrets = {"MISTRAL_API_KEY": "test-key", "MISTRAL_SERVER_URL": mistral_server.url,
               "RELOOKX_MISTRAL_RETRY_BUDGET_S": "1", "RELOOKX_MISTRAL_TIMEOUT_S": "5"}
    at = open_page(data_dir, uid, "pages/images.py", **secrets)
    assert "Mistral vision (mistral-small-latest)" in texts(at)
    mistral_server.default = lambda _request: ms.server_error(500)
    upload(at, ("look1.jpg", photo(), "image/jpeg"))
    assert not at.exception
    assert any("image 1 kept, analysis failed" in label and "500" in label for label in status_labels(at))
    with session_scope(db) as s:
        failed = store.get_photo(s, user_id=uid, number=1)
    assert failed.status == "failed" and "500" in failed.error

    mistral_server.default = ms.echo
    mistral_server.queue_json({"garments": [{
        "name": "Burgundy knit sweater", "category": "top", "color_name": "burgundy", "color_hex": "#800020",
        "pattern": "cable knit", "material": "wool", "fit": "relaxed", "estimated_price": "$60 - $80",
        "price": None, "context": "casual, autumn", "description": "Chunky cable-knit sweater.",
        "confidence": 0.9}]})
    at.button(key="analyze_1").click().run()
    assert not at.exception
    with session_scope(db) as s:
        rows = store.garment_rows(s, user_id=uid)
    assert [(r["name"], r["price"], r["source"]) for r in rows] == [("Burgundy knit sweater", 70.0, "mistral")]


def test_wardrobe_empty_state_then_add_by_hand(data_dir: Path, db: Engine) -> None:
    at = open_page(data_dir, create_user(db, "alice"), "pages/wardrobe.py")
    assert "Your wardrobe is empty" in texts(at)
    assert not at.get("plotly_chart")
    at.text_input(key="add_name").input("Olive chinos")
    at.selectbox(key="add_category").set_value("bottom")
    at.text_input(key="add_color").input("olive")
    at.text_input(key="add_price").input("45")
    at.text_input(key="add_context").input("work, weekend")
    at.button(key="add_submit").click().run()
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["1", "0"]
    assert at.dataframe[0].value["name"].tolist() == ["Olive chinos"] if at.dataframe else True


def test_wardrobe_metrics_filters_and_charts(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    with session_scope(db) as s:
        for name, cat, color, price, ctx in [("Navy blazer", "outerwear", "navy", 120, "work"),
                                             ("White tee", "top", "white", 15, "casual, weekend"),
                                             ("Navy chinos", "bottom", "navy", 50, "work")]:
            wardrobe.add_by_hand(s, user_id=uid, name=name, category=cat, color=color, price=price,
                                 context=ctx)
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    assert not at.exception
    assert [m.value for m in at.metric][:4] == ["3", "0", "185", "navy"]
    charts = at.get("plotly_chart")
    assert len(charts) == 10  # 5 of the wear tab, 5 of the statistics tab
    palette = next(json.loads(c.proto.spec) for c in charts if json.loads(c.proto.spec)
                   ["layout"]["title"]["text"] == "Color palette")
    assert set(palette["data"][0]["marker"]["color"]) == {color_to_hex("navy"), color_to_hex("white")}
    at.multiselect(key="filter_category").set_value(["outerwear", "bottom"]).run()
    assert "2 of 3 items" in texts(at)
    at.multiselect(key="filter_occasion").set_value(["weekend"]).run()
    assert "0 of 3 items" in texts(at)


def test_profile_is_saved(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    at = open_page(data_dir, uid, "pages/profile.py")
    at.selectbox(key="profile_gender").set_value("woman")
    at.text_input(key="profile_color").input("olive")
    at.number_input(key="profile_height").set_value(168.0)
    at.number_input(key="profile_budget").set_value(90.0)
    at.text_area(key="profile_notes").input("Minimal, no logos")
    at.button(key="profile_save").click().run()
    assert "Profile saved." in texts(at)
    with session_scope(db) as s:
        p = store.get_profile(s, user_id=uid)
    assert (p.gender, p.favourite_color, p.height_cm, p.budget, p.style_notes) == (
        "woman", "olive", 168.0, 90.0, "Minimal, no logos")


def test_users_see_only_their_own_photos_and_garments(data_dir: Path, db: Engine) -> None:
    alice, bob = create_user(db, "alice"), create_user(db, "bob")
    at = open_page(data_dir, alice, "pages/images.py")
    upload(at, ("look1.jpg", photo(), "image/jpeg"))
    assert "Your photos (1)" in texts(at)
    reset_streamlit_globals()
    for page, empty in [("pages/images.py", "No photos yet"), ("pages/wardrobe.py", "Your wardrobe is empty"),
                        ("pages/home.py", "Your wardrobe is empty")]:
        at_bob = open_page(data_dir, bob, page)
        assert not at_bob.exception
        assert empty in texts(at_bob)
        assert "look1" not in texts(at_bob)


def test_wardrobe_inline_edits_and_deletion_are_saved(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    with session_scope(db) as s:
        for name, cat, color in [("White tee", "top", "white"), ("Navy chinos", "bottom", "navy")]:
            wardrobe.add_by_hand(s, user_id=uid, name=name, category=cat, color=color, price=20)
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    [editor] = at.data_editor
    assert editor.value["name"].tolist() == ["White tee", "Navy chinos"]
    assert at.button(key="save_edits").disabled  # nothing to save yet
    at.session_state[editor.key] = {"edited_rows": {0: {"name": "Ecru tee", "color_name": "burgundy"},
                                                    1: {"delete": True}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="save_edits").click().run()
    assert not at.exception
    with session_scope(db) as s:
        rows = items.item_rows(s, user_id=uid)
        assert len(store.garment_rows(s, user_id=uid)) == 1  # the deleted item's sighting went with it
    assert [(r["name"], r["color_name"], r["color_hex"]) for r in rows] == [
        ("Ecru tee", "burgundy", color_to_hex("burgundy"))]
    assert [m.value for m in at.metric][0] == "1"


def test_wardrobe_table_and_chat_card_show_garment_crops(data_dir: Path, db: Engine) -> None:
    from relookx import photos
    from relookx.config import Settings
    from relookx.stylist import workflow
    from relookx.stylist.offline import OfflineStylist
    from relookx.vision.offline import OfflineAnalyzer

    uid = create_user(db, "alice")
    settings = Settings(data_dir=data_dir)
    storage = photos.storage_for(settings)
    stored = photos.add_upload(db, storage, settings, user_id=uid, data=to_bytes(grace()), filename="g.jpg")
    photos.analyze(db, storage, OfflineAnalyzer(), user_id=uid, photo_id=stored.id or 0)
    at = open_page(data_dir, uid, "pages/wardrobe.py")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["crop"].str[:23]) == ["data:image/jpeg;base64,"] * 3
    workflow.recommend(db, OfflineStylist(), user_id=uid, query="what goes with image 1?", photo_number=1, seed=3)
    at.switch_page("pages/chat.py").run()
    assert not at.exception
    assert "The outfit of image 1" in texts(at)
    assert any("relookx-crop" in h.proto.body for h in at.get("html"))
