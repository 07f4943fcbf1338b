"""Object storage for photos, thumbnails, garment crops and previews: the local data dir or an S3 bucket."""

from __future__ import annotations

from relookx.config import Settings
from relookx.storage.base import KINDS, PREVIEW_FORMATS, Kind, ObjectInfo, ObjectRef, Storage, object_name
from relookx.storage.local import LocalStorage

__all__ = ["KINDS", "PREVIEW_FORMATS", "Kind", "LocalStorage", "ObjectInfo", "ObjectRef", "Storage", "make_storage",
           "object_name", "s3_storage"]


def s3_storage(settings: Settings) -> Storage:
    """The configured bucket (RELOOKX_S3_BUCKET must be set)."""
    from relookx.errors import ConfigError
    from relookx.storage.s3 import S3Storage

    if not settings.s3_bucket:
        raise ConfigError("No bucket is configured: set RELOOKX_S3_BUCKET (and RELOOKX_S3_ENDPOINT_URL for a "
                          "service other than AWS).")
    return S3Storage(
        settings.s3_bucket, prefix=settings.s3_prefix, endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region, access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key, timeout_s=settings.s3_timeout_s,
    )


def make_storage(settings: Settings) -> Storage:
    """The configured storage: the bucket when RELOOKX_S3_BUCKET is set, else the local data dir."""
    if settings.s3_bucket:
        return s3_storage(settings)
    return LocalStorage(settings.data_dir)


def storage_label(settings: Settings, *, admin: bool = False) -> str:
    """Which storage holds the photos, in words (never a key; bucket and endpoint for admins only)."""
    if settings.s3_bucket and not admin:
        return "an S3-compatible bucket (kept across restarts and shared by replicas)"
    if settings.s3_bucket:
        from relookx.storage.s3 import bare_url

        # Code, not a link; never a user:password part.
        where = f" at `{bare_url(settings.s3_endpoint_url)}`" if settings.s3_endpoint_url else ""
        prefix = f" under {settings.s3_prefix.strip('/')}/" if settings.s3_prefix.strip("/") else ""
        return f"S3 bucket {settings.s3_bucket}{prefix}{where}"
    return ("local data folder (not kept across redeploys on Community Cloud: set RELOOKX_S3_BUCKET "
            "for a bucket)")
