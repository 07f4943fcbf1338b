"""`finetune export` is per user by default and leaves personal profile fields out unless asked."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import select

from relookx.db import make_engine, session_scope
from relookx.models import StylistRun, User
from relookx.stylist.export import strip_profile
from tests.test_cli import Cli, data_dir, error_line, run  # noqa: F401 (fixtures)

PROFILE = ("## Profile\n- gender: woman\n- favourite color: teal\n- height cm: 171.0\n- weight kg: 64.5\n"
           "- style notes: recovering from a knee surgery,\n  prefers flat shoes\n- budget: 120.0\n\n")


def example(owner: str) -> dict[str, object]:
    user = (f"The user asks: a piece for {owner}\n\n## Outfit\n- top: navy shirt\n\n## Constraints (must be honoured)\n"
            f"- none: choose freely\n\n{PROFILE}## Already owned (do not duplicate)\n- navy shirt")
    return {"messages": [{"role": "system", "content": "You are RelookX's stylist."},
                         {"role": "user", "content": user},
                         {"role": "assistant", "content": json.dumps({"name": f"{owner} scarf"})}]}


def seed_runs(run: Cli, data_dir: Path) -> None:  # noqa: F811
    run.add_user("alice")
    run.add_user("bob")
    engine = make_engine(f"sqlite:///{data_dir / 'relookx.db'}")
    with session_scope(engine) as s:
        for name in ("alice", "bob", "alice"):
            [uid] = [u.id for u in s.exec(select(User).where(User.username == name))]
            s.add(StylistRun(user_id=uid, backend="mistral", example=example(name)))
    engine.dispose()


def test_strip_profile_keeps_only_preferences() -> None:
    stripped = strip_profile(example("alice"))
    user = stripped["messages"][1]["content"]  # type: ignore[index]
    for personal in ("woman", "171", "64.5", "knee", "flat shoes", "gender", "height", "weight"):
        assert personal not in user, personal
    assert "- favourite color: teal\n- budget: 120.0" in user and "## Already owned" in user
    assert "navy shirt" in user and example("alice")["messages"][1]["content"] != user  # type: ignore[index]


def test_export_needs_a_user_or_all_users(run: Cli, data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    seed_runs(run, data_dir)
    out = tmp_path / "runs.jsonl"
    code, _, err = run("finetune", "export", str(out))
    assert code != 0 and "--user" in err and "--all-users" in err
    assert not out.exists()


def test_export_one_user_without_profile(run: Cli, data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    seed_runs(run, data_dir)
    out = tmp_path / "alice.jsonl"
    said = run.ok("finetune", "export", str(out), "--user", "alice")
    assert "2 training example(s) of alice" in said and "--include-profile" in said
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and all("bob" not in line for line in lines)
    assert all("knee" not in line and "171" not in line for line in lines)


def test_export_all_users_and_include_profile(run: Cli, data_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    seed_runs(run, data_dir)
    out = tmp_path / "all.jsonl"
    said = run.ok("finetune", "export", str(out), "--all-users")
    assert "3 training example(s) of all users" in said
    assert "knee" not in out.read_text()
    said = run.ok("finetune", "export", str(out), "--user", "bob", "--include-profile")
    assert "Personal profile fields included" in said
    [line] = out.read_text().splitlines()
    assert "knee" in line and "bob scarf" in line
    code, _, err = run("finetune", "export", str(out), "--user", "bob", "--all-users")
    assert code != 0
