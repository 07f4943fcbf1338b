"""The Mistral client and the few helpers every Mistral caller shares.

`make_client` builds one configured `Mistral` client (key, host, timeout, retries on 429/5xx);
`complete_json` asks for structured output and validates it (one corrective retry);
`stream_text` yields the pieces of a streamed answer; `explain_error` turns SDK and transport
exceptions into messages a user can act on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast

import httpx2
import pydantic
from mistralai.client import Mistral, errors
from mistralai.client.utils import BackoffStrategy, RetryConfig
from mistralai.extra.utils.response_format import response_format_from_pydantic_model

from relookx.config import Settings
from relookx.errors import ConfigError, RelookXError, ServiceError
from relookx.ratelimit import shared_limiter

log = logging.getLogger(__name__)

Message = dict[str, Any]
TModel = TypeVar("TModel", bound=pydantic.BaseModel)

# Exceptions a Mistral call can raise: HTTP errors and undecodable answers from the SDK, and
# transport failures (timeouts, refused connections) from httpx2, which the SDK does not wrap.
SDK_EXCEPTIONS: tuple[type[Exception], ...] = (
    errors.MistralError,
    errors.NoResponseError,
    httpx2.HTTPError,
)

RETRY_INITIAL_MS = 500
RETRY_MAX_INTERVAL_MS = 8_000
RETRY_EXPONENT = 2.0


def make_client(settings: Settings) -> Mistral:
    """Build a Mistral client from the settings: key, host, per-call timeout and retry budget."""
    if not settings.mistral_api_key:
        raise ConfigError(
            "No Mistral API key: set MISTRAL_API_KEY in .streamlit/secrets.toml or the environment."
        )
    retry = RetryConfig(
        "backoff",
        BackoffStrategy(
            initial_interval=RETRY_INITIAL_MS,
            max_interval=RETRY_MAX_INTERVAL_MS,
            exponent=RETRY_EXPONENT,
            max_elapsed_time=int(settings.mistral_retry_budget_s * 1000),
        ),
        retry_connection_errors=True,
    )
    kwargs: dict[str, Any] = {}
    if settings.mistral_server_url:
        kwargs["server_url"] = settings.mistral_server_url
    # One limiter per host and key for the whole process: the analyzer, the stylist and the chat share
    # the account's rate, and every HTTP attempt (the SDK's retries included) waits for its slot.
    key_id = hashlib.sha256(settings.mistral_api_key.encode()).hexdigest()[:12]
    limiter = shared_limiter(f"{settings.mistral_server_url or 'mistral'}|{key_id}", settings.mistral_rps)
    http = httpx2.Client(follow_redirects=True, event_hooks={"request": [lambda _request: limiter.acquire()]})
    return Mistral(
        api_key=settings.mistral_api_key,
        timeout_ms=int(settings.mistral_timeout_s * 1000),
        retry_config=retry,
        client=http,
        **kwargs,
    )


def _chunk_text(chunk: Any) -> str:
    if isinstance(chunk, str):
        return chunk
    if isinstance(chunk, dict):
        kind, text = chunk.get("type"), chunk.get("text")
    else:
        kind, text = getattr(chunk, "type", None), getattr(chunk, "text", None)
    # Only text chunks count: thinking, image and reference chunks are not part of the answer.
    if kind in (None, "text") and isinstance(text, str):
        return text
    return ""


def message_text(content: Any) -> str:
    """The text of a message or delta `content`: None/unset, a string or a list of chunks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_chunk_text(chunk) for chunk in content)
    return ""  # None, or the SDK's UNSET sentinel


def json_schema_format(schema: type[pydantic.BaseModel]) -> dict[str, Any]:
    """The strict `json_schema` response_format for a pydantic model (what `chat.parse` sends)."""
    return cast(dict[str, Any], response_format_from_pydantic_model(schema))


def _server_message(body: str) -> str:
    """The human part of an error body: `message`, or the `detail` of a validation error."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return body.strip()[:300]
    if isinstance(data, dict):
        message = data.get("message")
        if isinstance(message, str) and message:
            return message
        if isinstance(message, dict | list):
            return json.dumps(message)[:300]
        detail = data.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, list):
            parts = []
            for item in detail:
                if isinstance(item, dict):
                    loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                    parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
            if parts:
                return "; ".join(parts)
    return body.strip()[:300]


def _request_host(exc: httpx2.HTTPError) -> str:
    try:
        url = exc.request.url
    except RuntimeError:  # raised when the exception carries no request
        return "the configured server"
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _request_timeout(exc: httpx2.HTTPError) -> float | None:
    try:
        timeout = exc.request.extensions.get("timeout")
    except RuntimeError:
        return None
    if isinstance(timeout, dict):
        values = [v for v in timeout.values() if isinstance(v, int | float)]
        return max(values) if values else None
    return None


def explain_error(exc: BaseException, *, timeout_s: float | None = None) -> str:
    """A message a user can act on for an exception raised by a Mistral call."""
    if isinstance(exc, errors.MistralError):
        status = exc.status_code
        if status in (401, 403):
            return "Mistral refused the API key: check MISTRAL_API_KEY."
        if status == 429:
            return "Mistral rate limit reached (free tier allows 1 request/s); try again in a moment."
        if status >= 500:
            return f"Mistral is unavailable (HTTP {status}); try again later."
        if status >= 400:
            return f"Mistral rejected the request (HTTP {status}): {_server_message(exc.body)}"
        return f"Mistral sent an answer RelookX could not read (HTTP {status})."
    if isinstance(exc, httpx2.TimeoutException):
        seconds = timeout_s if timeout_s is not None else _request_timeout(exc)
        within = f" within {seconds:g} s" if seconds is not None else " in time"
        return f"Mistral did not answer{within}; try again, or raise RELOOKX_MISTRAL_TIMEOUT_S."
    if isinstance(exc, httpx2.ConnectError):
        return f"Cannot reach Mistral at {_request_host(exc)}: check the network or MISTRAL_SERVER_URL."
    if isinstance(exc, httpx2.HTTPError | errors.NoResponseError):
        return f"The connection to Mistral failed: {exc}"
    if isinstance(exc, RelookXError):
        return str(exc)
    return f"Mistral call failed: {exc}"


def _strip_fences(text: str) -> str:
    """The JSON inside a ```json ... ``` fence, which some models add even in JSON mode."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and len(stripped) >= 6:
        body = stripped[3:-3]
        first_line, _, rest = body.partition("\n")
        return (rest if first_line.strip().isalpha() or not first_line.strip() else body).strip()
    return stripped


def _short_error(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        errors = exc.errors()
        if not errors:
            return "invalid"
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"])
        kind = "invalid JSON" if first["type"] == "json_invalid" else first["msg"]
        return f"{where}: {kind}" if where else kind
    return str(exc)


def complete_json(
    client: Mistral,
    *,
    model: str,
    messages: Sequence[Message],
    schema: type[TModel],
    timeout_s: float,
    temperature: float = 0.2,
    max_tokens: int = 2048,
    error_cls: type[RelookXError] = ServiceError,
) -> TModel:
    """Ask for JSON matching `schema`, validate it, retry once on invalid output, else raise."""
    history: list[Message] = list(messages)
    response_format = json_schema_format(schema)
    problem = ""
    for attempt in (1, 2):
        started = time.monotonic()
        try:
            res = client.chat.complete(
                model=model,
                messages=cast(Any, history),
                response_format=cast(Any, response_format),
                temperature=temperature,
                max_tokens=max_tokens,
                timeout_ms=int(timeout_s * 1000),
            )
        except SDK_EXCEPTIONS as exc:
            log.warning("Mistral %s call failed: %s: %s", model, type(exc).__name__, exc)
            raise error_cls(explain_error(exc, timeout_s=timeout_s)) from exc
        choice = res.choices[0] if res.choices else None
        text = message_text(choice.message.content if choice and choice.message else None)
        usage = res.usage
        log.info(
            "Mistral %s answered in %.2f s (attempt %d, %s prompt + %s completion tokens)",
            res.model, time.monotonic() - started, attempt,
            usage.prompt_tokens if usage else "?", usage.completion_tokens if usage else "?",
        )
        try:
            return schema.model_validate_json(_strip_fences(text))
        except pydantic.ValidationError as exc:
            problem = _short_error(exc)
            if choice is not None and choice.finish_reason == "length":
                problem += f" (the answer was cut at max_tokens={max_tokens})"
            log.warning("Mistral %s gave invalid %s output (attempt %d): %s",
                        model, schema.__name__, attempt, problem)
        history = [
            *history,
            {"role": "assistant", "content": text},
            {
                "role": "user",
                "content": (
                    f"Your answer was not valid ({problem}). Reply again with only one JSON object "
                    "that matches the requested schema exactly: no prose, no markdown fences."
                ),
            },
        ]
    raise error_cls(
        f"Mistral model {model} twice returned output that does not match the expected format "
        f"({problem}); try again, or pick another model."
    )


def stream_text(
    client: Mistral,
    *,
    model: str,
    messages: Sequence[Message],
    timeout_s: float,
    temperature: float = 0.7,
    max_tokens: int | None = None,
    error_cls: type[RelookXError] = ServiceError,
) -> Iterator[str]:
    """Yield the text pieces of a streamed chat answer (thinking chunks skipped)."""
    extra: dict[str, Any] = {} if max_tokens is None else {"max_tokens": max_tokens}
    try:
        with client.chat.stream(
            model=model,
            messages=cast(Any, list(messages)),
            temperature=temperature,
            timeout_ms=int(timeout_s * 1000),
            **extra,
        ) as events:
            for event in events:
                for choice in event.data.choices[:1]:
                    piece = message_text(choice.delta.content)
                    if piece:
                        yield piece
    except SDK_EXCEPTIONS as exc:
        log.warning("Mistral %s stream failed: %s: %s", model, type(exc).__name__, exc)
        raise error_cls(explain_error(exc, timeout_s=timeout_s)) from exc
