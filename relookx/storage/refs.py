"""Objects and the rows that refer to them, safe under concurrency (SQLite and PostgreSQL).

- A row is written only after its object is stored: `storing` locks the object names, stores the
  objects, lets the caller insert the rows, and commits; if the insert fails, the objects it stored
  that no row refers to are removed again (or left to `storage gc` when the storage is down).
- An object is deleted only when no row refers to it: `releasing` locks the names before the caller
  deletes its rows, and removes the objects still under the lock, before the commit.

The lock is a row of `object_lock` per object name, upserted (`INSERT ... ON CONFLICT DO UPDATE`):
PostgreSQL locks that row until the commit, SQLite takes its database write lock. An upload of the
same content and a deletion therefore never interleave between the reference check and the file
operation, which is the race of a delete followed by a re-upload.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from relookx.errors import RelookXError
from relookx.models import Garment, ObjectLock, Photo, Preview, utcnow
from relookx.storage.base import KINDS, ObjectRef, Storage

log = logging.getLogger(__name__)

# Which columns refer to each kind of object (by its key). A kind without an entry is never collected.
REFERENCES: dict[str, tuple[Any, ...]] = {
    "photo": (Photo.content_hash,),
    "thumb": (Photo.content_hash,),
    "preview": (Preview.image_key,),
    "crop": (Garment.crop_key,),
}


def lock(session: Session, names: Iterable[str]) -> None:
    """Lock object names until the session's transaction ends (sorted: two lockers never deadlock)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - make_engine only builds these two
        raise RelookXError(f"Object locks are not implemented for {dialect}.")
    table: Any = ObjectLock.__table__  # type: ignore[attr-defined]
    for name in sorted(set(names)):
        stmt = insert(table).values(name=name, locked_at=utcnow())
        session.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                                   set_={"locked_at": stmt.excluded.locked_at}))


def referenced(session: Session, ref: ObjectRef) -> bool:
    """True when a row refers to the object (always True for a kind whose references are unknown)."""
    columns = REFERENCES.get(ref.kind)
    if columns is None:
        return True
    return any(session.exec(select(column).where(column == ref.key).limit(1)).first() is not None
               for column in columns)


def _remove_unreferenced(session: Session, storage: Storage, refs: Sequence[ObjectRef]) -> list[ObjectRef]:
    """Under the lock: remove the objects no row refers to and their lock rows; returns them."""
    session.flush()
    gone = [ref for ref in refs if not referenced(session, ref)]
    for ref in gone:
        storage.remove(ref)
    if gone:
        session.execute(delete(ObjectLock).where(col(ObjectLock.name).in_([r.name for r in gone])))
    return gone


@contextmanager
def storing(engine: Engine, storage: Storage, objects: Sequence[tuple[ObjectRef, bytes]]) -> Iterator[Session]:
    """Store the objects (those not stored yet), then yield a session for the rows that refer to them.

    The session commits when the block ends. On any error the transaction rolls back and the objects
    stored here that no row refers to are removed again.
    """
    stored: list[ObjectRef] = []
    with Session(engine, expire_on_commit=False) as session:
        try:
            lock(session, [ref.name for ref, _data in objects])
            for ref, data in objects:
                if storage.put_new(ref, data):
                    stored.append(ref)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            if stored:
                forget(engine, storage, stored)
            raise


def forget(engine: Engine, storage: Storage, refs: Sequence[ObjectRef]) -> list[ObjectRef]:
    """Remove the objects no row refers to; on a storage or database error they stay for `storage gc`."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            lock(session, [ref.name for ref in refs])
            gone = _remove_unreferenced(session, storage, refs)
            session.commit()
            return gone
    except (RelookXError, SQLAlchemyError) as exc:
        log.warning("left %d object(s) for `storage gc`: %s", len(refs), exc)
        return []


@contextmanager
def releasing(engine: Engine, storage: Storage, refs: Sequence[ObjectRef]) -> Iterator[Session]:
    """Yield a session, holding the objects' locks, in which the caller deletes rows referring to them.

    When the block ends, the objects no row refers to any more are removed, then the deletion commits.
    If the storage fails, nothing is deleted (the rows come back) and the StorageError goes up.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            lock(session, [ref.name for ref in refs])
            yield session
            _remove_unreferenced(session, storage, refs)
            session.commit()
        except BaseException:
            session.rollback()
            raise


@dataclass
class GcReport:
    """What `storage gc` found and did."""

    checked: int = 0
    orphans: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    recent: int = 0
    kinds_skipped: list[str] = field(default_factory=list)


def collect_garbage(
    engine: Engine, storage: Storage, *, min_age: timedelta = timedelta(hours=1), dry_run: bool = False,
    now: datetime | None = None,
) -> GcReport:
    """Delete stored objects no row refers to and older than `min_age` (uploads in flight are younger)."""
    report = GcReport()
    cutoff = (now or utcnow()) - min_age
    for kind in KINDS:
        if kind not in REFERENCES:
            report.kinds_skipped.append(kind)
            continue
        for ref, info in list(storage.objects(kind)):
            report.checked += 1
            with Session(engine) as session:
                if referenced(session, ref):
                    continue
            if info.modified > cutoff:
                report.recent += 1
                continue
            report.orphans.append(ref.name)
            if dry_run:
                continue
            with Session(engine, expire_on_commit=False) as session:
                lock(session, [ref.name])
                gone = _remove_unreferenced(session, storage, [ref])
                session.commit()
            report.deleted.extend(r.name for r in gone)
    return report
