"""Migrations upgrade a database that already holds data (not only an empty one)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from relookx import history, items, store, wardrobe, wear
from relookx.db import make_engine, migrate, session_scope, upgrade
from relookx.vision.base import GarmentDraft
from tests.conftest import create_user


def test_upgrade_from_0002_keeps_recommendations(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        migrate(conn, "0002")
        conn.execute(text("INSERT INTO user (username, display_name, next_photo_number, created_at) "
                          "VALUES ('old', 'old', 1, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO recommendation (user_id, query, constraints, color_rule, piece_rule, critique, piece, "
            "harmony_reasons, backend, seed, calls, timings, feedback, created_at) VALUES (1, 'q', '{}', "
            "'accent', 'layering', 'c', '{\"name\": \"Red scarf\"}', '[]', 'offline', 1, 0, '{}', 0, "
            "'2026-01-01 00:00:00')"))
    upgrade(engine)
    with session_scope(engine) as s:
        [rec] = history.list_recommendations(s, user_id=1)
    assert rec.piece["name"] == "Red scarf" and rec.products == []
    create_user(engine, "new")  # the upgraded schema takes new rows


def test_upgrade_from_0003_keeps_photos_and_garments(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        migrate(conn, "0003")
        conn.execute(text('INSERT INTO "user" (username, display_name, next_photo_number, created_at) '
                          "VALUES ('old', 'old', 2, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO photo (user_id, number, content_hash, filename, width, height, size_bytes, status, "
            "analyzer, error, created_at) VALUES (1, 1, :h, 'a.jpg', 10, 10, 100, 'done', 'offline', '', "
            "'2026-01-01 00:00:00')"), {"h": "a" * 64})
        conn.execute(text(
            "INSERT INTO garment (user_id, photo_id, name, category, color_name, color_hex, pattern, material, fit, "
            "price_text, context, description, confidence, source, created_at) VALUES (1, 1, 'Red top', 'top', "
            "'red', '#c0392b', '', '', '', '', '', '', 0.3, 'offline', '2026-01-01 00:00:00')"))
    upgrade(engine)
    with session_scope(engine) as s:
        [photo] = store.list_photos(s, user_id=1)
        [garment] = store.list_garments(s, user_id=1)
        assert (photo.number, photo.status, photo.note) == (1, "done", "")
        assert (garment.name, garment.crop_key) == ("Red top", "")
        store.add_garment(s, user_id=1, photo_id=photo.id, draft=GarmentDraft(
            name="Navy jacket", category="outerwear", color_name="navy", color_hex="#1f2a44", crop_key="b" * 64))
    with session_scope(engine) as s:
        assert [g.crop_key for g in store.list_garments(s, user_id=1)] == ["", "b" * 64]
    engine.dispose()


def test_upgrade_to_items_gives_one_item_per_garment(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        migrate(conn, "0003")
        conn.execute(text('INSERT INTO "user" (username, display_name, next_photo_number, created_at) '
                          "VALUES ('old', 'old', 2, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO photo (user_id, number, content_hash, filename, width, height, size_bytes, status, "
            "analyzer, error, created_at) VALUES (1, 1, 'abc', 'a.jpg', 1, 1, 1, 'done', 'offline', '', "
            "'2026-02-03 10:00:00')"))
        for name, photo in (("Red top", "1"), ("Black boots", "1"), ("Olive chinos", "NULL")):
            conn.execute(text(
                "INSERT INTO garment (user_id, photo_id, name, category, color_name, color_hex, pattern, material, "
                "fit, price, price_text, context, description, confidence, source, created_at) VALUES "
                f"(1, {photo}, '{name}', 'top', '', '#c0392b', '', '', '', 30.0, '', 'work', '', 0.5, 'offline', "
                "'2026-02-03 10:00:00')"))
    upgrade(engine)
    with session_scope(engine) as s:
        rows = items.item_rows(s, user_id=1)
        garments = store.list_garments(s, user_id=1)
        photo = store.get_photo(s, user_id=1, number=1)
        worn = wear.wear_rows(s, user_id=1)
    assert [r["name"] for r in rows] == ["Red top", "Black boots", "Olive chinos"]
    assert [r["photo_numbers"] for r in rows] == [[1], [1], []]
    assert [g.item_id for g in garments] == [r["id"] for r in rows] and rows[0]["price"] == 30.0
    assert photo.taken_at is not None and photo.taken_at.date().isoformat() == "2026-02-03"
    assert len(worn) == 2
    with session_scope(engine) as s:  # new items get fresh ids (the PostgreSQL sequence moved on)
        new = wardrobe.add_by_hand(s, user_id=1, name="Blue scarf", category="accessory", color="blue")
        assert (new.item_id or 0) > max(r["id"] for r in rows)
    engine.dispose()


def test_upgrade_to_job_targets_keeps_queued_jobs_and_matches_the_models(empty_db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from relookx.preview.jobs import JobQueue, JobTarget, rerunnable

    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        migrate(conn, "0007")
        conn.execute(text('INSERT INTO "user" (username, display_name, next_photo_number, created_at) '
                          "VALUES ('old', 'old', 1, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO previewjob (webui, user_id, status, cancel_requested, progress, message, error, created_at,"
            " heartbeat_at) VALUES ('w', 1, 'running', false, 0.5, 'step 5 of 10', '', '2026-01-01 00:00:00',"
            " '2026-01-01 00:00:00')"))
    upgrade(engine)
    queue = JobQueue(engine, "w")
    old = queue.get(1)
    assert (old.status, old.photo_number, old.piece, old.mode, old.options, old.dismissed) == (
        "running", None, {}, "photo", {}, False)
    assert JobTarget.from_job(old) is None
    assert rerunnable(engine, 1) == []  # abandoned now, but it has no target to run again
    assert queue.get(1).status == "abandoned"
    with engine.connect() as conn:  # the migrations give exactly the tables the models declare
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    engine.dispose()
