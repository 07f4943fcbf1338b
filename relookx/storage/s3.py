"""The S3-compatible backend (AWS S3, Cloudflare R2, Backblaze B2, MinIO...) through boto3.

boto3 is the reference S3 client: it signs requests for every S3-compatible service, retries with
backoff and is maintained by AWS. Every call has explicit connect and read timeouts; errors become
a StorageError that says what to fix (the credentials, the bucket name, the permissions, the endpoint).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from relookx.errors import ConfigError, NotFoundError, StorageError
from relookx.storage.base import ObjectInfo, Storage

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = {"NoSuchKey", "404", "NotFound"}
_BAD_CREDENTIALS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthorizationHeaderMalformed",
                    "InvalidToken", "ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException"}
_DENIED = {"AccessDenied", "403", "AllAccessDisabled", "Forbidden"}


def bare_url(url: str) -> str:
    """A URL without any user:password part (safe to show)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host).geturl()


class S3Storage(Storage):
    """Objects in a bucket under an optional prefix."""

    backend = "s3"

    def __init__(
        self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
        access_key_id: str | None = None, secret_access_key: str | None = None, timeout_s: float = 10.0,
    ) -> None:
        import boto3  # imported on first use: it takes a while and only S3 deployments need it
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        self.endpoint_label = bare_url(endpoint_url) if endpoint_url else ""  # for messages: no userinfo
        config = Config(
            connect_timeout=timeout_s, read_timeout=timeout_s, retries={"max_attempts": 3, "mode": "standard"},
            # Path-style requests work on every S3-compatible service (and on AWS); virtual hosts need DNS.
            s3={"addressing_style": "path"} if endpoint_url else {},
            user_agent_extra="relookx",
            # boto3's default CRC32 checksum headers are refused by some S3-compatible services; every
            # PUT carries Content-MD5 instead (below), which all of them verify.
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
        )
        self.client: S3Client = boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=region or None,
            aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None, config=config,
        )

    def describe(self) -> str:
        """Bucket, prefix and endpoint (never the keys)."""
        where = f" at {self.endpoint_label}" if self.endpoint_label else ""
        prefix = f" under {self.prefix}" if self.prefix else ""
        return f"S3 bucket {self.bucket}{prefix}{where}"

    def _key(self, name: str) -> str:
        return self.prefix + name

    def _fail(self, exc: Exception, what: str) -> NoReturn:
        """Turn a botocore error into a StorageError (or NotFoundError) that says what to do."""
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectionClosedError,
            EndpointConnectionError,
            NoCredentialsError,
            ReadTimeoutError,
        )
        from botocore.exceptions import ConnectTimeoutError as BotoConnectTimeout

        bucket = f"bucket '{self.bucket}'" + (f" at {self.endpoint_label}" if self.endpoint_label else "")
        if isinstance(exc, NoCredentialsError):
            raise ConfigError(f"No credentials for the {bucket}: set RELOOKX_S3_ACCESS_KEY_ID and "
                              "RELOOKX_S3_SECRET_ACCESS_KEY in the secrets.") from None
        if isinstance(exc, EndpointConnectionError | BotoConnectTimeout | ReadTimeoutError | ConnectionClosedError):
            raise StorageError(f"The object storage ({bucket}) cannot be reached while trying to {what}: "
                               f"{exc}. Nothing was changed; try again later.") from None
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = str(error.get("Message", "")) or code
            if code in _MISSING:
                raise NotFoundError(f"Not in the {bucket}.") from None
            if code == "NoSuchBucket":
                raise StorageError(f"The {bucket} does not exist: create it, or fix RELOOKX_S3_BUCKET "
                                   "and RELOOKX_S3_ENDPOINT_URL.") from None
            if code in _BAD_CREDENTIALS:
                raise StorageError(f"The {bucket} refused the credentials ({code}): check "
                                   "RELOOKX_S3_ACCESS_KEY_ID and RELOOKX_S3_SECRET_ACCESS_KEY.") from None
            if code in _DENIED:
                raise StorageError(f"Access denied to {what} in the {bucket}: the key needs s3:GetObject, "
                                   "s3:PutObject, s3:DeleteObject and s3:ListBucket on it.") from None
            raise StorageError(f"The {bucket} answered {code} while trying to {what}: {message}") from None
        if isinstance(exc, BotoCoreError):
            raise StorageError(f"The object storage ({bucket}) failed while trying to {what}: {exc}") from None
        raise exc

    def put_object(self, name: str, data: bytes, content_type: str) -> None:
        """PUT the object with its Content-MD5 (the service refuses a body damaged on the way) and its SHA-256."""
        from botocore.exceptions import BotoCoreError, ClientError

        digest = hashlib.sha256(data).hexdigest()
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(name), Body=data, ContentType=content_type, ContentMD5=md5,
                Metadata={"sha256": digest}, CacheControl="private, max-age=31536000, immutable",
            )
        except (BotoCoreError, ClientError) as exc:
            self._fail(exc, f"store {name}")

    def get_object(self, name: str) -> bytes:
        """GET the object's bytes."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
            body: Any = answer["Body"]
            try:
                return bytes(body.read())
            finally:
                body.close()
        except (BotoCoreError, ClientError) as exc:
            self._fail(exc, f"read {name}")

    def head_object(self, name: str) -> ObjectInfo | None:
        """HEAD the object: its size and time, or None."""
        answer = self._head(name)
        return None if answer is None else ObjectInfo(name, int(answer["ContentLength"]), answer["LastModified"])

    def _head(self, name: str) -> Any:
        """The HEAD answer of the object, or None when it is missing; other failures raise StorageError."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as exc:
            try:
                self._fail(self._explained(exc, name), f"look up {name}")
            except NotFoundError:
                return None

    def _explained(self, exc: Exception, name: str) -> Exception:
        """A HEAD answer has no body, so a bare 403 cannot say why: ask again with a one-byte GET."""
        from botocore.exceptions import BotoCoreError, ClientError

        if not isinstance(exc, ClientError) or str(exc.response.get("Error", {}).get("Code")) != "403":
            return exc
        try:
            self.client.get_object(Bucket=self.bucket, Key=self._key(name), Range="bytes=0-0")["Body"].close()
        except (BotoCoreError, ClientError) as detailed:
            return detailed
        return exc

    def stored_sha256(self, name: str) -> str:
        """The SHA-256 recorded with the object when it was stored ("" when none or missing)."""
        answer = self._head(name)
        return "" if answer is None else str(answer.get("Metadata", {}).get("sha256", ""))

    def delete_object(self, name: str) -> None:
        """DELETE the object (S3 answers 204 for a missing one too)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as exc:
            self._fail(exc, f"delete {name}")

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object under the prefix, page by page."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._key(prefix))
            for page in pages:
                for item in page.get("Contents", []):
                    key = str(item.get("Key", ""))
                    yield ObjectInfo(key[len(self.prefix):], int(item.get("Size", 0)), item["LastModified"])
        except (BotoCoreError, ClientError) as exc:
            self._fail(exc, "list the objects")
