"""Migration 0006 (object locks, analysis claims) on databases that already hold rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from relookx import history, pending, store
from relookx.db import make_engine, migrate, session_scope, upgrade
from relookx.models import ObjectLock


def test_upgrade_from_0003_keeps_photos_and_previews(empty_db_url: str, tmp_path: Path) -> None:
    engine = make_engine(empty_db_url)
    key = "ab" * 32
    with engine.begin() as conn:
        migrate(conn, "0003")
        conn.execute(text('INSERT INTO "user" (username, display_name, next_photo_number, created_at) '
                          "VALUES ('old', 'old', 2, '2026-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO photo (user_id, number, content_hash, filename, width, height, size_bytes, "
                          "status, analyzer, error, created_at) VALUES (1, 1, :k, 'a.jpg', 10, 10, 100, 'pending', "
                          "'', '', '2026-01-01 00:00:00')"), {"k": key})
        conn.execute(text("INSERT INTO preview (user_id, photo_id, photo_number, piece, mode, backend, image_key, "
                          "image_format, params, warnings, seconds, created_at) VALUES (1, 1, 1, "
                          "'{\"name\": \"Red beanie\"}', 'photo', 'mockup', :k, 'png', '{}', '[]', 1.0, "
                          "'2026-01-01 00:00:00')"), {"k": key})
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            [preview] = history.list_previews(session, user_id=1)
            assert preview.piece["name"] == "Red beanie" and preview.image_key == key
            photo = store.get_photo(session, user_id=1, number=1)
            assert photo.claimed_at is None
            session.add(ObjectLock(name=f"photos/ab/{key}.jpg"))
        assert pending.claim(engine, user_id=1, photo_id=photo.id or 0, lease=timedelta(seconds=60))
    finally:
        engine.dispose()
