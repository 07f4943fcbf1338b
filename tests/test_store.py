"""The store on SQLite and on a real PostgreSQL server: migrations, numbering, isolation."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from relookx import auth, store
from relookx.db import alembic_config, current_revision, make_engine, session_scope, upgrade
from relookx.errors import AuthError, DuplicatePhotoError, NotFoundError
from relookx.vision.base import GarmentDraft
from tests.conftest import create_user


def draft(name: str = "Red top", category: str = "top", hex_: str = "#c0392b") -> GarmentDraft:
    return GarmentDraft(name=name, category=category, color_name="red", color_hex=hex_, price=30.0)


def test_migrations_create_tables_and_are_idempotent(store_db: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None and current_revision(store_db) == head
    upgrade(store_db)  # a second run applies nothing and does not fail
    assert {"user", "profile", "photo", "garment", "recommendation", "chatmessage", "stylistrun",
            "alembic_version"} <= set(inspect(store_db).get_table_names())


def test_sqlite_has_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x' / 'r.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_photo_numbers_are_per_user_and_never_reused(store_db: Engine) -> None:
    a, b = create_user(store_db, "alice"), create_user(store_db, "bob")
    with session_scope(store_db) as s:
        numbers = [store.add_photo(s, user_id=a, content_hash=f"h{i}").number for i in range(3)]
        assert numbers == [1, 2, 3]
        assert store.add_photo(s, user_id=b, content_hash="h0").number == 1  # same file, other user
    with session_scope(store_db) as s:
        store.delete_photo(s, user_id=a, number=3)
    with session_scope(store_db) as s:
        assert store.add_photo(s, user_id=a, content_hash="h9").number == 4
        assert store.photo_numbers(s, user_id=a) == [1, 2, 4]


def test_duplicate_photo_is_refused_with_its_number(store_db: Engine) -> None:
    a = create_user(store_db, "alice")
    with session_scope(store_db) as s:
        store.add_photo(s, user_id=a, content_hash="same")
    with pytest.raises(DuplicatePhotoError, match="already in your wardrobe as image 1") as err:
        with session_scope(store_db) as s:
            store.add_photo(s, user_id=a, content_hash="same", filename="look.jpg")
    assert err.value.number == 1
    with session_scope(store_db) as s:
        assert store.photo_numbers(s, user_id=a) == [1]


def test_unknown_photo_number_lists_valid_ones(store_db: Engine) -> None:
    a = create_user(store_db, "alice")
    with session_scope(store_db) as s:
        with pytest.raises(NotFoundError, match="upload a photo first"):
            store.get_photo(s, user_id=a, number=7)
        store.add_photo(s, user_id=a, content_hash="x")
        store.add_photo(s, user_id=a, content_hash="y")
        with pytest.raises(NotFoundError, match="no image 7 .* Your images: 1, 2"):
            store.get_photo(s, user_id=a, number=7)


def test_users_never_see_each_others_rows(store_db: Engine) -> None:
    a, b = create_user(store_db, "alice"), create_user(store_db, "bob")
    with session_scope(store_db) as s:
        photo = store.add_photo(s, user_id=a, content_hash="a1")
        assert photo.id is not None
        store.record_analysis(s, user_id=a, photo_id=photo.id, garments=[draft()], analyzer="offline")
        garment = store.list_garments(s, user_id=a)[0]
    with session_scope(store_db) as s:
        assert store.list_photos(s, user_id=b) == []
        assert store.garment_rows(s, user_id=b) == []
        assert store.counts(s, user_id=b) == {"photos": 0, "garments": 0, "items": 0}
        with pytest.raises(NotFoundError):
            store.get_photo(s, user_id=b, number=1)
        with pytest.raises(NotFoundError):
            store.get_photo_by_id(s, user_id=b, photo_id=photo.id)
        with pytest.raises(NotFoundError):
            store.update_garment(s, user_id=b, garment_id=garment.id or 0, name="stolen")
        with pytest.raises(NotFoundError):
            store.delete_garment(s, user_id=b, garment_id=garment.id or 0)
        with pytest.raises(NotFoundError):
            store.add_garment(s, user_id=b, draft=draft(), photo_id=photo.id)
    with session_scope(store_db) as s:
        assert store.get_garment(s, user_id=a, garment_id=garment.id or 0).name == "Red top"


def test_analysis_replaces_garments_and_deletion_cascades(store_db: Engine) -> None:
    a = create_user(store_db, "alice")
    with session_scope(store_db) as s:
        photo = store.add_photo(s, user_id=a, content_hash="p")
        pid = photo.id or 0
        store.record_analysis(s, user_id=a, photo_id=pid, garments=[draft(), draft("Jeans", "bottom")],
                              analyzer="offline")
        store.record_analysis(s, user_id=a, photo_id=pid, garments=[draft("Coat", "outerwear")],
                              analyzer="mistral")
        rows = store.garment_rows(s, user_id=a)
        assert [(r["name"], r["photo_number"], r["source"]) for r in rows] == [("Coat", 1, "mistral")]
        store.add_garment(s, user_id=a, draft=draft("Scarf", "accessory"))
    with session_scope(store_db) as s:
        store.delete_photo(s, user_id=a, number=1)
    with session_scope(store_db) as s:
        assert [r["name"] for r in store.garment_rows(s, user_id=a)] == ["Scarf"]
        assert store.garment_rows(s, user_id=a)[0]["photo_number"] is None


def test_failure_keeps_the_photo_with_its_error(store_db: Engine) -> None:
    a = create_user(store_db, "alice")
    with session_scope(store_db) as s:
        pid = store.add_photo(s, user_id=a, content_hash="p").id or 0
        photo = store.record_failure(s, user_id=a, photo_id=pid, analyzer="mistral", error="HTTP 500")
        assert (photo.status, photo.error) == ("failed", "HTTP 500")
    with session_scope(store_db) as s:
        assert store.get_photo(s, user_id=a, number=1).status == "failed"


def test_profile_round_trip(store_db: Engine) -> None:
    a = create_user(store_db, "alice")
    with session_scope(store_db) as s:
        assert store.get_profile(s, user_id=a).budget is None
        store.save_profile(s, user_id=a, gender="woman", favourite_color="olive", height_cm=170,
                           weight_kg=60, style_notes="minimal", budget=120)
    with session_scope(store_db) as s:
        p = store.get_profile(s, user_id=a)
        assert (p.favourite_color, p.height_cm, p.budget) == ("olive", 170.0, 120.0)


def test_accounts(store_db: Engine) -> None:
    with session_scope(store_db) as s:
        user = auth.sign_up(s, username="Alice", password="correct horse battery")
        assert user.username == "alice" and user.password_hash and user.password_hash.startswith("$argon2id$")
    with session_scope(store_db) as s:
        assert auth.sign_in(s, username="ALICE", password="correct horse battery").id == user.id
        with pytest.raises(AuthError, match="Wrong username or password"):
            auth.sign_in(s, username="alice", password="wrong password!")
        with pytest.raises(AuthError, match="Wrong username or password"):
            auth.sign_in(s, username="nobody", password="whatever123")
        with pytest.raises(AuthError, match="taken"):
            auth.sign_up(s, username="alice", password="another good one")
        with pytest.raises(AuthError, match="at least 8"):
            auth.sign_up(s, username="carol", password="short")
        with pytest.raises(AuthError, match="most common"):
            auth.sign_up(s, username="carol", password="password123")
        with pytest.raises(AuthError, match="username"):
            auth.sign_up(s, username="carol", password="carol-is-great")
        with pytest.raises(AuthError, match="3 to 32"):
            auth.sign_up(s, username="x!", password="good password")


def test_oidc_user_is_created_once(store_db: Engine) -> None:
    with session_scope(store_db) as s:
        first = auth.oidc_user(s, subject="sub-1", email="ada@example.org", name="Ada")
        again = auth.oidc_user(s, subject="sub-1", email="ada@example.org", name="Ada")
        other = auth.oidc_user(s, subject="sub-2", email="ada@elsewhere.org", name="Ada B")
        assert first.id == again.id and first.username == "ada" and other.username == "ada2"


def test_concurrent_numbering_never_repeats(store_db: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    a = create_user(store_db, "alice")

    def add(i: int) -> int:
        with session_scope(store_db) as s:
            return store.add_photo(s, user_id=a, content_hash=f"c{i}").number

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(add, range(12)))
    assert sorted(numbers) == list(range(1, 13))
