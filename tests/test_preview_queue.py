"""One webui shared by users: jobs serialised in the database, own-job cancel only, interrupted images not
kept, progress never downloads the in-progress image."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from relookx import history
from relookx.config import Settings
from relookx.db import make_engine, session_scope
from relookx.errors import NotFoundError, RelookXError
from relookx.fashion.pieces import Piece
from relookx.models import PreviewJob, utcnow
from relookx.photos import add_upload, storage_for
from relookx.preview import service
from relookx.preview.client import WebuiClient
from relookx.preview.jobs import JobQueue, run_job, start_job, webui_key
from relookx.preview.types import PreviewRequest
from tests.imagegen import make_outfit_photo, to_bytes
from tests.sd_server import SDServer

PIECE = Piece(name="Red beanie", category="headwear", color_name="red", color_hex="#c0392b")


def request() -> PreviewRequest:
    return PreviewRequest(photo=make_outfit_photo(size=(300, 450)), piece=PIECE, mode="newlook", steps=8)


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def saver(engine: Engine, settings: Settings, user_id: int) -> Callable[..., int]:
    storage = storage_for(settings)
    add_upload(engine, storage, settings, user_id=user_id, data=to_bytes(make_outfit_photo()), filename="a.jpg")

    def save(result: object) -> int:
        saved = service.save(engine, storage, user_id=user_id, photo_number=1, result=result, piece=PIECE)  # type: ignore[arg-type]
        return saved.id or 0

    return save


def test_jobs_run_one_at_a_time_and_queued_ones_know_their_place(
        engine: Engine, settings: Settings, alice: int, bob: int, sd_server_factory: Callable[..., SDServer]) -> None:
    slow = sd_server_factory(delay_s=1.5)
    client = WebuiClient(slow.url, timeout_s=30)
    queue = JobQueue(engine, "webui-1")
    a = start_job(queue, alice, request(), client, generate=service.generate, save=saver(engine, settings, alice))
    wait_for(lambda: queue.get(a).status == "running")
    b = start_job(queue, bob, request(), client, generate=service.generate, save=saver(engine, settings, bob))
    assert queue.position(a) == 0 and queue.position(b) == 1
    assert queue.get(b).status == "queued"
    with pytest.raises(RelookXError, match="already have a preview"):
        queue.enqueue(alice)
    wait_for(lambda: queue.get(b).status == "done")
    assert queue.get(a).status == "done" and queue.get(a).preview_id
    assert [g.interrupted for g in slow.generations] == [False, False]
    assert slow.progress_polls and all(slow.progress_polls)  # never asked for the in-progress image
    with session_scope(engine) as s:
        assert len(history.list_previews(s, user_id=bob)) == 1


def test_a_user_cancels_only_their_own_job(
        engine: Engine, settings: Settings, alice: int, bob: int, sd_server_factory: Callable[..., SDServer]) -> None:
    slow = sd_server_factory(delay_s=2.0)
    client = WebuiClient(slow.url, timeout_s=30)
    queue = JobQueue(engine, "webui-2")
    a = start_job(queue, alice, request(), client, generate=service.generate, save=saver(engine, settings, alice))
    wait_for(lambda: queue.get(a).status == "running")
    b = start_job(queue, bob, request(), client, generate=service.generate, save=saver(engine, settings, bob))
    with pytest.raises(NotFoundError, match="only your own"):
        queue.cancel(a, user_id=bob)  # bob cannot stop alice's generation
    assert queue.cancel(b, user_id=bob) == "dropped"  # his queued job leaves the queue
    wait_for(lambda: queue.get(a).status != "running")
    assert queue.get(a).status == "done" and queue.get(b).status == "cancelled"
    assert [g.interrupted for g in slow.generations] == [False]  # only alice's ran, not cut short


def test_cancelling_a_running_job_interrupts_it_and_keeps_no_image(
        engine: Engine, settings: Settings, alice: int, sd_server_factory: Callable[..., SDServer]) -> None:
    slow = sd_server_factory(delay_s=3.0)
    queue = JobQueue(engine, "webui-3")
    a = start_job(queue, alice, request(), WebuiClient(slow.url, timeout_s=30), generate=service.generate,
                  save=saver(engine, settings, alice))
    wait_for(lambda: queue.get(a).progress > 0)
    assert queue.cancel(a, user_id=alice) == "stopping"
    wait_for(lambda: queue.get(a).status not in ("queued", "running"))
    job = queue.get(a)
    assert job.status == "interrupted" and job.preview_id is None and "not kept" in job.error
    assert slow.generations[0].interrupted
    with session_scope(engine) as s:
        assert history.list_previews(s, user_id=alice) == []


def test_the_queue_is_shared_by_replicas_and_a_dead_one_is_skipped(
        engine: Engine, settings: Settings, alice: int, bob: int) -> None:
    other = make_engine(settings.db_url)  # a second replica's engine on the same database
    try:
        mine, theirs = JobQueue(engine, "webui-4"), JobQueue(other, "webui-4")
        a, b = mine.enqueue(alice), theirs.enqueue(bob)
        assert theirs.try_start(b) is False  # not first in line
        assert mine.try_start(a) is True
        assert theirs.try_start(b) is False  # the webui is busy
        with engine.begin() as conn:  # alice's replica died: no heartbeat for a while
            conn.execute(update(PreviewJob).where(PreviewJob.id == a)  # type: ignore[arg-type]
                         .values(heartbeat_at=utcnow() - timedelta(minutes=5)))
        assert theirs.try_start(b) is True
        assert mine.get(a).status == "abandoned"
    finally:
        other.dispose()


def test_run_job_synchronously_and_webui_key(engine: Engine, settings: Settings, alice: int,
                                             sd_server: SDServer) -> None:
    queue = JobQueue(engine, webui_key(settings))
    job = run_job(queue, queue.enqueue(alice), request(), WebuiClient(sd_server.url, timeout_s=30),
                  generate=service.generate, save=saver(engine, settings, alice))
    assert job.status == "done" and job.preview_id
    a = webui_key(Settings(sd_url="http://u:secret@gpu:7860/"))
    assert a == webui_key(Settings(sd_url="http://u:secret@gpu:7860")) and "secret" not in a
    assert a != webui_key(Settings(sd_url="http://other:7860"))
