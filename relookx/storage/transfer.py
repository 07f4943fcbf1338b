"""Checking a storage (`storage check`) and copying every object to another one (`storage migrate`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from relookx.errors import RelookXError, StorageError
from relookx.storage.base import KINDS, ObjectRef, Storage, sha256

CHECK_PREFIX = "relookx-check/"


def check(storage: Storage) -> Iterator[str]:
    """Reachability, listing, and a write/read/delete round trip; yields one line per step passed.

    Raises StorageError (or ConfigError) at the first step that fails, saying what to fix.
    """
    count = sum(1 for _ in storage.list_objects(KINDS["photo"].folder + "/"))
    yield f"ok: {storage.describe()} answers; {count} photo(s) stored"
    name = f"{CHECK_PREFIX}{uuid.uuid4().hex}.txt"
    payload = f"relookx storage check {uuid.uuid4().hex}".encode()
    storage.put_object(name, payload, "text/plain")
    yield "ok: an object was written"
    try:
        if storage.get_object(name) != payload:
            raise StorageError(f"{storage.describe()} returned different bytes than were written.")
        yield "ok: it reads back identical"
    finally:
        storage.delete_object(name)
    if storage.head_object(name) is not None:
        raise StorageError(f"{storage.describe()} still has {name} after deleting it.")
    yield "ok: it was deleted"


@dataclass
class MigrateReport:
    """What `storage migrate` did: objects copied, already there, and failed with why."""

    copied: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _same(target: Storage, ref: ObjectRef, digest: str) -> bool:
    """True when the target already holds this object with this content."""
    stored = getattr(target, "stored_sha256", None)
    if callable(stored):  # a bucket keeps the SHA-256 it was given: one HEAD instead of a download
        recorded = stored(ref.name)
        if recorded:
            return bool(recorded == digest)
    if not target.has(ref):
        return False
    return sha256(target.get(ref)) == digest


def migrate(
    source: Storage, target: Storage, *, on_object: Callable[[str, str], None] | None = None,
) -> MigrateReport:
    """Copy every object of every kind from source to target, verifying each copy's SHA-256.

    Idempotent and resumable: objects already in the target with the same content are skipped, so
    running it again after an interruption continues where it stopped. A failed object is reported
    and the others go on; the source is never changed.
    """
    report = MigrateReport()
    for kind in KINDS:
        for ref, _info in source.objects(kind):
            try:
                data = source.get(ref)
                digest = sha256(data)
                if _same(target, ref, digest):
                    report.present.append(ref.name)
                    outcome = "present"
                else:
                    target.put(ref, data)
                    if sha256(target.get(ref)) != digest:
                        raise StorageError("the copy read back differs from the original")
                    report.copied.append(ref.name)
                    outcome = "copied"
            except RelookXError as exc:
                report.failed.append((ref.name, str(exc)))
                outcome = f"failed: {exc}"
            if on_object is not None:
                on_object(ref.name, outcome)
    return report
