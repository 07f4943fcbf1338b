"""Browser-test helpers: the app under `streamlit run`, Debian's headless Chromium and page helpers.

Imported by the browser test modules (not a conftest), so only they start a server and a browser:

    from tests import browser
    app_server, chromium_browser, app_page = browser.app_server, browser.chromium_browser, browser.app_page

The fixtures are deliberately not named `browser`/`page`: pytest-playwright (installed) owns those
names, would parametrize the tests by --browser and launch its own (absent) browser build.

Chromium is Debian's /usr/bin/chromium (Playwright cannot download its own browser here). When it
is missing the tests skip and say why, except under CI=true where `tests.services.missing` fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.services import free_port, missing

CHROMIUM = Path(os.environ.get("RELOOKX_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 20_000  # default for expect() and locator actions: generous, the app answers in ~1-2 s
SERVER_START_S = 30.0
# Settings the server must not inherit from the developer's shell.
SCRUBBED_ENV = ("MISTRAL_API_KEY", "MISTRAL_SERVER_URL", "RELOOKX_DATABASE_URL", "RELOOKX_ANALYZER",
                "RELOOKX_DATA_DIR")
APP_IDLE = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
            '[data-test-script-state="notRunning"]')


# --------------------------------------------------------------------------------------------- server


@dataclass
class AppServer:
    """A running `streamlit run Home.py`: its base URL, data dir and log file."""

    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def log(self, tail: int = 6000) -> str:
        """The end of the server's combined stdout and stderr."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def start_server(tmp: Path, **extra_secrets: str) -> AppServer:
    """Start the app on a free loopback port with its data in `tmp`; wait until /_stcore/health is ok."""
    data_dir = tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    # Root keys of a secrets file override the environment, so never read the developer's
    # .streamlit/secrets.toml: point Streamlit at a file of our own.
    secrets = tmp / "secrets.toml"
    values = {"RELOOKX_DATA_DIR": data_dir.as_posix(), "RELOOKX_ANALYZER": "offline", **extra_secrets}
    secrets.write_text("".join(f'{key} = "{value}"\n' for key, value in values.items()))
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(RELOOKX_DATA_DIR=str(data_dir), RELOOKX_ANALYZER="offline", PYTHONUNBUFFERED="1")
    log_path = tmp / "streamlit.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             "--secrets.files", str(secrets)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    server = AppServer(url=url, data_dir=data_dir, log_path=log_path, process=process)
    deadline = time.monotonic() + SERVER_START_S
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"streamlit did not become healthy on {url} (exit code {process.returncode}):\n"
                        f"{server.log()}")
        time.sleep(0.1)
    return server


def stop_server(server: AppServer) -> None:
    """Terminate the server (kill it if it does not stop within 10 s)."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """RelookX under `streamlit run` on a fresh data dir, offline analyzer, no Mistral key.

    Use `.url` for the base URL. The server log is printed when a test using `page` fails.
    """
    server = start_server(tmp_path_factory.mktemp("relookx-browser"))
    try:
        yield server
    finally:
        stop_server(server)


# -------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright's sync API."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-color-emoji)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def app_page(chromium_browser, app_server: AppServer, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context and page (1400x1000). On failure: a screenshot, console errors, server log."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = chromium_browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    pg.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}")
          if msg.type == "error" else None)
    safe_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    failure_shot = SCREENSHOTS / f"FAILED-{safe_name}.png"
    failure_shot.unlink(missing_ok=True)  # from an earlier failed run
    failed_before = request.session.testsfailed
    try:
        yield pg
    finally:
        if request.session.testsfailed > failed_before:  # the call phase of this test failed
            try:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                pg.screenshot(path=str(failure_shot), full_page=True)
                print(f"failure screenshot: {failure_shot}")
            except Exception as exc:  # noqa: BLE001 - best effort while reporting a failure
                print(f"(no failure screenshot: {exc})")
            print("--- browser console errors ---\n" + "\n".join(problems[-30:]))
            print(f"--- streamlit log ({app_server.log_path}) ---\n{app_server.log()}")
        context.close()


# ------------------------------------------------------------------------------------------- helpers


def wait_idle(pg, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the app is connected and no script runs.

    Only reliable as a first-render wait, or after the expected content is already visible: right
    after a click the script may not have started yet.
    """
    pg.locator(APP_IDLE).wait_for(state="attached", timeout=timeout)


def open_app(pg, server: AppServer) -> None:
    """Open the app (a new Streamlit session) and wait for the first render."""
    pg.goto(server.url)
    wait_idle(pg)


def main(pg):
    """The main area (not the sidebar)."""
    # stMain, or stAppScrollToBottomContainer on a page with a chat input pinned to the bottom.
    return pg.locator('[data-testid="stMainBlockContainer"]')


def go_to(pg, title: str, heading: str | None = None) -> None:
    """Click a page in the sidebar navigation and wait for its heading (the title by default)."""
    from playwright.sync_api import expect

    pg.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    expect(main(pg).locator("h1").first).to_contain_text(heading or title)


def wait_images_loaded(pg) -> None:
    """Wait until every <img> on the page has loaded (st.image loads after the script ends)."""
    pg.wait_for_function(
        "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        timeout=TIMEOUT_MS,
    )


def _next_frames(pg, frames: int = 2) -> None:
    """Wait for the browser to render `frames` animation frames."""
    pg.evaluate("n => new Promise(r => { const f = k => k ? requestAnimationFrame(() => f(k - 1)) : r(); f(n); })",
                frames)


def screenshot(pg, name: str) -> Path:
    """A full-page screenshot in artifacts/screenshots/<name>.png, once the page is idle and loaded.

    Streamlit scrolls inside its main container, not the document, so Playwright's full_page would
    only capture the viewport: the viewport is grown to the content's height for the capture.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Park the mouse on an empty spot: no hover colours, no sidebar collapse button in the capture.
    size = pg.viewport_size or VIEWPORT
    pg.mouse.move(size["width"] - 5, size["height"] - 5)
    wait_idle(pg)
    wait_images_loaded(pg)
    height = pg.evaluate(
        """() => {
            const m = document.querySelector(
                '[data-testid="stMain"], [data-testid="stAppScrollToBottomContainer"]');
            return Math.max(document.documentElement.scrollHeight, m ? m.scrollHeight : 0);
        }"""
    )
    path = SCREENSHOTS / f"{name}.png"
    grown = min(max(int(height), size["height"]), 6000)
    if grown > size["height"]:
        pg.set_viewport_size({"width": size["width"], "height": grown})
        _next_frames(pg)  # the width is unchanged: one layout pass at the new height is enough
        wait_images_loaded(pg)
    try:
        pg.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        if grown > size["height"]:
            pg.set_viewport_size(size)
    return path


def sign_up(pg, username: str, password: str) -> None:
    """On the sign-in page: create an account and land on Home."""
    from playwright.sync_api import expect

    pg.get_by_role("tab", name="Create an account").click()
    form = pg.locator('[data-testid="stForm"]').filter(has=pg.get_by_text("Repeat the password"))
    expect(form).to_be_visible()
    form.get_by_role("textbox", name="Username", exact=True).fill(username)
    form.get_by_role("textbox", name="Password", exact=True).fill(password)
    form.get_by_role("textbox", name="Repeat the password", exact=True).fill(password)
    form.get_by_role("button", name="Create my account").click()
    expect(main(pg).locator("h1").first).to_contain_text(f"Hello, {username}")


def upload(pg, paths: list[Path]) -> None:
    """Attach files to the Images page's uploader and submit the form once they are uploaded."""
    from playwright.sync_api import expect

    uploader = pg.locator('[data-testid="stFileUploader"]')
    uploader.locator('input[type="file"]').set_input_files([str(p) for p in paths])
    for p in paths:
        expect(uploader).to_contain_text(p.name)
    submit = pg.get_by_role("button", name="Upload and analyse")
    expect(submit).to_be_enabled()  # disabled while the files are still being sent
    submit.click()
