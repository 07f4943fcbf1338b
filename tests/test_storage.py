"""The storage interface on both backends: the local data dir and a real S3-protocol server (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from relookx import photos, store
from relookx.config import Settings, with_overrides
from relookx.db import session_scope
from relookx.errors import NotFoundError, StorageError, UploadError
from relookx.storage import KINDS, LocalStorage, ObjectRef, Storage, make_storage, object_name
from relookx.storage.base import parse_name, sha256
from relookx.storage.s3 import S3Storage
from tests.imagegen import make_outfit_photo, to_bytes
from tests.s3_server import ANY_KEY, REGION, AuthS3, S3Server, start_s3_server


def s3_settings(settings: Settings, server: S3Server, bucket: str, key: tuple[str, str] = ANY_KEY,
                **more: object) -> Settings:
    """Settings that put the objects in `bucket` on the test server."""
    return with_overrides(settings, s3_bucket=bucket, s3_endpoint_url=server.endpoint, s3_region=REGION,
                          s3_access_key_id=key[0], s3_secret_access_key=key[1], s3_timeout_s=3.0, **more)


@pytest.fixture(params=["local", "s3"])
def any_storage(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Storage]:
    """Each backend in turn, through make_storage as the app builds it."""
    if request.param == "local":
        yield make_storage(settings)
        return
    server: S3Server = request.getfixturevalue("s3_server")
    yield make_storage(s3_settings(settings, server, server.make_bucket(), s3_prefix="team/relookx"))


def test_put_get_has_delete_on_both_backends(any_storage: Storage) -> None:
    data = b"\xff\xd8\xff" + b"x" * 5000
    ref = ObjectRef("crop", sha256(data))
    assert not any_storage.has(ref)
    assert any_storage.put_new(ref, data) is True
    assert any_storage.put_new(ref, data) is False  # content-addressed: stored once
    assert any_storage.get(ref) == data and any_storage.has(ref)
    assert [(r, i.size) for r, i in any_storage.objects("crop")] == [(ref, len(data))]
    assert list(any_storage.objects("photo")) == []
    preview = any_storage.save_preview(b"\x89PNG fake", "png")
    assert any_storage.read_preview(preview, "png") == b"\x89PNG fake"
    any_storage.remove(ref)
    any_storage.remove(ref)  # removing twice is fine
    assert not any_storage.has(ref)
    with pytest.raises(NotFoundError, match="garment crop file .* is missing"):
        any_storage.get(ref)


def test_names_are_the_same_on_both_backends(settings: Settings, s3_server: S3Server) -> None:
    key = "ab" + "0" * 62
    assert object_name("photo", key) == f"photos/ab/{key}.jpg"
    assert object_name("preview", key, "webp") == f"previews/ab/{key}.webp"
    assert parse_name(f"thumbs/ab/{key}.jpg") == ObjectRef("thumb", key, "jpg")
    assert parse_name(f"thumbs/ab/.tmp-{key}") is None and parse_name("relookx.db") is None
    for bad in ("../../etc/passwd", "", "ABC", "g" * 64):
        with pytest.raises(ValueError):
            object_name("photo", bad)
    with pytest.raises(ValueError):
        object_name("preview", key, "gif")
    assert set(KINDS) == {"photo", "thumb", "crop", "preview"}
    bucket = s3_server.make_bucket()
    storage = make_storage(s3_settings(settings, s3_server, bucket, s3_prefix="/p/"))
    storage.put(ObjectRef("photo", key), b"jpeg")
    listed = [o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == [f"p/photos/ab/{key}.jpg"]
    head = s3_server.client().head_object(Bucket=bucket, Key=listed[0])
    assert head["ContentType"] == "image/jpeg" and head["Metadata"]["sha256"] == sha256(b"jpeg")


def test_photos_on_s3_are_shared_between_users_until_the_last_delete(
    engine: Engine, settings: Settings, alice: int, bob: int, s3_server: S3Server
) -> None:
    s3 = s3_settings(settings, s3_server, s3_server.make_bucket())
    storage = photos.storage_for(s3)
    assert isinstance(storage, S3Storage)
    data = to_bytes(make_outfit_photo())
    a = photos.add_upload(engine, storage, s3, user_id=alice, data=data, filename="a.jpg")
    photos.add_upload(engine, storage, s3, user_id=bob, data=data, filename="b.jpg")
    assert [r.kind for r, _ in storage.objects("photo")] == ["photo"]  # one object for both
    assert storage.read_thumb(a.content_hash)[:3] == b"\xff\xd8\xff"
    photos.delete(engine, storage, user_id=alice, number=1)
    assert storage.exists(a.content_hash)
    photos.delete(engine, storage, user_id=bob, number=1)
    assert not storage.exists(a.content_hash) and not storage.has(ObjectRef("thumb", a.content_hash))
    assert not (settings.data_dir / "photos").exists()  # nothing on the local disk


def _stored_nothing(engine: Engine, user_id: int) -> None:
    with session_scope(engine) as session:
        assert store.list_photos(session, user_id=user_id) == []


def test_bad_credentials_are_refused_with_a_clear_message(
    engine: Engine, settings: Settings, alice: int, s3_auth_server: AuthS3
) -> None:
    s3 = s3_settings(settings, s3_auth_server.server, s3_auth_server.bucket, ("AKIAUNKNOWN000000000", "nope"))
    with pytest.raises(UploadError, match="refused the credentials .*RELOOKX_S3_ACCESS_KEY_ID"):
        photos.add_upload(engine, photos.storage_for(s3), s3, user_id=alice, data=to_bytes(make_outfit_photo()),
                          filename="a.jpg")
    _stored_nothing(engine, alice)


def test_a_missing_bucket_is_named(settings: Settings, s3_server: S3Server) -> None:
    storage = make_storage(s3_settings(settings, s3_server, "no-such-bucket-here"))
    with pytest.raises(StorageError, match="bucket 'no-such-bucket-here' at http://127.0.0.1:.* does not exist"):
        storage.put(ObjectRef("photo", "a" * 64), b"x")


def test_access_denied_stores_nothing_and_reading_still_works(
    engine: Engine, settings: Settings, alice: int, s3_auth_server: AuthS3
) -> None:
    srv = s3_auth_server
    writer = s3_settings(settings, srv.server, srv.bucket, srv.writer)
    reader = s3_settings(settings, srv.server, srv.bucket, srv.reader)
    first = photos.add_upload(engine, photos.storage_for(writer), writer, user_id=alice,
                              data=to_bytes(make_outfit_photo()), filename="ok.jpg")
    read_only = photos.storage_for(reader)
    with pytest.raises(UploadError, match="Access denied to store .* s3:PutObject"):
        photos.add_upload(engine, read_only, reader, user_id=alice,
                          data=to_bytes(make_outfit_photo(top="#203080")), filename="denied.jpg")
    with session_scope(engine) as session:
        assert [p.number for p in store.list_photos(session, user_id=alice)] == [1]
    assert read_only.read_thumb(first.content_hash)[:3] == b"\xff\xd8\xff"  # the rest stays browsable
    with pytest.raises(StorageError, match="Access denied to delete"):
        photos.delete(engine, read_only, user_id=alice, number=1)
    with session_scope(engine) as session:  # nothing was deleted: the row came back
        assert [p.number for p in store.list_photos(session, user_id=alice)] == [1]


def test_outage_refuses_the_upload_and_keeps_the_rest(
    engine: Engine, settings: Settings, alice: int, tmp_path: Path
) -> None:
    server = start_s3_server(tmp_path)
    try:
        s3 = s3_settings(settings, server, server.make_bucket())
        storage = photos.storage_for(s3)
        photos.add_upload(engine, storage, s3, user_id=alice, data=to_bytes(make_outfit_photo()), filename="a.jpg")
    finally:
        server.stop()
    with pytest.raises(UploadError, match="b.jpg was not stored: The object storage .* cannot be reached"):
        photos.add_upload(engine, storage, s3, user_id=alice, data=to_bytes(make_outfit_photo(top="#102030")),
                          filename="b.jpg")
    with session_scope(engine) as session:
        assert [p.number for p in store.list_photos(session, user_id=alice)] == [1]
    with pytest.raises(StorageError, match="cannot be reached"):
        storage.read_thumb(storage_key(engine, alice))


def storage_key(engine: Engine, user_id: int) -> str:
    """The content key of the user's first photo."""
    with session_scope(engine) as session:
        return store.get_photo(session, user_id=user_id, number=1).content_hash


def test_local_backend_writes_atomically(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    ref = ObjectRef("photo", sha256(b"x"))
    storage.put(ref, b"x")
    assert storage.path(ref).read_bytes() == b"x" and not list(tmp_path.rglob(".tmp-*"))
    (storage.path(ref).parent / ".tmp-leftover").write_bytes(b"half")
    assert [r for r, _ in storage.objects("photo")] == [ref]  # temp files are never listed


def test_gc_on_a_bucket_keeps_referenced_objects(
    engine: Engine, settings: Settings, alice: int, s3_server: S3Server
) -> None:
    from datetime import timedelta

    from relookx.storage.refs import collect_garbage

    s3 = s3_settings(settings, s3_server, s3_server.make_bucket())
    storage = photos.storage_for(s3)
    kept = photos.add_upload(engine, storage, s3, user_id=alice, data=to_bytes(make_outfit_photo()), filename="a.jpg")
    orphan = ObjectRef("preview", sha256(b"orphan"), "webp")
    storage.put(orphan, b"orphan")
    report = collect_garbage(engine, storage, min_age=timedelta(0), dry_run=True)
    assert report.orphans == [orphan.name] and storage.has(orphan)
    report = collect_garbage(engine, storage, min_age=timedelta(0))
    assert report.deleted == [orphan.name] and report.checked == 3 and not storage.has(orphan)
    assert storage.exists(kept.content_hash) and storage.has(ObjectRef("thumb", kept.content_hash))


def test_labels_never_show_credentials() -> None:
    from relookx.storage import storage_label

    settings = Settings(s3_bucket="b", s3_endpoint_url="https://key:secret@r2.example.com:8443/x", s3_prefix="p/",
                        s3_access_key_id="AKIAXYZ", s3_secret_access_key="topsecret")
    label = storage_label(settings, admin=True)
    assert label == "S3 bucket b under p/ at `https://r2.example.com:8443/x`"
    described = S3Storage("b", endpoint_url=settings.s3_endpoint_url, access_key_id="AKIAXYZ",
                          secret_access_key="topsecret").describe()
    assert "secret" not in described and "key:" not in described and "AKIAXYZ" not in described
