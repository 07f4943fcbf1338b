"""The photo workflow: upload, analysis (offline, no person, failing), crops, deletion and shared files."""

from __future__ import annotations

import pytest
from PIL import Image, ImageStat
from sqlalchemy.engine import Engine

from relookx import photos, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import AnalysisError, DuplicatePhotoError
from relookx.fashion.colors import delta_e, rgb_to_hex
from relookx.vision.base import AnalysisResult, GarmentDraft
from relookx.vision.offline import OfflineAnalyzer
from tests.imagegen import make_outfit_photo, to_bytes
from tests.realphotos import busy_background, grace, outfit_photo


class BrokenAnalyzer:
    """Fails like a remote model that keeps answering 500."""

    name = "mistral"

    def analyze(self, image: Image.Image) -> AnalysisResult:
        raise AnalysisError("Mistral is unavailable (HTTP 500).")


def test_upload_then_offline_analysis_stores_garments_with_crops(
    engine: Engine, settings: Settings, alice: int
) -> None:
    storage = photos.storage_for(settings)
    photo = photos.add_upload(engine, storage, settings, user_id=alice, data=to_bytes(grace()), filename="look.jpg")
    assert (photo.number, photo.status) == (1, "pending")
    assert storage.photo_path(photo.content_hash).exists() and storage.thumb_path(photo.content_hash).exists()
    done = photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=photo.id or 0)
    assert (done.status, done.analyzer, done.error) == ("done", "offline", "")
    assert "No legs are visible" in done.note
    with session_scope(engine) as s:
        found = store.list_garments(s, user_id=alice)
    assert {"top", "outerwear"} <= {g.category for g in found}
    for garment in found:  # every garment keeps the crop of its region, a small JPEG
        with Image.open(storage.crop_path(garment.crop_key)) as crop:
            assert crop.format == "JPEG" and max(crop.size) <= 256
    jacket = next(g for g in found if g.category == "outerwear")
    with Image.open(storage.crop_path(jacket.crop_key)) as crop:
        assert delta_e(rgb_to_hex(ImageStat.Stat(crop.convert("RGB")).median), "#10101a") < 20  # mostly navy


def test_no_person_is_its_own_status_and_keeps_hand_added_garments(
    engine: Engine, settings: Settings, alice: int
) -> None:
    storage = photos.storage_for(settings)
    photo = photos.add_upload(engine, storage, settings, user_id=alice, data=to_bytes(busy_background((640, 480))),
                              filename="street.jpg")
    done = photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=photo.id or 0)
    assert (done.status, done.error) == ("no_person", "")
    assert "No person was found" in done.note
    with session_scope(engine) as s:
        store.add_garment(s, user_id=alice, photo_id=photo.id, draft=GarmentDraft(
            name="Red scarf", category="accessory", color_name="red", color_hex="#c0392b"))
    again = photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=photo.id or 0)
    with session_scope(engine) as s:
        assert again.status == "no_person"
        assert [g.name for g in store.list_garments(s, user_id=alice)] == ["Red scarf"]


def test_deleting_the_photo_deletes_its_crops(engine: Engine, settings: Settings, alice: int) -> None:
    storage = photos.storage_for(settings)
    photo = photos.add_upload(engine, storage, settings, user_id=alice, data=to_bytes(grace()), filename="g.jpg")
    photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=photo.id or 0)
    assert list((settings.data_dir / "crops").rglob("*.jpg"))
    photos.delete(engine, storage, user_id=alice, number=photo.number)
    assert not list((settings.data_dir / "crops").rglob("*.jpg"))


def test_failed_analysis_keeps_the_photo(engine: Engine, settings: Settings, alice: int) -> None:
    storage = photos.storage_for(settings)
    outcomes = photos.add_and_analyze_batch(
        engine, storage, settings, BrokenAnalyzer(), user_id=alice,
        files=[("a.jpg", to_bytes(outfit_photo())), ("b.txt", b"hello")],
    )
    assert outcomes[0].photo is not None and outcomes[0].photo.status == "failed"
    assert outcomes[0].photo.error == "Mistral is unavailable (HTTP 500)."
    assert outcomes[1].photo is None and "not an image" in outcomes[1].error
    with session_scope(engine) as s:
        assert store.photo_numbers(s, user_id=alice) == [1]
    again = photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=outcomes[0].photo.id or 0)
    assert again.status == "done" and again.error == ""
    assert outcomes[0].photo.note == ""


def test_duplicate_stores_nothing_new(engine: Engine, settings: Settings, alice: int) -> None:
    storage = photos.storage_for(settings)
    data = to_bytes(make_outfit_photo())
    photos.add_upload(engine, storage, settings, user_id=alice, data=data, filename="a.jpg")
    files_before = sorted(p for p in settings.data_dir.rglob("*.jpg"))
    with pytest.raises(DuplicatePhotoError, match="already in your wardrobe as image 1"):
        photos.add_upload(engine, storage, settings, user_id=alice, data=data, filename="copy.jpg")
    assert sorted(p for p in settings.data_dir.rglob("*.jpg")) == files_before
    with session_scope(engine) as s:
        assert store.photo_numbers(s, user_id=alice) == [1]


def test_shared_file_survives_until_last_owner_deletes(
    engine: Engine, settings: Settings, alice: int, bob: int
) -> None:
    storage = photos.storage_for(settings)
    data = to_bytes(make_outfit_photo())
    a = photos.add_upload(engine, storage, settings, user_id=alice, data=data, filename="a.jpg")
    photos.add_upload(engine, storage, settings, user_id=bob, data=data, filename="b.jpg")
    photos.delete(engine, storage, user_id=alice, number=1)
    assert storage.exists(a.content_hash)
    photos.delete(engine, storage, user_id=bob, number=1)
    assert not storage.exists(a.content_hash)


def test_missing_file_fails_clearly(engine: Engine, settings: Settings, alice: int) -> None:
    storage = photos.storage_for(settings)
    p = photos.add_upload(engine, storage, settings, user_id=alice, data=to_bytes(make_outfit_photo()),
                          filename="a.jpg")
    storage.delete(p.content_hash)
    failed = photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=p.id or 0)
    assert failed.status == "failed" and "upload it again" in failed.error


def test_concurrent_uploads_get_distinct_numbers(engine: Engine, settings: Settings, alice: int) -> None:
    """Several uploads at once (e.g. two browser tabs) never share or skip a number."""
    from concurrent.futures import ThreadPoolExecutor

    storage = photos.storage_for(settings)
    images = [to_bytes(make_outfit_photo(top=f"#{i * 30:02x}2040", size=(120, 180))) for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        added = list(pool.map(lambda data: photos.add_upload(
            engine, storage, settings, user_id=alice, data=data, filename="x.jpg"), images))
    assert sorted(p.number for p in added) == list(range(1, 9))
