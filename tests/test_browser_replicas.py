"""Several replicas on one state, and a server killed in the middle of a batch (real browsers, real servers).

Two `streamlit run` servers on different ports share one PostgreSQL and one S3 bucket (moto); each has
its own empty data dir, so whatever B shows came from the shared database and bucket.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from relookx.db import make_engine
from relookx.storage import LocalStorage
from tests.browser import (
    TIMEOUT_MS,
    VIEWPORT,
    AppServer,
    go_to,
    main,
    open_app,
    screenshot,
    sign_up,
    start_server,
    stop_server,
    upload,
    wait_images_loaded,
)
from tests.conftest import new_postgres_database
from tests.imagegen import to_bytes
from tests.mistral_server import MistralServer, delay
from tests.realphotos import outfit_photo
from tests.s3_server import ANY_KEY, REGION, S3Server
from tests.test_mistral_analyzer import GOOD

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"


def sign_in(pg, username: str) -> None:  # noqa: ANN001
    """On the sign-in page: sign in and land on Home."""
    from playwright.sync_api import expect

    form = pg.locator('[data-testid="stForm"]').filter(has=pg.get_by_role("button", name="Sign in", exact=True))
    form.get_by_role("textbox", name="Username", exact=True).fill(username)
    form.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign in", exact=True).click()
    expect(main(pg).locator("h1").first).to_contain_text(f"Hello, {username}")


def new_page(chromium_browser):  # noqa: ANN001, ANN201
    """A fresh browser context (its own session and cookies) and page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = chromium_browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def photo_files(tmp: Path, count: int) -> list[Path]:
    """Distinct photos of a real person (the pose model needs people, not drawings) as JPEG files."""
    tops = ["#c0392b", "#2e7d32", "#1f3a93", "#f1c40f", "#8e44ad", "#16a085"]
    paths = []
    for i in range(count):
        path = tmp / f"look-{i + 1}.jpg"
        path.write_bytes(to_bytes(outfit_photo(tops[i], size=(700, 640), seed=i)))
        paths.append(path)
    return paths


def garment_names(url: str) -> list[str]:
    """The names of every garment in the shared database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [str(name) for (name,) in conn.execute(text("SELECT name FROM garment ORDER BY id"))]
    finally:
        engine.dispose()


@pytest.fixture
def shared_database(postgres_url: str) -> str:
    """A new PostgreSQL database on the session's server."""
    return new_postgres_database(postgres_url)


@pytest.fixture
def replicas(tmp_path: Path, shared_database: str,
             s3_server: S3Server) -> Iterator[tuple[AppServer, AppServer, str, str]]:
    """Replicas A and B on one database and one bucket; yields both and the bucket's name."""
    bucket = s3_server.make_bucket("replicas")
    shared = {"RELOOKX_DATABASE_URL": shared_database, "RELOOKX_S3_BUCKET": bucket,
              "RELOOKX_S3_ENDPOINT_URL": s3_server.endpoint, "RELOOKX_S3_REGION": REGION,
              "RELOOKX_S3_ACCESS_KEY_ID": ANY_KEY[0], "RELOOKX_S3_SECRET_ACCESS_KEY": ANY_KEY[1]}
    a = start_server(tmp_path / "a", **shared)
    try:
        b = start_server(tmp_path / "b", **shared)
        try:
            yield a, b, bucket, shared_database
        finally:
            stop_server(b)
    finally:
        stop_server(a)


def test_two_replicas_behave_as_one_app(chromium_browser, replicas, tmp_path: Path,  # noqa: ANN001
                                        s3_server: S3Server) -> None:
    from playwright.sync_api import expect

    a, b, bucket, database = replicas
    ctx_a, page_a = new_page(chromium_browser)
    ctx_b, page_b = new_page(chromium_browser)
    try:
        # Replica A: sign up, upload and analyse two photos.
        open_app(page_a, a)
        sign_up(page_a, "alice", PASSWORD)
        expect(main(page_a).get_by_text(re.compile(r"Photo storage:.*S3-compatible bucket"))).to_be_visible()
        screenshot(page_a, "replica-a-home")
        go_to(page_a, "Images")
        upload(page_a, photo_files(tmp_path, 2))
        statuses = main(page_a).locator('[data-testid="stExpander"]')
        expect(statuses.filter(has_text=re.compile(r"look-2\.jpg: image 2, [1-9]\d* garments"))).to_be_visible()
        # Replica B: the same account sees the photos, their thumbnails and garments.
        open_app(page_b, b)
        sign_in(page_b, "alice")
        go_to(page_b, "Images")
        expect(main(page_b).get_by_text("Your photos (2)")).to_be_visible()
        expect(main(page_b).locator('[data-testid="stImage"] img')).to_have_count(2)
        names = garment_names(database)
        assert names
        for name in set(names):
            expect(main(page_b).get_by_text(name).first).to_be_visible()
        expect(main(page_b).locator('[data-testid="stImage"] img')).to_have_count(2)
        # The garments' crops, read from the bucket by B (drawn inline next to each garment).
        expect(main(page_b).locator('img[src^="data:image/jpeg"]').first).to_be_visible()
        wait_images_loaded(page_b)
        screenshot(page_b, "replica-b-images")
        # Replica B: a mock-up preview.
        go_to(page_b, "Preview")
        page_b.get_by_role("radio", name="Type a piece").check()
        main(page_b).get_by_role("textbox", name="Piece").fill("red beanie")
        main(page_b).get_by_role("textbox", name="Piece").press("Enter")
        page_b.get_by_role("button", name="Generate the preview").click()
        expect(main(page_b).get_by_text("Mock-up (no webui configured)")).to_be_visible()
        # Replica A: the preview is in its gallery.
        go_to(page_a, "Preview")
        gallery = main(page_a).locator('[data-testid="stVerticalBlock"]').filter(
            has=page_a.get_by_text(re.compile(r"Red beanie.* on image \d")))
        expect(gallery.locator('[data-testid="stImage"] img').first).to_be_visible()
        wait_images_loaded(page_a)
        screenshot(page_a, "replica-a-preview")
    finally:
        ctx_a.close()
        ctx_b.close()
    # Nothing on either replica's disk: the objects are in the bucket.
    for server in (a, b):
        assert not any((server.data_dir / kind).exists() for kind in ("photos", "thumbs", "previews", "crops"))
    keys = [o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert sum(k.startswith("photos/") for k in keys) == 2 and sum(k.startswith("previews/") for k in keys) == 1
    assert any(k.startswith("crops/") for k in keys)


def statuses(engine: Engine) -> list[tuple[int, str, bool]]:
    """(number, status, claimed) of every photo."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, status, claimed_at IS NOT NULL FROM photo ORDER BY number"))
        return [(int(n), str(s), bool(c)) for n, s, c in rows]


def test_a_server_killed_mid_batch_loses_nothing(chromium_browser, tmp_path: Path,  # noqa: ANN001
                                                 mistral_server: MistralServer) -> None:
    from playwright.sync_api import expect

    # Each analysis takes 1.5 s at the (local) Mistral server: time to kill the server mid-batch.
    mistral_server.queue(*[delay(1.5, json.dumps(GOOD)) for _ in range(4)])
    secrets = {"MISTRAL_API_KEY": "test-key", "MISTRAL_SERVER_URL": mistral_server.url, "RELOOKX_ANALYZER": "mistral"}
    home = tmp_path / "server"
    server = start_server(home, **secrets)
    files = photo_files(tmp_path, 4)
    context, page = new_page(chromium_browser)
    try:
        open_app(page, server)
        sign_up(page, "alice", PASSWORD)
        go_to(page, "Images")
        upload(page, files)
        engine = make_engine(f"sqlite:///{server.data_dir / 'relookx.db'}")
        deadline = time.monotonic() + 60
        while not (len(rows := statuses(engine)) == 4 and any(claimed for _, _, claimed in rows)):
            assert time.monotonic() < deadline, rows
            time.sleep(0.05)
        server.process.kill()  # SIGKILL in the middle of the analyses
        server.process.wait(timeout=10)
        rows = statuses(engine)
        assert [n for n, _, _ in rows] == [1, 2, 3, 4]
        assert any(status == "pending" for _, status, _ in rows), rows
        storage = LocalStorage(server.data_dir)
        with engine.connect() as conn:
            hashes = [h for (h,) in conn.execute(text("SELECT content_hash FROM photo"))]
        assert all(storage.exists(h) and storage.read_thumb(h) for h in hashes)  # every photo stored

        # Restart on the same data: opening Images resumes the photos nobody is analysing, and the one
        # whose analysis was cut short (its claim is still fresh) waits with "Analyse now".
        mistral_server.queue(*[json.dumps(GOOD) for _ in range(4)])
        server = start_server(home, **secrets)
        open_app(page, server)
        sign_in(page, "alice")
        go_to(page, "Images")
        expect(main(page).get_by_text("Your photos (4)")).to_be_visible()
        interrupted = [n for n, status, claimed in rows if status == "pending" and claimed]
        screenshot(page, "resume-after-restart")
        expect(main(page).get_by_role("button", name="Analyse now")).to_have_count(len(interrupted))
        for number in interrupted:
            main(page).locator(f".st-key-analyze_{number} button").click()
            expect(page.get_by_text(f"Image {number} analysed.")).to_be_visible(timeout=60_000)  # the toast
        expect(main(page).get_by_role("button", name="Analyse now")).to_have_count(0)
        assert [s for _, s, _ in statuses(engine)] == ["done"] * 4
        engine.dispose()
    finally:
        context.close()
        stop_server(server)


def test_a_preview_cut_short_by_a_restart_is_marked_and_runs_again(chromium_browser, tmp_path: Path) -> None:  # noqa: ANN001
    from datetime import timedelta

    from playwright.sync_api import expect
    from sqlalchemy import update

    from relookx.models import PreviewJob, utcnow
    from tests.sd_server import SDServer

    webui = SDServer(delay_s=30.0).start()  # a long generation: the server is killed in the middle
    home = tmp_path / "server"
    server = start_server(home, RELOOKX_SD_URL=webui.url)
    [photo] = photo_files(tmp_path, 1)
    context, page = new_page(chromium_browser)
    engine = make_engine(f"sqlite:///{server.data_dir / 'relookx.db'}")
    try:
        open_app(page, server)
        sign_up(page, "alice", PASSWORD)
        go_to(page, "Images")
        upload(page, [photo])
        expect(main(page).get_by_text("Your photos (1)")).to_be_visible()
        go_to(page, "Preview")
        main(page).get_by_role("textbox", name="Piece").fill("camel wool coat")
        main(page).get_by_role("textbox", name="Piece").press("Enter")
        main(page).get_by_text("New look (generate a new image)").click()
        page.get_by_role("button", name="Generate the preview").click()
        expect(main(page).get_by_text(re.compile(r"step \d+ of \d+"))).to_be_visible(timeout=30_000)
        server.process.kill()  # SIGKILL mid-generation: nobody will finish or save this job
        server.process.wait(timeout=10)

        def age_job(seconds: float) -> None:  # time passes without a heartbeat
            with engine.begin() as conn:
                conn.execute(update(PreviewJob).values(heartbeat_at=utcnow() - timedelta(seconds=seconds)))

        age_job(30)
        webui.delay_s = 1.0
        server = start_server(home, RELOOKX_SD_URL=webui.url)
        open_app(page, server)
        sign_in(page, "alice")
        go_to(page, "Preview")
        expect(main(page).get_by_text(re.compile(r"No news from the app running this preview"))).to_be_visible()
        screenshot(page, "preview-no-news")
        age_job(120)  # past STALE_S: the page marks it interrupted by itself
        expect(main(page).get_by_text("The preview did not finish")).to_be_visible(timeout=30_000)
        expect(main(page).get_by_text(re.compile("restart or a redeploy"))).to_be_visible()
        screenshot(page, "preview-interrupted")
        main(page).get_by_role("button", name="Run again").click()
        expect(main(page).get_by_text("Generated by the webui")).to_be_visible(timeout=60_000)
        screenshot(page, "preview-run-again")
        with engine.connect() as conn:
            jobs = conn.execute(text("SELECT status, dismissed, mode FROM previewjob ORDER BY id")).all()
        assert [(s, bool(d), m) for s, d, m in jobs] == [("abandoned", True, "newlook"), ("done", False, "newlook")]

        # A second session (another tab, after the restart) finds it in the list of interrupted previews.
        with engine.begin() as conn:
            conn.execute(update(PreviewJob).where(PreviewJob.status == "abandoned")  # type: ignore[arg-type]
                         .values(dismissed=False))
        other, page2 = new_page(chromium_browser)
        try:
            open_app(page2, server)
            sign_in(page2, "alice")
            go_to(page2, "Preview")
            expect(main(page2).get_by_text("Interrupted previews (1)")).to_be_visible()
            wait_images_loaded(page2)
            screenshot(page2, "preview-interrupted-list")
        finally:
            other.close()
    finally:
        engine.dispose()
        context.close()
        stop_server(server)
        webui.stop()
