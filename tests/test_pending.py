"""Interrupted work: pending photos (claims, resume, "Analyse now")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from relookx import pending, photos, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.models import utcnow
from relookx.vision.offline import OfflineAnalyzer
from tests.apphelpers import make_app
from tests.conftest import create_user
from tests.imagegen import make_outfit_photo, to_bytes

LEASE = timedelta(seconds=60)


def three_photos() -> list[tuple[str, bytes]]:
    return [(f"{i}.jpg", to_bytes(make_outfit_photo(top=f"#{i * 60:02x}3050", size=(120, 180)))) for i in range(3)]


def test_a_batch_stores_every_file_before_analysing(engine: Engine, settings: Settings, alice: int) -> None:
    storage = photos.storage_for(settings)
    outcomes = pending.store_all(engine, storage, settings, user_id=alice,
                                 files=[*three_photos(), ("notes.txt", b"hello")])
    assert [o.photo.number if o.photo else o.error[:20] for o in outcomes][:3] == [1, 2, 3]
    assert "not an image" in outcomes[3].error
    assert [p.number for p in pending.pending(engine, user_id=alice)] == [1, 2, 3]
    assert all(storage.exists(o.photo.content_hash) for o in outcomes[:3] if o.photo)


def test_claims_keep_two_runs_apart_and_expire(engine: Engine, settings: Settings, alice: int) -> None:
    storage = photos.storage_for(settings)
    [first, second, _third] = [o.photo for o in pending.store_all(engine, storage, settings, user_id=alice,
                                                                  files=three_photos())]
    assert first and second
    assert pending.claim(engine, user_id=alice, photo_id=first.id or 0, lease=LEASE)
    assert not pending.claim(engine, user_id=alice, photo_id=first.id or 0, lease=LEASE)  # another run has it
    assert not pending.claim(engine, user_id=999, photo_id=second.id or 0, lease=LEASE)  # not theirs
    assert [p.number for p in pending.resumable(engine, settings, user_id=alice)] == [2, 3]
    later = utcnow() + timedelta(minutes=2)  # the run that claimed it stopped: its claim expired
    assert [p.number for p in pending.resumable(engine, settings, user_id=alice, now=later)] == [1, 2, 3]
    assert pending.claim(engine, user_id=alice, photo_id=first.id or 0, lease=LEASE, now=later)
    done = pending.analyze_claimed(engine, storage, OfflineAnalyzer(), settings, user_id=alice,
                                   photo_id=second.id or 0)
    assert done is not None and done.status == "done" and done.claimed_at is None
    forced = pending.analyze_claimed(engine, storage, OfflineAnalyzer(), settings, user_id=alice,
                                     photo_id=first.id or 0, force=True)  # "Analyse now"
    assert forced is not None and forced.status == "done"
    assert [p.number for p in pending.pending(engine, user_id=alice)] == [3]


def test_images_resumes_pending_photos_and_offers_analyse_now(data_dir: Path, db: Engine) -> None:
    settings = Settings(data_dir=data_dir)
    uid = create_user(db, "alice")
    storage = photos.storage_for(settings)
    [left, busy, _] = [o.photo for o in pending.store_all(db, storage, settings, user_id=uid, files=three_photos())]
    assert left and busy
    pending.claim(db, user_id=uid, photo_id=busy.id or 0, lease=LEASE)  # being analysed "elsewhere" right now
    at = make_app(data_dir, user_id=uid).run()
    at.switch_page("pages/images.py").run()
    assert not at.exception, at.exception
    assert "Resumed 2 photo(s) left pending" in [s.label for s in at.status]
    with session_scope(db) as session:
        statuses = {p.number: p.status for p in store.list_photos(session, user_id=uid)}
    assert statuses == {1: "done", 2: "pending", 3: "done"}
    assert at.button(key="analyze_2").label == "Analyse now" and at.button(key="analyze_1").label == "Re-analyse"
    at.button(key="analyze_2").click().run()
    assert not at.exception, at.exception
    with session_scope(db) as session:
        assert store.get_photo(session, user_id=uid, number=2).status == "done"
