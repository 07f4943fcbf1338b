"""The storage interface: content-addressed objects of a few kinds (photo, thumb, crop, preview).

An object's name is `<folder>/<first 2 hex>/<sha256>.<format>`, the same on every backend: the local
data dir keeps the layout it always had, and a bucket holds the same names under an optional prefix,
so `storage migrate` copies names as they are. Adding a kind is one line in `KINDS`.
"""

from __future__ import annotations

import hashlib
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PIL import Image

from relookx.errors import NotFoundError

if TYPE_CHECKING:
    from relookx.media import PreparedPhoto

_KEY_RE = re.compile(r"[0-9a-f]{64}")
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class Kind:
    """A kind of stored object: its folder and the formats it may have (the first is the default)."""

    name: str
    folder: str
    formats: tuple[str, ...] = ("jpg",)
    label: str = ""


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("photo", "photos", label="photo"),
    Kind("thumb", "thumbs", label="thumbnail"),
    Kind("crop", "crops", label="garment crop"),
    Kind("preview", "previews", ("png", "jpeg", "webp"), label="preview image"),
)}
PREVIEW_FORMATS = KINDS["preview"].formats
_BY_FOLDER = {k.folder: k for k in KINDS.values()}


@dataclass(frozen=True)
class ObjectInfo:
    """One stored object as a backend lists it."""

    name: str
    size: int
    modified: datetime


@dataclass(frozen=True)
class ObjectRef:
    """A kind, a content key and a format: what a database row points at."""

    kind: str
    key: str
    fmt: str = ""

    def __post_init__(self) -> None:
        if not self.fmt and self.kind in KINDS:  # the kind's default format, so equal refs compare equal
            object.__setattr__(self, "fmt", KINDS[self.kind].formats[0])

    @property
    def name(self) -> str:
        """The object's name on every backend."""
        return object_name(self.kind, self.key, self.fmt)


def object_name(kind: str, key: str, fmt: str = "") -> str:
    """The name of an object; refuses anything but a known kind, a SHA-256 key and one of the kind's formats."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"Not a stored object kind: {kind!r}")
    if not _KEY_RE.fullmatch(key or ""):
        # Keys come from the database; refusing anything else rules out path traversal.
        raise ValueError(f"Not a content key: {key!r}")
    fmt = fmt or spec.formats[0]
    if fmt not in spec.formats:
        raise ValueError(f"Not a {spec.name} format: {fmt!r}")
    return f"{spec.folder}/{key[:2]}/{key}.{fmt}"


def parse_name(name: str) -> ObjectRef | None:
    """The kind, key and format of an object name, or None for anything else (temp files, strangers)."""
    parts = name.split("/")
    if len(parts) != 3 or parts[0] not in _BY_FOLDER:
        return None
    kind = _BY_FOLDER[parts[0]]
    key, _, fmt = parts[2].partition(".")
    if not _KEY_RE.fullmatch(key) or parts[1] != key[:2] or fmt not in kind.formats:
        return None
    return ObjectRef(kind.name, key, fmt)


def sha256(data: bytes) -> str:
    """The hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


class Storage(ABC):
    """Where photos, thumbnails, garment crops and previews live. Backends implement five methods on names."""

    backend: str = ""

    @abstractmethod
    def describe(self) -> str:
        """Where the objects are, in words, without any secret."""

    @abstractmethod
    def put_object(self, name: str, data: bytes, content_type: str) -> None:
        """Store bytes under `name`, whole or not at all (StorageError when the backend refuses)."""

    @abstractmethod
    def get_object(self, name: str) -> bytes:
        """The bytes under `name`; NotFoundError when missing, StorageError when unreachable."""

    @abstractmethod
    def head_object(self, name: str) -> ObjectInfo | None:
        """Size and time of `name`, or None when it is not stored."""

    @abstractmethod
    def delete_object(self, name: str) -> None:
        """Remove `name` (a missing object is fine)."""

    @abstractmethod
    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose name starts with `prefix`."""

    # --- by kind ------------------------------------------------------------------------------

    def put(self, ref: ObjectRef, data: bytes) -> None:
        """Store one object of a kind."""
        self.put_object(ref.name, data, CONTENT_TYPES[ref.name.rsplit(".", 1)[1]])

    def put_new(self, ref: ObjectRef, data: bytes) -> bool:
        """Store the object unless it is already stored (same name, same content); True when written."""
        if self.has(ref):
            return False
        self.put(ref, data)
        return True

    def get(self, ref: ObjectRef) -> bytes:
        """The bytes of one object; NotFoundError names the kind when it is missing."""
        try:
            return self.get_object(ref.name)
        except NotFoundError:
            label = KINDS[ref.kind].label
            raise NotFoundError(
                f"The {label} file {ref.key[:12]}… is missing from the {self.backend} storage: "
                "delete the photo and upload it again."
            ) from None

    def has(self, ref: ObjectRef) -> bool:
        """True when the object is stored."""
        return self.head_object(ref.name) is not None

    def remove(self, ref: ObjectRef) -> None:
        """Remove one object (missing is fine)."""
        self.delete_object(ref.name)

    def objects(self, kind: str) -> Iterator[tuple[ObjectRef, ObjectInfo]]:
        """Every stored object of a kind, with its size and time (other files are skipped)."""
        for info in self.list_objects(KINDS[kind].folder + "/"):
            ref = parse_name(info.name)
            if ref is not None and ref.kind == kind:
                yield ref, info

    # --- photos, previews and crops (the names callers have always used) ----------------------

    def save(self, prepared: PreparedPhoto) -> str:
        """Store a prepared photo and its thumbnail; return its key (saving twice is harmless)."""
        key = prepared.sha256
        # Thumbnail first: `exists` looks at the photo, so a stored photo always has its thumbnail.
        self.put_new(ObjectRef("thumb", key), prepared.thumb)
        self.put_new(ObjectRef("photo", key), prepared.jpeg)
        return key

    def exists(self, key: str) -> bool:
        """True when the photo of `key` is stored."""
        return self.has(ObjectRef("photo", key))

    def read(self, key: str) -> bytes:
        """The stored JPEG bytes of the photo `key`."""
        return self.get(ObjectRef("photo", key))

    def read_thumb(self, key: str) -> bytes:
        """The stored thumbnail bytes of the photo `key`."""
        return self.get(ObjectRef("thumb", key))

    def open_image(self, key: str) -> Image.Image:
        """The stored photo of `key` decoded as a loaded RGB image."""
        with Image.open(io.BytesIO(self.read(key))) as img:
            img.load()
            return img.convert("RGB")

    def delete(self, key: str) -> None:
        """Remove the photo and thumbnail of `key` (missing objects are fine)."""
        self.remove(ObjectRef("photo", key))
        self.remove(ObjectRef("thumb", key))

    def save_preview(self, data: bytes, fmt: str) -> str:
        """Store a generated preview image; return its key (the SHA-256 of the bytes)."""
        key = sha256(data)
        self.put_new(ObjectRef("preview", key, fmt), data)
        return key

    def read_preview(self, key: str, fmt: str) -> bytes:
        """The bytes of a stored preview image."""
        return self.get(ObjectRef("preview", key, fmt))

    def save_crop(self, jpeg: bytes) -> str:
        """Store a garment crop (JPEG bytes); return its key, the SHA-256 of the bytes."""
        key = sha256(jpeg)
        self.put_new(ObjectRef("crop", key), jpeg)
        return key

    def read_crop(self, key: str) -> bytes:
        """The bytes of a stored garment crop."""
        return self.get(ObjectRef("crop", key))

    def delete_crop(self, key: str) -> None:
        """Remove a garment crop (missing is fine)."""
        self.remove(ObjectRef("crop", key))
