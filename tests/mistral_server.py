"""A local HTTP server that answers like the Mistral API, so tests run the real SDK against it.

Queue replies with `server.queue(...)`: a string becomes the assistant's content, any other
JSON-able value is sent as `json.dumps(value)` content, and a `Reply` (see `error`, `delay`,
`rate_limited`, `unauthorized`, `server_error`) controls status, body, headers and latency.
When the queue is empty `server.default(request_json)` answers (it echoes the last user text
unless a test replaces it). Every request is recorded in `server.requests`.

Used as a pytest plugin (`pytest_plugins = ["tests.mistral_server"]`): fixtures `mistral_server`
and `mistral_settings`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from relookx.config import Settings

DEFAULT_MODEL = "mistral-small-latest"


@dataclass
class Reply:
    """One scripted answer: assistant content (status 200) or an error status with a body."""

    content: str | list[dict[str, Any]] | None = None  # a list: content chunks (text, thinking)
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunks: list[Any] | None = None  # stream deltas (str or chunk lists); default: content split into words
    tool_calls: list[dict[str, Any]] | None = None
    finish_reason: str | None = None


@dataclass
class RecordedRequest:
    """What the server received."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    size: int  # bytes of the raw request body
    time: float  # time.monotonic() on arrival

    @property
    def content_parts(self) -> list[dict[str, Any]]:
        """The content parts of every message, strings turned into text parts."""
        parts: list[dict[str, Any]] = []
        for message in (self.json or {}).get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append({"type": "text", "text": content})
            elif isinstance(content, list):
                parts.extend(content)
        return parts


def text(content: str, *, delay: float = 0.0) -> Reply:
    """An assistant answer with this content."""
    return Reply(content=content, delay=delay)


def error(status: int, body: Any = None, *, headers: dict[str, str] | None = None,
          delay: float = 0.0) -> Reply:
    """An error answer; the body defaults to the shape the real API sends for that status."""
    return Reply(status=status, body=body if body is not None else error_body(status),
                 headers=dict(headers or {}), delay=delay)


def rate_limited(retry_after: str | None = "0.01") -> Reply:
    """A 429 like the real one (free tier: 1 request/s), with a short Retry-After by default."""
    return error(429, headers={"Retry-After": retry_after} if retry_after is not None else None)


def unauthorized() -> Reply:
    """A 401 like the real one."""
    return error(401)


def server_error(status: int = 500) -> Reply:
    """A 5xx like the real one."""
    return error(status)


def delay(seconds: float, reply: Reply | str | Any = None) -> Reply:
    """Wait `seconds` before answering `reply` (default: the echo answer)."""
    r = _as_reply(reply) if reply is not None else Reply(content="")
    r.delay = seconds
    return r


def error_body(status: int) -> dict[str, Any]:
    """The body the real API sends for an error status."""
    if status == 401:
        return {"message": "Unauthorized", "request_id": uuid.uuid4().hex}
    if status == 429:
        return {"object": "error", "message": "Rate limit exceeded", "type": "rate_limited",
                "param": None, "code": "1300"}
    if status == 422:
        return {"detail": [{"type": "missing", "loc": ["body", "model"], "msg": "Field required"}]}
    if status >= 500:
        return {"object": "error", "message": "Internal server error", "type": "internal_server_error",
                "param": None, "code": "3000"}
    return {"object": "error", "message": f"Error {status}", "type": "invalid_request_error",
            "param": None, "code": None}


def _as_reply(item: Any) -> Reply:
    if isinstance(item, Reply):
        return item
    if isinstance(item, str):
        return Reply(content=item)
    return Reply(content=json.dumps(item))


def last_user_text(request_json: Any) -> str:
    """The text of the last user message of a chat request."""
    for message in reversed((request_json or {}).get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "".join(p.get("text", "") for p in content if p.get("type") == "text")
    return ""


def echo(request_json: Any) -> Reply:
    """The default answer: echo the last user text."""
    return Reply(content=f"echo: {last_user_text(request_json)}")


class MistralServer:
    """A Mistral-compatible server on 127.0.0.1 (a free port), run in a background thread."""

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key  # when set, other keys get a 401 like the real API
        self.default: Callable[[Any], Reply | str | Any] = echo
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name="mistral-server", daemon=True,
        )

    @property
    def url(self) -> str:
        """The host root to pass as `server_url` (no /v1)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> MistralServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake handlers that are still sleeping on a delay."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MistralServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def queue(self, *items: Reply | str | Any) -> MistralServer:
        """Append replies: strings are content, `Reply` as is, anything else is JSON content."""
        with self._lock:
            self._replies.extend(_as_reply(item) for item in items)
        return self

    def queue_json(self, value: Any) -> MistralServer:
        """Append a reply whose content is `json.dumps(value)` (even for a string)."""
        return self.queue(Reply(content=json.dumps(value)))

    @property
    def pending(self) -> int:
        """How many queued replies are left."""
        with self._lock:
            return len(self._replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded POST /v1/chat/completions requests."""
        with self._lock:
            return [r for r in self.requests if r.path == "/v1/chat/completions"]

    @property
    def last(self) -> RecordedRequest:
        """The most recent request."""
        with self._lock:
            return self.requests[-1]

    def _next_reply(self, request_json: Any) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return _as_reply(self.default(request_json))

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _usage(content: str | list[dict[str, Any]] | None) -> dict[str, int]:
    completion = max(1, len(content or "") // 4)
    return {"prompt_tokens": 100, "completion_tokens": completion, "total_tokens": 100 + completion}


def _completion(reply: Reply, model: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "object": "chat.completion",
        "model": model,
        "created": int(time.time()),
        "usage": _usage(reply.content),
        "choices": [{
            "index": 0,
            "finish_reason": reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
            "message": {"role": "assistant", "content": reply.content or "", "tool_calls": reply.tool_calls},
        }],
    }


def _stream_pieces(reply: Reply) -> list[Any]:
    if reply.chunks is not None:
        return reply.chunks
    if not isinstance(reply.content, str) or not reply.content:
        return []
    words = reply.content.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words)]


def _make_handler(server: MistralServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # keep test output clean

        def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)

        def _read(self) -> tuple[bytes, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return raw, json.loads(raw) if raw else None
            except ValueError:
                return raw, None

        def _record(self, raw: bytes, body: Any) -> None:
            server._record(RecordedRequest(
                method=self.command, path=self.path.split("?", 1)[0],
                headers={k.lower(): v for k, v in self.headers.items()},
                json=body, size=len(raw), time=time.monotonic(),
            ))

        def _authorized(self) -> bool:
            if server.api_key is None or self.headers.get("Authorization") == f"Bearer {server.api_key}":
                return True
            self._send_json(401, error_body(401))
            return False

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            self._record(b"", None)
            if not self._authorized():
                return
            if self.path.split("?", 1)[0] != "/v1/models":
                self._send_json(404, {"detail": "Not Found"})
                return
            caps = {"completion_chat": True, "function_calling": True, "vision": True}
            self._send_json(200, {"object": "list", "data": [
                {"id": DEFAULT_MODEL, "object": "model", "created": int(time.time()),
                 "owned_by": "mistralai", "capabilities": caps, "type": "base"},
            ]})

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            raw, body = self._read()
            self._record(raw, body)
            if not self._authorized():
                return
            if self.path.split("?", 1)[0] != "/v1/chat/completions":
                self._send_json(404, {"detail": "Not Found"})
                return
            if not isinstance(body, dict) or "model" not in body or "messages" not in body:
                self._send_json(422, error_body(422))
                return
            reply = server._next_reply(body)
            if reply.delay and server._stopping.wait(reply.delay):
                return
            try:
                if reply.status >= 400:
                    self._send_json(reply.status, reply.body, reply.headers)
                elif body.get("stream"):
                    self._stream(reply, body["model"])
                else:
                    self._send_json(reply.status, _completion(reply, body["model"]), reply.headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to answer

        def _stream(self, reply: Reply, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            cid, created = uuid.uuid4().hex, int(time.time())

            def event(delta: dict[str, Any], finish: str | None, **extra: Any) -> None:
                chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            event({"role": "assistant", "content": ""}, None)
            for piece in _stream_pieces(reply):
                event({"content": piece}, None)
            event({"content": ""}, reply.finish_reason or "stop", usage=_usage(reply.content))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


@pytest.fixture
def mistral_server() -> Iterator[MistralServer]:
    """A running local Mistral-compatible server, stopped after the test."""
    with MistralServer() as server:
        yield server


@pytest.fixture
def mistral_settings(mistral_server: MistralServer, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at `mistral_server` with a test key and short timeouts."""
    monkeypatch.delenv("MISTRAL_API_KEY", raising=False)
    return Settings(
        mistral_api_key="test-key",
        mistral_server_url=mistral_server.url,
        analyzer="mistral",
        mistral_timeout_s=5.0,
        mistral_retry_budget_s=3.0,
        mistral_rps=0.0,  # no client-side limit unless a test sets one (tests/test_bulk_analysis.py)
        data_dir=tmp_path,
    )
