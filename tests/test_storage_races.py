"""File races (issue 13 item 6) on SQLite and on a real PostgreSQL: delete vs re-upload, failed inserts,
concurrent duplicate uploads. The product's own locking (relookx.storage.refs) runs against both."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from relookx import photos, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import DuplicatePhotoError, NotFoundError
from relookx.models import Photo
from relookx.storage import LocalStorage, ObjectRef
from tests.conftest import create_user
from tests.imagegen import make_outfit_photo, to_bytes


class PausingStorage(LocalStorage):
    """The local backend, paused inside its first delete until the test lets it go on."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.deleting, self.proceed = threading.Event(), threading.Event()

    def delete_object(self, name: str) -> None:
        """Signal, wait for the test, then delete."""
        if not self.deleting.is_set():
            self.deleting.set()
            assert self.proceed.wait(10)
        super().delete_object(name)


def test_a_reupload_during_a_delete_keeps_its_file(store_db: Engine, tmp_path: Path) -> None:
    """Alice deletes the last row of a content while Bob uploads the same content: Bob's photo keeps its file."""
    settings = Settings(data_dir=tmp_path / "data")
    storage = PausingStorage(settings.data_dir)
    alice, bob = create_user(store_db, "alice"), create_user(store_db, "bob")
    data = to_bytes(make_outfit_photo())
    key = photos.add_upload(store_db, storage, settings, user_id=alice, data=data, filename="a.jpg").content_hash
    with ThreadPoolExecutor(max_workers=2) as pool:
        deleting = pool.submit(photos.delete, store_db, storage, user_id=alice, number=1)
        assert storage.deleting.wait(10)  # alice's delete checked the references and is removing the file
        uploading = pool.submit(photos.add_upload, store_db, storage, settings, user_id=bob, data=data,
                                filename="b.jpg")
        with pytest.raises(TimeoutError):
            uploading.result(timeout=0.5)  # bob waits for the object's lock instead of racing the delete
        storage.proceed.set()
        deleting.result(timeout=10)
        bob_photo = uploading.result(timeout=10)
    assert bob_photo.content_hash == key
    assert storage.exists(key) and storage.has(ObjectRef("thumb", key))
    assert storage.read(key)[:3] == b"\xff\xd8\xff"


def test_a_failed_insert_leaves_no_orphan(store_db: Engine, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    storage = LocalStorage(settings.data_dir)
    with pytest.raises(NotFoundError, match="No user with id 4242"):
        photos.add_upload(store_db, storage, settings, user_id=4242, data=to_bytes(make_outfit_photo()),
                          filename="a.jpg")
    assert list(storage.objects("photo")) == [] and list(storage.objects("thumb")) == []


def test_concurrent_duplicate_uploads_say_duplicate(
    store_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four tabs send the same photo at once: one is stored, the others are told it is a duplicate."""
    settings = Settings(data_dir=tmp_path / "data")
    storage = LocalStorage(settings.data_dir)
    alice = create_user(store_db, "alice")
    data = to_bytes(make_outfit_photo(size=(160, 240)))
    # All four pass the early duplicate check before any has stored anything, as in a real race.
    barrier = threading.Barrier(4)
    real_duplicate = photos._duplicate
    seen: set[int] = set()

    def racing_check(engine: Engine, **kwargs: object) -> DuplicatePhotoError | None:
        me = threading.get_ident()
        if me not in seen:
            seen.add(me)
            barrier.wait(10)
            return None
        return real_duplicate(engine, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(photos, "_duplicate", racing_check)

    def upload(_: int) -> Photo | DuplicatePhotoError:
        try:
            return photos.add_upload(store_db, storage, settings, user_id=alice, data=data, filename="same.jpg")
        except DuplicatePhotoError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(upload, range(4)))
    stored = [r for r in results if isinstance(r, Photo)]
    duplicates = [r for r in results if isinstance(r, DuplicatePhotoError)]
    assert len(stored) == 1 and len(duplicates) == 3, results
    assert all("already in your wardrobe as image 1" in str(d) for d in duplicates)
    with session_scope(store_db) as session:
        assert store.photo_numbers(session, user_id=alice) == [1]
    assert storage.exists(stored[0].content_hash)


def test_two_analyses_of_one_user_at_once_make_one_item_per_piece(store_db: Engine, tmp_path: Path) -> None:
    """Two photos of the same boots analysed at the same moment (the worker pool, or two replicas): one item."""
    from relookx import items, wardrobe
    from relookx.vision.base import GarmentDraft

    alice = create_user(store_db, "alice")
    with session_scope(store_db) as s:
        wardrobe.add_by_hand(s, user_id=alice, name="Red top", category="top", color="red")
        ids = [store.add_photo(s, user_id=alice, content_hash=f"{n:064x}", filename=f"{n}.jpg", width=10,
                               height=10, size_bytes=1).id or 0 for n in (1, 2)]
    boots = GarmentDraft(name="Black leather boots", category="footwear", color_name="black", color_hex="#1b1b1b",
                         material="leather", crop_key="k" * 64)
    inside, proceed = threading.Event(), threading.Event()

    def crops(key: str) -> None:  # the matcher reads the garment crops after it has read the items
        if not inside.is_set():
            inside.set()
            assert proceed.wait(10)

    def analyse(photo_id: int) -> None:
        with session_scope(store_db) as s:
            store.record_analysis(s, user_id=alice, photo_id=photo_id, garments=[boots], analyzer="mistral",
                                  crops=crops)

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(analyse, ids[0])
        assert inside.wait(10)  # the first analysis has read alice's items and waits inside the matcher
        second = pool.submit(analyse, ids[1])
        done, _ = wait([second], timeout=1.0)
        proceed.set()
        first.result(timeout=20)
        second.result(timeout=20)
    with session_scope(store_db) as s:
        rows = items.item_rows(s, user_id=alice)
    assert sorted(r["name"] for r in rows) == ["Black leather boots", "Red top"]
    assert [r["photo_numbers"] for r in rows if r["category"] == "footwear"] == [[1, 2]]
    assert not done  # the second waited for the first instead of matching against a stale wardrobe
