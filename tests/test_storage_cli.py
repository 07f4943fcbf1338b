"""`python -m relookx storage check|migrate|gc`, on the data dir and on moto's S3 server."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from relookx.config import load_settings
from relookx.storage import KINDS, LocalStorage, ObjectRef, make_storage
from relookx.storage.base import sha256
from tests.s3_server import ANY_KEY, REGION, S3Server, start_s3_server
from tests.test_cli import Cli, data_dir, error_line, photos, run  # noqa: F401 - fixtures

S3_ENV = ("RELOOKX_S3_BUCKET", "RELOOKX_S3_ENDPOINT_URL", "RELOOKX_S3_REGION", "RELOOKX_S3_ACCESS_KEY_ID",
          "RELOOKX_S3_SECRET_ACCESS_KEY", "RELOOKX_S3_TIMEOUT_S")


def use_bucket(monkeypatch: pytest.MonkeyPatch, server: S3Server, bucket: str) -> None:
    """Point the CLI's settings at a bucket of the test server."""
    for key, value in zip(S3_ENV, (bucket, server.endpoint, REGION, *ANY_KEY, "3"), strict=True):
        monkeypatch.setenv(key, value)


def test_check_on_the_data_dir_and_on_a_bucket(run: Cli, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                               s3_server: S3Server) -> None:
    out = run.ok("storage", "check")
    assert "ok: local data folder" in out and "ok: it reads back identical" in out and "ok: it was deleted" in out
    use_bucket(monkeypatch, s3_server, bucket := s3_server.make_bucket())
    out = run.ok("storage", "check")
    assert f"ok: S3 bucket {bucket} at {s3_server.endpoint} answers; 0 photo(s) stored" in out
    assert s3_server.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0  # nothing left behind
    monkeypatch.setenv("RELOOKX_S3_BUCKET", "missing-bucket")
    code, _out, err = run("storage", "check")
    assert code == 1 and "bucket 'missing-bucket'" in error_line(err) and "does not exist" in err


def test_check_reports_an_outage(run: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # noqa: F811
    server = start_s3_server(tmp_path)
    bucket = server.make_bucket()
    server.stop()
    use_bucket(monkeypatch, server, bucket)
    code, _out, err = run("storage", "check")
    assert code == 1 and "cannot be reached" in error_line(err)


def test_migrate_to_s3_verifies_resumes_and_the_app_reads_the_bucket(
    run: Cli, data_dir: Path, photos: list[Path], monkeypatch: pytest.MonkeyPatch, s3_server: S3Server,  # noqa: F811
) -> None:
    run.add_user("alice")
    run.ok("photos", "add", "--user", "alice", "--analyzer", "offline", *map(str, photos))
    run.ok("preview", "--user", "alice", "--photo", "1", "--piece", "red beanie", "--out",
           str(data_dir.parent / "p.png"))
    local = LocalStorage(data_dir)
    names = sorted(ref.name for kind in KINDS for ref, _ in local.objects(kind))
    assert sum(n.startswith(("photos/", "thumbs/", "previews/")) for n in names) == 5  # and the garment crops
    total = len(names)
    use_bucket(monkeypatch, s3_server, bucket := s3_server.make_bucket())
    out = run.ok("storage", "migrate", "--to", "s3")
    assert f"{total} copied and verified, 0 already there, 0 failed" in out
    client = s3_server.client()
    assert sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]) == names
    assert f"0 copied and verified, {total} already there" in run.ok("storage", "migrate", "--to", "s3")
    # Interrupted half-way: two objects never arrived, one arrived damaged.
    client.delete_object(Bucket=bucket, Key=names[0])
    client.delete_object(Bucket=bucket, Key=names[1])
    client.put_object(Bucket=bucket, Key=names[2], Body=b"truncated", Metadata={"sha256": sha256(b"truncated")})
    assert f"3 copied and verified, {total - 3} already there, 0 failed" in run.ok("storage", "migrate", "--to", "s3")
    for name in names:
        assert client.get_object(Bucket=bucket, Key=name)["Body"].read() == (data_dir / name).read_bytes()
    # The app now reads the bucket, even with the data dir's files gone.
    for kind in ("photos", "thumbs", "previews", "crops"):
        for path in (data_dir / kind).rglob("*"):
            if path.is_file():
                path.unlink()
    storage = make_storage(load_settings({}, dict(os.environ)))
    first = next(n for n in names if n.startswith("thumbs/"))
    ref = ObjectRef("thumb", first.split("/")[2].split(".")[0])
    assert storage.backend == "s3" and storage.get(ref)[:3] == b"\xff\xd8\xff"
    assert "2 photo(s) stored" in run.ok("storage", "check")
    run.ok("wardrobe", "list", "--user", "alice")


def test_gc_deletes_old_orphans_only(run: Cli, data_dir: Path, photos: list[Path]) -> None:  # noqa: F811
    run.add_user("alice")
    run.ok("photos", "add", "--user", "alice", "--analyzer", "offline", str(photos[0]))
    local = LocalStorage(data_dir)
    referenced = {ref.name for kind in KINDS for ref, _ in local.objects(kind)}
    old, old_crop = ObjectRef("photo", sha256(b"old orphan")), ObjectRef("crop", sha256(b"crop"))
    fresh = ObjectRef("preview", sha256(b"young orphan"), "png")
    for ref in (old, old_crop, fresh):
        local.put(ref, b"orphan bytes")
    two_hours_ago = time.time() - 7200
    for ref in (old, old_crop):
        os.utime(local.path(ref), (two_hours_ago, two_hours_ago))
    out = run.ok("storage", "gc", "--dry-run")
    assert f"orphan: {old.name}" in out and f"orphan: {old_crop.name}" in out and "would delete 2" in out
    assert local.has(old)
    out = run.ok("storage", "gc")
    assert f"deleted: {old.name}" in out and f"deleted: {old_crop.name}" in out
    assert "1 unreferenced newer than 60 min left alone" in out and "Not collected" not in out
    assert not local.has(old) and not local.has(old_crop) and local.has(fresh)
    assert {ref.name for kind in KINDS for ref, _ in local.objects(kind)} == referenced | {fresh.name}
    out = run.ok("storage", "gc", "--min-age-minutes", "0")
    assert f"deleted: {fresh.name}" in out
