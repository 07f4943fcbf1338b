"""The local backend: objects as files under the data dir (the embedded default, layout unchanged)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from relookx.errors import NotFoundError, StorageError
from relookx.storage.base import ObjectInfo, ObjectRef, Storage, object_name

TMP_PREFIX = ".tmp-"


class LocalStorage(Storage):
    """Objects in a folder, written atomically (temp file, fsync, rename)."""

    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        """The data folder."""
        return f"local data folder ({self.root})"

    def _file(self, name: str) -> Path:
        return self.root / name

    def path(self, ref: ObjectRef) -> Path:
        """The file of one object (local backend only)."""
        return self._file(ref.name)

    def photo_path(self, key: str) -> Path:
        """Where the full-size JPEG of `key` lives."""
        return self._file(object_name("photo", key))

    def thumb_path(self, key: str) -> Path:
        """Where the thumbnail JPEG of `key` lives."""
        return self._file(object_name("thumb", key))

    def preview_path(self, key: str, fmt: str) -> Path:
        """Where a generated preview image of `key` ("png", "jpeg" or "webp") lives."""
        return self._file(object_name("preview", key, fmt))

    def crop_path(self, key: str) -> Path:
        """Where the JPEG crop of a garment with this key lives."""
        return self._file(object_name("crop", key))

    def put_object(self, name: str, data: bytes, content_type: str) -> None:
        """Write the file atomically: readers never see half a file, even after a crash."""
        path = self._file(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
        except OSError as exc:
            raise StorageError(f"Cannot write to the data folder {self.root}: {exc.strerror or exc}.") from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StorageError(f"Cannot write to the data folder {self.root}: {exc.strerror or exc}.") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_object(self, name: str) -> bytes:
        """The file's bytes."""
        try:
            return self._file(name).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"{name} is not in the data folder.") from None
        except OSError as exc:
            raise StorageError(f"Cannot read {name} from the data folder: {exc.strerror or exc}.") from None

    def head_object(self, name: str) -> ObjectInfo | None:
        """The file's size and modification time, or None."""
        try:
            st = self._file(name).stat()
        except FileNotFoundError:
            return None
        return ObjectInfo(name, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))

    def delete_object(self, name: str) -> None:
        """Remove the file (missing is fine)."""
        try:
            self._file(name).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot delete {name} from the data folder: {exc.strerror or exc}.") from None

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every file under the root whose relative name starts with `prefix` (temp files skipped)."""
        top = prefix.split("/", 1)[0] if "/" in prefix else ""
        base = self.root / top if top else self.root
        if not base.is_dir():
            return
        for dirpath, _dirs, files in os.walk(base):
            for filename in sorted(files):
                if filename.startswith(TMP_PREFIX):
                    continue
                path = Path(dirpath) / filename
                name = path.relative_to(self.root).as_posix()
                if not name.startswith(prefix):
                    continue
                try:
                    st = path.stat()
                except FileNotFoundError:  # deleted while listing
                    continue
                yield ObjectInfo(name, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))
