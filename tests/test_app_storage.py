"""AppTest: the app on an S3 bucket (moto): Home names the storage, an outage refuses uploads clearly."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from relookx.config import Settings
from tests.apphelpers import make_app, texts
from tests.conftest import create_user
from tests.imagegen import make_outfit_photo, to_bytes
from tests.s3_server import ANY_KEY, REGION, S3Server, start_s3_server


def bucket_secrets(server: S3Server, bucket: str) -> dict[str, object]:
    """The app's secrets for a bucket of the test server."""
    return {"RELOOKX_S3_BUCKET": bucket, "RELOOKX_S3_ENDPOINT_URL": server.endpoint, "RELOOKX_S3_REGION": REGION,
            "RELOOKX_S3_ACCESS_KEY_ID": ANY_KEY[0], "RELOOKX_S3_SECRET_ACCESS_KEY": "very-secret-key",
            "RELOOKX_S3_TIMEOUT_S": 2}


def upload(at, *files: tuple[str, bytes, str]):  # noqa: ANN001, ANN201
    at.file_uploader(key="upload_files").set_value(list(files))
    return at.button(key="upload_submit").click().run()


def test_home_names_the_bucket_never_the_key(data_dir: Path, db: Engine, s3_server: S3Server) -> None:
    uid = create_user(db, "alice")
    bucket = s3_server.make_bucket()
    at = make_app(data_dir, user_id=uid, **bucket_secrets(s3_server, bucket)).run()
    assert not at.exception, at.exception
    shown = texts(at)  # alice is no administrator: no bucket name, no endpoint
    assert "Photo storage:** an S3-compatible bucket" in shown and bucket not in shown
    at = make_app(data_dir, user_id=uid, RELOOKX_ADMINS="alice", **bucket_secrets(s3_server, bucket)).run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert f"Photo storage:** S3 bucket {bucket} at `{s3_server.endpoint}`" in shown
    assert "very-secret-key" not in shown and ANY_KEY[0] not in shown.replace(bucket, "")
    at = make_app(data_dir, user_id=uid).run()
    assert "Photo storage:** local data folder" in texts(at)


def test_an_outage_refuses_the_upload_and_keeps_the_gallery(data_dir: Path, db: Engine, tmp_path: Path) -> None:
    uid = create_user(db, "alice")
    server = start_s3_server(tmp_path)
    secrets = bucket_secrets(server, server.make_bucket())
    try:
        at = make_app(data_dir, user_id=uid, **secrets).run()
        at.switch_page("pages/images.py").run()
        upload(at, ("first.jpg", to_bytes(make_outfit_photo()), "image/jpeg"))
        assert not at.exception, at.exception
        assert "Your photos (1)" in texts(at)
    finally:
        server.stop()
    st.cache_data.clear()  # thumbnails already seen stay cached (content-addressed): drop them to see the outage
    at = make_app(data_dir, user_id=uid, **secrets).run()
    at.switch_page("pages/images.py").run()
    upload(at, ("second.jpg", to_bytes(make_outfit_photo(top="#123456")), "image/jpeg"))
    assert not at.exception, at.exception
    labels = [s.label for s in at.status]
    assert any("second.jpg was not stored: The object storage" in label and "cannot be reached" in label
               for label in labels), labels
    shown = texts(at)
    assert "Your photos (1)" in shown and "The image cannot be loaded right now" in shown  # still browsable
    assert Settings(data_dir=data_dir).data_dir.joinpath("photos").exists() is False
