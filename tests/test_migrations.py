"""Migrations upgrade a database that already holds data (not only an empty one)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from relookx import history
from relookx.db import alembic_config, make_engine, session_scope, upgrade
from tests.conftest import create_user


def test_upgrade_from_0002_keeps_recommendations(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
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
