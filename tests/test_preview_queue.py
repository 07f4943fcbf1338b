"""One webui shared by users: jobs serialised in the database, own-job cancel only, interrupted images not
kept, progress never downloads the in-progress image; a job cut short by a restart is offered again."""

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
from relookx.preview.jobs import (
    JobQueue,
    JobTarget,
    dismiss,
    rerunnable,
    run_job,
    start_job,
    start_preview,
    webui_key,
)
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


def backdate(engine: Engine, job_id: int, minutes: float = 5) -> None:
    """The job's replica stopped beating `minutes` ago (a restart, a redeploy)."""
    with engine.begin() as conn:
        conn.execute(update(PreviewJob).where(PreviewJob.id == job_id)  # type: ignore[arg-type]
                     .values(heartbeat_at=utcnow() - timedelta(minutes=minutes)))


def test_a_job_keeps_its_target_and_an_abandoned_one_is_offered_to_its_owner_only(
        engine: Engine, alice: int, bob: int) -> None:
    queue = JobQueue(engine, "webui-5")
    req = request()
    target = JobTarget.of(req, photo_number=1, recommendation_id=None)
    assert target.options == {"steps": 8, "seed": -1, "strength": 0.75, "cfg_scale": 7.0, "checkpoint": None,
                               "sampler": "DPM++ 2M"}
    old = queue.enqueue(alice)  # queued before targets were kept: never offered
    backdate(engine, old)
    a = queue.enqueue(alice, target)  # the old job was abandoned: no longer in the way
    assert JobTarget.from_job(queue.get(a)) == target and queue.get(old).status == "abandoned"
    assert queue.try_start(a)
    b = JobQueue(engine, "webui-6").enqueue(bob, target)
    assert rerunnable(engine, alice) == []  # alice's job still beats
    backdate(engine, a)
    backdate(engine, b)
    [offered] = rerunnable(engine, alice)  # her abandoned job, on any webui; not bob's
    assert offered.id == a and offered.status == "abandoned" and "restart" in offered.error
    assert [j.id for j in rerunnable(engine, bob)] == [b]
    with pytest.raises(NotFoundError):
        dismiss(engine, a, user_id=bob)
    dismiss(engine, a, user_id=alice)
    assert rerunnable(engine, alice) == [] and [j.id for j in rerunnable(engine, bob)] == [b]


def test_cancelled_and_finished_jobs_are_not_offered_again(engine: Engine, alice: int) -> None:
    queue = JobQueue(engine, "webui-7")
    target = JobTarget(1, PIECE, "newlook")
    for status in ("done", "interrupted", "cancelled", "failed"):
        job = queue.enqueue(alice, target)
        queue.finish(job, status, error="webui said no" if status == "failed" else "")
    [failed] = rerunnable(engine, alice)
    assert failed.status == "failed" and failed.error == "webui said no"


def test_run_again_renders_the_same_target_as_a_new_job(
        engine: Engine, settings: Settings, alice: int, sd_server: SDServer) -> None:
    storage = storage_for(settings)
    add_upload(engine, storage, settings, user_id=alice, data=to_bytes(make_outfit_photo()), filename="a.jpg")
    queue = JobQueue(engine, webui_key(settings))
    target = JobTarget(1, PIECE, "newlook", None, {"steps": 12, "seed": 1234, "strength": 0.6})
    lost = queue.enqueue(alice, target)
    assert queue.try_start(lost)
    backdate(engine, lost)
    [offered] = rerunnable(engine, alice)
    again = start_preview(engine, storage, queue, alice, JobTarget.from_job(offered) or target,
                          WebuiClient(sd_server.url, timeout_s=30), rerun_of=offered.id)
    wait_for(lambda: queue.get(again).status not in ("queued", "running"))
    job = queue.get(again)
    assert job.status == "done" and job.preview_id and JobTarget.from_job(job) == target
    assert rerunnable(engine, alice) == [] and queue.get(lost).dismissed
    [call] = sd_server.posts("/sdapi/v1/txt2img")
    assert call.json["steps"] == 12 and call.json["seed"] == 1234
    with session_scope(engine) as s:
        [preview] = history.list_previews(s, user_id=alice)
    assert preview.piece["name"] == "Red beanie" and preview.mode == "newlook" and preview.photo_number == 1


def test_run_again_refuses_a_deleted_photo_and_keeps_the_job(
        engine: Engine, settings: Settings, alice: int, sd_server: SDServer) -> None:
    storage = storage_for(settings)
    queue = JobQueue(engine, webui_key(settings))
    lost = queue.enqueue(alice, JobTarget(3, PIECE, "photo"))
    backdate(engine, lost)
    with pytest.raises(NotFoundError, match="3"):
        start_preview(engine, storage, queue, alice, JobTarget(3, PIECE, "photo"),
                      WebuiClient(sd_server.url, timeout_s=30), rerun_of=lost)
    assert [j.id for j in rerunnable(engine, alice)] == [lost] and queue.active(alice) is None
