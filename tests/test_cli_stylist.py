"""`python -m relookx recommend` and `finetune export`, offline and against the local Mistral server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import mistral_server as ms
from tests.test_chat import stylist_server
from tests.test_cli import Cli, data_dir, error_line, photos, run, stocked  # noqa: F401 (fixtures)

REQUIRED = {"name", "category", "color", "color_hex", "price", "reason", "color_rule", "piece_rule", "backend"}


def test_recommend_offline_json_and_text(run: Cli, stocked: list[dict[str, Any]]) -> None:  # noqa: F811
    first = run.json("recommend", "--user", "alice", "Can you recommend a piece to match image 1?", "--seed", "4")
    assert REQUIRED <= set(first) and first["backend"] == "offline" and first["photo_number"] == 1
    again = run.json("recommend", "--user", "alice", "Can you recommend a piece to match image 1?", "--seed", "4")
    assert again["seed"] == 4 and again["color_hex"].startswith("#")
    text = run.ok("recommend", "--user", "alice", "something red for a party under 80 euros")
    assert "Why:" in text and "backend offline" in text
    budget = run.json("recommend", "--user", "alice", "something red for a party under 80 euros")
    assert budget["price"] <= 80 and budget["constraints"]["max_price"] == 80


def test_recommend_errors_are_one_line(run: Cli, stocked: list[dict[str, Any]]) -> None:  # noqa: F811
    code, _, err = run("recommend", "--user", "alice", "what goes with image 9?")
    assert code == 1 and "There is no image 9" in error_line(err) and "1, 2" in err
    run.add_user("bob")
    code, _, err = run("recommend", "--user", "bob", "recommend something")
    assert code == 1 and "no garments yet" in error_line(err)


def test_finetune_export_writes_one_example_per_mistral_run(
    run: Cli, stocked: list[dict[str, Any]], tmp_path: Path,  # noqa: F811
    mistral_server: ms.MistralServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "runs.jsonl"
    assert "No Mistral workflow runs" in run.ok("finetune", "export", str(out), "--user", "alice")
    assert out.read_text() == ""
    monkeypatch.setenv("MISTRAL_API_KEY", "test-key")
    monkeypatch.setenv("MISTRAL_SERVER_URL", mistral_server.url)
    mistral_server.default = stylist_server
    rec = run.json("recommend", "--user", "alice", "Can you recommend a piece to match image 2?")
    assert rec["backend"] == "mistral" and rec["calls"] == 2 and len(mistral_server.chat_requests) == 2
    assert "Wrote 1 training example" in run.ok("finetune", "export", str(out), "--user", "alice")
    [line] = out.read_text().splitlines()
    messages = json.loads(line)["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert json.loads(messages[2]["content"])["name"] == rec["name"]


def test_direct_model_takes_one_call(
    run: Cli, stocked: list[dict[str, Any]], mistral_server: ms.MistralServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "test-key")
    monkeypatch.setenv("MISTRAL_SERVER_URL", mistral_server.url)
    monkeypatch.setenv("RELOOKX_DIRECT_MODEL", "ft:mistral-small-latest:relookx:1")
    mistral_server.default = stylist_server
    rec = run.json("recommend", "--user", "alice", "Can you recommend a piece to match image 1?")
    [call] = mistral_server.chat_requests
    assert call.json["model"] == "ft:mistral-small-latest:relookx:1"
    assert rec["backend"] == "mistral-direct" and rec["calls"] == 1 and rec["critique"] == rec["reason"]
