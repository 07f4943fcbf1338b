"""relookx.llm against a local Mistral-compatible server, through the real SDK."""

from __future__ import annotations

import json
import time

import pytest
from mistralai.client import models
from mistralai.client.types import UNSET
from pydantic import BaseModel

from relookx import llm
from relookx.config import Settings, with_overrides
from relookx.errors import AnalysisError, ConfigError, ServiceError
from tests.mistral_server import (
    MistralServer,
    Reply,
    delay,
    error,
    rate_limited,
    server_error,
    unauthorized,
)
from tests.services import free_port

USER = [{"role": "user", "content": "Name a colour."}]


class Colour(BaseModel):
    name: str
    hex: str


def ask(settings: Settings, **kwargs: object) -> Colour:
    client = llm.make_client(settings)
    params: dict = {"model": "test-model", "messages": USER, "schema": Colour,
                    "timeout_s": settings.mistral_timeout_s, **kwargs}
    return llm.complete_json(client, **params)


def test_make_client_needs_a_key(tmp_path):
    hint = "set MISTRAL_API_KEY in .streamlit/secrets.toml or the environment"
    with pytest.raises(ConfigError, match=hint):
        llm.make_client(Settings(data_dir=tmp_path))


def test_make_client_applies_settings(mistral_settings):
    client = llm.make_client(mistral_settings)
    config = client.sdk_configuration
    assert config.server_url == mistral_settings.mistral_server_url
    assert config.timeout_ms == 5000
    retry = config.retry_config
    assert retry.strategy == "backoff" and retry.retry_connection_errors
    backoff = retry.backoff
    assert (backoff.initial_interval, backoff.max_interval, backoff.exponent) == (500, 8000, 2)
    assert backoff.max_elapsed_time == 3000


def test_make_client_defaults_to_the_public_api(tmp_path):
    client = llm.make_client(Settings(mistral_api_key="k", data_dir=tmp_path))
    assert client.sdk_configuration.get_server_details()[0] == "https://api.mistral.ai"


def test_complete_json_sends_a_strict_schema_and_parses(mistral_server, mistral_settings):
    mistral_server.queue({"name": "navy", "hex": "#1f2a44"})
    assert ask(mistral_settings, temperature=0.1, max_tokens=300) == Colour(name="navy", hex="#1f2a44")
    (req,) = mistral_server.chat_requests
    assert req.headers["authorization"] == "Bearer test-key"
    body = req.json
    assert body["model"] == "test-model" and body["temperature"] == 0.1 and body["max_tokens"] == 300
    assert body["messages"] == USER
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == ["name", "hex"] and schema["additionalProperties"] is False


def test_complete_json_retries_once_on_invalid_json(mistral_server, mistral_settings):
    mistral_server.queue("Sure! The colour is navy.", {"name": "navy", "hex": "#1f2a44"})
    assert ask(mistral_settings).name == "navy"
    first, second = mistral_server.chat_requests
    retry_messages = second.json["messages"]
    assert retry_messages[: len(USER)] == USER
    assert retry_messages[1]["role"] == "assistant"
    assert retry_messages[1]["content"] == "Sure! The colour is navy."
    assert retry_messages[2]["role"] == "user" and "invalid JSON" in retry_messages[2]["content"]
    assert second.json["response_format"] == first.json["response_format"]


def test_complete_json_retries_once_on_a_schema_mismatch(mistral_server, mistral_settings):
    mistral_server.queue({"name": "navy"}, {"name": "navy", "hex": "#1f2a44"})
    assert ask(mistral_settings).hex == "#1f2a44"
    assert "hex" in mistral_server.chat_requests[1].json["messages"][-1]["content"]


def test_complete_json_fails_after_two_invalid_answers(mistral_server, mistral_settings):
    mistral_server.queue("not json", '{"name": ')
    with pytest.raises(AnalysisError, match="twice returned output.*invalid JSON"):
        ask(mistral_settings, error_cls=AnalysisError)
    assert len(mistral_server.chat_requests) == 2


def test_complete_json_explains_a_truncated_answer(mistral_server, mistral_settings):
    cut = Reply(content='{"name": "na', finish_reason="length")
    mistral_server.queue(cut, Reply(content='{"name": "na', finish_reason="length"))
    with pytest.raises(ServiceError, match="max_tokens=50"):
        ask(mistral_settings, max_tokens=50)


def test_rate_limit_is_retried(mistral_server, mistral_settings):
    mistral_server.queue(rate_limited("0.01"), {"name": "red", "hex": "#ff0000"})
    assert ask(mistral_settings).name == "red"
    assert len(mistral_server.chat_requests) == 2


def test_persistent_rate_limit_says_so(mistral_server, mistral_settings):
    mistral_server.default = lambda _req: rate_limited("0.05")
    with pytest.raises(ServiceError, match="rate limit reached"):
        ask(with_overrides(mistral_settings, mistral_retry_budget_s=0.3))
    assert len(mistral_server.chat_requests) >= 2


def test_persistent_server_error_stops_within_the_budget(mistral_server, mistral_settings):
    mistral_server.default = lambda _req: server_error(503)
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"Mistral is unavailable \(HTTP 503\)"):
        ask(with_overrides(mistral_settings, mistral_retry_budget_s=0.5))
    assert time.monotonic() - started < 10
    assert len(mistral_server.chat_requests) >= 2


def test_unauthorized_names_the_key(mistral_server, mistral_settings):
    mistral_server.queue(unauthorized())
    with pytest.raises(ServiceError, match="Mistral refused the API key: check MISTRAL_API_KEY"):
        ask(mistral_settings)
    assert len(mistral_server.chat_requests) == 1  # 401 is not retried


def test_wrong_key_is_refused_like_the_real_api(mistral_server, mistral_settings):
    mistral_server.api_key = "the-real-key"
    with pytest.raises(ServiceError, match="refused the API key"):
        ask(mistral_settings)


def test_client_error_shows_the_server_message(mistral_server, mistral_settings):
    body = {"object": "error", "message": "Invalid model: test-model", "type": "invalid_model",
            "param": None, "code": "1500"}
    mistral_server.queue(error(400, body))
    with pytest.raises(ServiceError, match=r"HTTP 400\): Invalid model: test-model"):
        ask(mistral_settings)


def test_validation_error_shows_the_field(mistral_server, mistral_settings):
    mistral_server.queue(error(422))
    with pytest.raises(ServiceError, match=r"HTTP 422\): model: Field required"):
        ask(mistral_settings)


def test_timeout_names_the_limit(mistral_server, mistral_settings):
    mistral_server.queue(delay(3, {"name": "late", "hex": "#000000"}))
    settings = with_overrides(mistral_settings, mistral_timeout_s=0.4, mistral_retry_budget_s=0.1)
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"did not answer within 0\.4 s"):
        ask(settings)
    assert time.monotonic() - started < 2


def test_unreachable_server_names_the_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(mistral_api_key="k", mistral_server_url=url, mistral_timeout_s=1,
                        mistral_retry_budget_s=0.1, data_dir=tmp_path)
    with pytest.raises(ServiceError, match=f"Cannot reach Mistral at {url}"):
        ask(settings)


def test_thinking_chunks_are_not_part_of_the_answer(mistral_server, mistral_settings):
    answer = json.dumps({"name": "teal", "hex": "#008080"})
    mistral_server.queue(Reply(content=[
        {"type": "thinking", "thinking": [{"type": "text", "text": "Hmm, blue-green..."}]},
        {"type": "text", "text": answer},
    ]))
    assert ask(mistral_settings).name == "teal"


def test_stream_text_yields_pieces_in_order(mistral_server, mistral_settings):
    mistral_server.queue("Wear the navy blazer tonight.")
    client = llm.make_client(mistral_settings)
    pieces = list(llm.stream_text(client, model="test-model", messages=USER, timeout_s=5, max_tokens=64))
    assert pieces == ["Wear ", "the ", "navy ", "blazer ", "tonight."]
    req = mistral_server.last
    assert req.json["stream"] is True and req.json["max_tokens"] == 64
    assert req.headers["accept"] == "text/event-stream"


def test_stream_text_skips_thinking_deltas(mistral_server, mistral_settings):
    thinking = [{"type": "thinking", "thinking": [{"type": "text", "text": "planning"}]}]
    chunks = [thinking, "Hi", [{"type": "text", "text": " there"}]]
    mistral_server.queue(Reply(content="Hi there", chunks=chunks))
    client = llm.make_client(mistral_settings)
    assert list(llm.stream_text(client, model="m", messages=USER, timeout_s=5)) == ["Hi", " there"]


def test_stream_text_retries_a_rate_limit_and_explains_errors(mistral_server, mistral_settings):
    client = llm.make_client(mistral_settings)
    mistral_server.queue(rate_limited(), "ok then")
    assert "".join(llm.stream_text(client, model="m", messages=USER, timeout_s=5)) == "ok then"
    mistral_server.queue(unauthorized())
    with pytest.raises(AnalysisError, match="refused the API key"):
        list(llm.stream_text(client, model="m", messages=USER, timeout_s=5, error_cls=AnalysisError))


def test_message_text_normalises_every_content_shape():
    assert llm.message_text(None) == ""
    assert llm.message_text(UNSET) == ""
    assert llm.message_text("plain") == "plain"
    assert llm.message_text([]) == ""
    chunks = [
        models.ThinkChunk(thinking=[models.TextChunk(text="secret reasoning")]),
        models.TextChunk(text="Hello "),
        {"type": "text", "text": "world"},
        {"type": "thinking", "thinking": [{"type": "text", "text": "more"}]},
        {"type": "image_url", "image_url": "data:image/jpeg;base64,AAAA"},
    ]
    assert llm.message_text(chunks) == "Hello world"


def test_explain_error_without_a_server():
    import httpx2

    request = httpx2.Request("POST", "https://api.mistral.ai/v1/chat/completions")
    assert "within 7 s" in llm.explain_error(httpx2.ReadTimeout("t", request=request), timeout_s=7)
    assert "https://api.mistral.ai" in llm.explain_error(httpx2.ConnectError("no", request=request))
    assert llm.explain_error(ServiceError("already explained")) == "already explained"


def test_models_endpoint_lists_a_model(mistral_server, mistral_settings):
    listed = llm.make_client(mistral_settings).models.list()
    assert listed.data and listed.data[0].id == "mistral-small-latest"


def test_server_fixture_records_sizes(mistral_server: MistralServer, mistral_settings):
    mistral_server.queue({"name": "x", "hex": "#000000"})
    ask(mistral_settings)
    req = mistral_server.last
    assert req.path == "/v1/chat/completions" and req.size == len(json.dumps(req.json, separators=(",", ":")))


def test_complete_json_accepts_a_fenced_answer(mistral_server, mistral_settings):
    mistral_server.queue('```json\n{"name": "olive", "hex": "#808000"}\n```')
    assert ask(mistral_settings).name == "olive"
    assert len(mistral_server.chat_requests) == 1
