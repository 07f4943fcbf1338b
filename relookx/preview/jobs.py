"""One webui, many users: previews run one at a time per webui, the others wait in a queue in the database.

The SD webui runs one generation at a time and `/sdapi/v1/interrupt` stops whatever it runs, so RelookX
serialises its own jobs: a `PreviewJob` row per preview, one `running` per webui, the rest `queued` in
order. The queue lives in the database, so the sessions of one process and the replicas of the app that
share PostgreSQL all see it (a start is one conditional UPDATE: two replicas cannot both start).
Only the job's owner can cancel it: a queued job is dropped, a running one is interrupted by the thread
that runs it, which only does so while its own job holds the webui. An interrupted image is not saved.
Running and waiting jobs beat a heartbeat; a job whose replica died is marked `abandoned` after STALE_S.
Each job keeps its target (photo, piece, mode, settings): an abandoned or failed job is offered to its
owner again (`rerunnable`) and `start_preview` runs it again as a new job.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, exists, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import NotFoundError, RelookXError
from relookx.fashion.pieces import Piece
from relookx.models import PreviewJob, utcnow
from relookx.preview.types import PreviewRequest, PreviewResult
from relookx.storage import Storage

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
RERUNNABLE = ("abandoned", "failed")  # offered to their owner again (a cancelled job was stopped on purpose)
STALE_S = 60.0  # a job whose heartbeat is older is abandoned (its app replica stopped)
QUIET_S = 10.0  # a job silent this long is shown as "no news" until it is abandoned
POLL_S = 0.5
OPTION_NAMES = ("steps", "seed", "strength", "cfg_scale", "checkpoint", "sampler")


@dataclass(frozen=True)
class JobTarget:
    """What a job renders, kept in its row: enough to build the same request again later."""

    photo_number: int
    piece: Piece
    mode: str = "photo"
    recommendation_id: int | None = None
    options: dict[str, Any] = field(default_factory=dict)  # steps, seed, strength, cfg_scale, checkpoint, sampler

    @classmethod
    def of(cls, request: PreviewRequest, *, photo_number: int, recommendation_id: int | None = None) -> JobTarget:
        """The target of a request built for the user's photo `photo_number`."""
        return cls(photo_number, request.piece, request.mode, recommendation_id,
                   {name: getattr(request, name) for name in OPTION_NAMES})

    @classmethod
    def from_job(cls, job: PreviewJob) -> JobTarget | None:
        """The job's target; None for a job queued before targets were kept."""
        if job.photo_number is None or not job.piece:
            return None
        known = {f.name for f in fields(Piece)}
        piece = Piece(**{k: v for k, v in job.piece.items() if k in known})
        options = {k: v for k, v in (job.options or {}).items() if k in OPTION_NAMES}
        return cls(job.photo_number, piece, job.mode, job.recommendation_id, options)

    def columns(self) -> dict[str, Any]:
        """The PreviewJob columns that keep this target."""
        return {"photo_number": self.photo_number, "recommendation_id": self.recommendation_id,
                "piece": asdict(self.piece), "mode": self.mode, "options": dict(self.options)}


def webui_key(settings: Settings) -> str:
    """Which webui a job runs on: a hash of its address (the same for every replica, never a password)."""
    if settings.ssh_host:
        target = (f"ssh:{settings.ssh_user}@{settings.ssh_host}:{settings.ssh_port}->"
                  f"{settings.ssh_remote_host}:{settings.ssh_remote_port}")
    else:
        target = f"url:{(settings.sd_url or '').rstrip('/')}"
    return hashlib.sha256(target.encode()).hexdigest()[:32]


class JobQueue:
    """The jobs of one webui, in the database."""

    def __init__(self, engine: Engine, webui: str, *, stale_s: float = STALE_S) -> None:
        self.engine, self.webui, self.stale_s = engine, webui, stale_s

    def enqueue(self, user_id: int, target: JobTarget | None = None) -> int:
        """Queue a job for the user (with what it renders); refused when they already have one in progress."""
        with session_scope(self.engine) as session:
            self._expire_stale(session)
            mine = session.exec(select(PreviewJob).where(
                PreviewJob.webui == self.webui, PreviewJob.user_id == user_id,
                col(PreviewJob.status).in_(ACTIVE))).first()
            if mine is not None:
                raise RelookXError("You already have a preview in progress: wait for it or cancel it first.")
            job = PreviewJob(webui=self.webui, user_id=user_id, **(target.columns() if target else {}))
            session.add(job)
            session.flush()
            assert job.id is not None
            return job.id

    def get(self, job_id: int, *, user_id: int | None = None) -> PreviewJob:
        """One job (only the user's own when `user_id` is given)."""
        with session_scope(self.engine) as session:
            job = session.get(PreviewJob, job_id)
        if job is None or (user_id is not None and job.user_id != user_id):
            raise NotFoundError(f"No preview job {job_id} of yours.")
        return job

    def active(self, user_id: int) -> PreviewJob | None:
        """The user's waiting or running job on this webui, if any."""
        with session_scope(self.engine) as session:
            self._expire_stale(session)
            return session.exec(select(PreviewJob).where(
                PreviewJob.webui == self.webui, PreviewJob.user_id == user_id,
                col(PreviewJob.status).in_(ACTIVE))).first()

    def position(self, job_id: int) -> int:
        """0 when the job runs; else how many jobs are ahead of it (waiting or running)."""
        with session_scope(self.engine) as session:
            job = session.get(PreviewJob, job_id)
            if job is None or job.status == "running":
                return 0
            ahead = session.exec(select(func.count()).select_from(PreviewJob).where(
                PreviewJob.webui == self.webui, col(PreviewJob.status).in_(ACTIVE),
                col(PreviewJob.id) < job_id)).one()
            return int(ahead)

    def try_start(self, job_id: int) -> bool:
        """Start the job if it is first in line and nothing runs on the webui: one conditional UPDATE."""
        with session_scope(self.engine) as session:
            self._expire_stale(session)
            other = PreviewJob.__table__.alias("other")  # type: ignore[attr-defined]
            first = (select(func.min(other.c.id)).where(other.c.webui == self.webui, other.c.status == "queued")
                     .scalar_subquery())
            busy = exists().where(and_(other.c.webui == self.webui, other.c.status == "running"))
            done = session.execute(
                update(PreviewJob).where(col(PreviewJob.id) == job_id, col(PreviewJob.status) == "queued",
                                         col(PreviewJob.id) == first, ~busy)
                .values(status="running", heartbeat_at=utcnow(), message="starting"))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def beat(self, job_id: int, *, progress: float | None = None, message: str | None = None) -> PreviewJob:
        """Record that the job is alive (and its progress); returns the row, with `cancel_requested`."""
        with session_scope(self.engine) as session:
            job = session.get(PreviewJob, job_id)
            if job is None:
                raise NotFoundError(f"No preview job {job_id}.")
            job.heartbeat_at = utcnow()
            if progress is not None:
                job.progress = progress
            if message is not None:
                job.message = message[:200]
            session.add(job)
            return job

    def finish(self, job_id: int, status: str, *, preview_id: int | None = None, error: str = "") -> None:
        """End the job: done, interrupted, cancelled or failed."""
        with session_scope(self.engine) as session:
            job = session.get(PreviewJob, job_id)
            if job is not None:
                job.status, job.preview_id, job.error, job.finished_at = status, preview_id, error[:500], utcnow()
                session.add(job)

    def cancel(self, job_id: int, *, user_id: int) -> str:
        """The owner's cancel: a queued job is dropped ("dropped"), a running one interrupted ("stopping")."""
        with session_scope(self.engine) as session:
            job = session.get(PreviewJob, job_id)
            if job is None or job.user_id != user_id:
                raise NotFoundError(f"No preview job {job_id} of yours: only your own preview can be cancelled.")
            if job.status == "queued":
                job.status, job.finished_at = "cancelled", utcnow()
                session.add(job)
                return "dropped"
            if job.status == "running":
                job.cancel_requested = True
                session.add(job)
                return "stopping"
            return job.status

    def _expire_stale(self, session: Session) -> None:
        _expire(session, self.stale_s, col(PreviewJob.webui) == self.webui)


def _expire(session: Session, stale_s: float, *where: Any) -> None:
    """Mark as abandoned the jobs whose process stopped beating (a replica that died, a server restarted)."""
    cutoff = utcnow() - timedelta(seconds=stale_s)
    session.execute(
        update(PreviewJob).where(*where, col(PreviewJob.status).in_(ACTIVE), col(PreviewJob.heartbeat_at) < cutoff)
        .values(status="abandoned", finished_at=utcnow(),
                error="The app stopped while your preview waited or ran (a restart or a redeploy)."))


def rerunnable(engine: Engine, user_id: int, *, stale_s: float = STALE_S, limit: int = 10) -> list[PreviewJob]:
    """The user's abandoned or failed jobs (on any webui) that can be run again, newest first."""
    with session_scope(engine) as session:
        _expire(session, stale_s, col(PreviewJob.user_id) == user_id)
        return list(session.exec(select(PreviewJob).where(
            PreviewJob.user_id == user_id, col(PreviewJob.status).in_(RERUNNABLE), col(PreviewJob.dismissed).is_(False),
            col(PreviewJob.photo_number).is_not(None)).order_by(col(PreviewJob.id).desc()).limit(limit)).all())


def dismiss(engine: Engine, job_id: int, *, user_id: int) -> None:
    """The owner puts an ended job away: it is no longer offered to run again."""
    with session_scope(engine) as session:
        job = session.get(PreviewJob, job_id)
        if job is None or job.user_id != user_id:
            raise NotFoundError(f"No preview job {job_id} of yours.")
        job.dismissed = True
        session.add(job)


Generate = Callable[..., PreviewResult]  # service.generate(request, client, on_progress=..., cancel=...)
Save = Callable[[PreviewResult], int]  # stores a finished preview; returns its id


def run_job(queue: JobQueue, job_id: int, request: PreviewRequest, client: object, *, generate: Generate,
            save: Save, poll_s: float = POLL_S, on_update: Callable[[str], None] | None = None) -> PreviewJob:
    """Wait for the job's turn (beating), run it, save it unless interrupted, and end it; returns the row.

    `on_update` hears "waiting: N ahead" and the progress, for callers that run a job in their own thread.
    """
    while not queue.try_start(job_id):
        job = queue.beat(job_id, message="waiting for the webui")
        if job.status != "queued":  # dropped by its owner (or abandoned)
            return job
        if on_update is not None:
            on_update(f"waiting for the webui, {queue.position(job_id)} preview(s) ahead")
        time.sleep(poll_s)
    cancel = threading.Event()

    def on_progress(fraction: float, text: str) -> None:
        if queue.beat(job_id, progress=fraction, message=text).cancel_requested:
            cancel.set()
        if on_update is not None:
            on_update(f"{text} ({fraction:.0%})")

    try:
        result = generate(request, client, on_progress=on_progress, cancel=cancel)
        if result.interrupted:
            queue.finish(job_id, "interrupted", error="Stopped before the end: the unfinished image was not kept.")
        else:
            queue.finish(job_id, "done", preview_id=save(result))
    except RelookXError as exc:
        queue.finish(job_id, "failed", error=str(exc))
    except Exception as exc:  # a bug must not leave the webui's queue blocked: logged, the job ends
        log.exception("preview job %s failed", job_id)
        queue.finish(job_id, "failed", error=f"Unexpected error ({type(exc).__name__}): try again.")
    return queue.get(job_id)


def run_queued(engine: Engine, settings: Settings, user_id: int, request: PreviewRequest, client: object, *,
               save: Save, target: JobTarget | None = None,
               on_update: Callable[[str], None] | None = None) -> PreviewJob:
    """Queue a job on the configured webui and run it in this thread (the chat and the CLI)."""
    from relookx.preview.service import generate

    queue = JobQueue(engine, webui_key(settings))
    return run_job(queue, queue.enqueue(user_id, target), request, client, generate=generate, save=save,
                   on_update=on_update)


def start_job(queue: JobQueue, user_id: int, request: PreviewRequest, client: object, *, generate: Generate,
              save: Save, target: JobTarget | None = None) -> int:
    """Queue a job and run it in a background thread (it outlives the page run that started it)."""
    job_id = queue.enqueue(user_id, target)
    thread = threading.Thread(target=run_job, args=(queue, job_id, request, client),
                              kwargs={"generate": generate, "save": save}, name=f"relookx-preview-job-{job_id}",
                              daemon=True)
    thread.start()
    return job_id


def start_preview(engine: Engine, storage: Storage, queue: JobQueue, user_id: int, target: JobTarget,
                  client: object, *, generate: Generate | None = None, rerun_of: int | None = None) -> int:
    """Build the target's request and start it as a webui job; `rerun_of` (an ended job) is then put away.

    Raises NotFoundError when the photo was deleted since, and RelookXError when a job is already in progress.
    """
    from relookx.preview import service

    request = service.request_for(engine, storage, user_id=user_id, photo_number=target.photo_number,
                                  piece=target.piece, mode=target.mode, **target.options)

    def save(result: PreviewResult) -> int:
        return service.save(engine, storage, user_id=user_id, photo_number=target.photo_number, result=result,
                            piece=target.piece, recommendation_id=target.recommendation_id).id or 0

    job_id = start_job(queue, user_id, request, client, generate=generate or service.generate, save=save,
                       target=target)
    if rerun_of is not None:
        dismiss(engine, rerun_of, user_id=user_id)
    return job_id
