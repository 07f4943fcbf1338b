"""The command line, run for real: in-process through `main([...])` and once as `python -m relookx`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from relookx import auth, cli
from relookx.db import current_revision, make_engine, session_scope
from tests.conftest import ROOT
from tests.imagegen import to_bytes
from tests.mistral_server import MistralServer
from tests.realphotos import grace, outfit_photo

PASSWORD = "correct horse battery"
REQUIRED_KEYS = {
    "photo_number", "name", "category", "color", "color_hex", "price", "context",
    "id", "pattern", "material", "fit", "description", "confidence", "source",
}


class Cli:
    """Runs `main([...])` in-process and returns (exit code, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str, stdin: str = "") -> str:
        """Run a command that must succeed silently on stderr; return its stdout."""
        code, out, err = self(*argv, stdin=stdin)
        assert (code, err) == (0, ""), out
        return out

    def json(self, *argv: str) -> Any:
        return json.loads(self.ok(*argv, "--json"))

    def add_user(self, name: str) -> None:
        self.ok("users", "add", name, stdin=PASSWORD + "\n")


def error_line(err: str) -> str:
    """The single stderr line of a failed command."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("relookx: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (no secrets.toml of the repo) and data dir."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELOOKX_DATA_DIR", str(tmp_path / "data"))
    for key in ("RELOOKX_MIN_PASSWORD_LENGTH", "RELOOKX_MAX_UPLOAD_MB"):
        monkeypatch.delenv(key, raising=False)
    return tmp_path / "data"


@pytest.fixture
def run(data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    """Two different outfit photos on disk."""
    paths = []
    for i, image in enumerate([outfit_photo("#c0392b"), grace()]):  # real people: the pose model finds them
        path = tmp_path / f"outfit{i + 1}.jpg"
        path.write_bytes(to_bytes(image))
        paths.append(path)
    return paths


@pytest.fixture
def stocked(run: Cli, photos: list[Path]) -> list[dict[str, Any]]:
    """alice with both photos analysed offline; returns her garments as `wardrobe list --json`."""
    run.add_user("alice")
    run.ok("photos", "add", "--user", "alice", "--analyzer", "offline", *map(str, photos))
    garments = run.json("wardrobe", "list", "--user", "alice")
    assert garments
    return garments


def test_db_upgrade_migrates_and_prints_the_revision(run: Cli, data_dir: Path) -> None:
    out = run.ok("db", "upgrade")
    engine = make_engine(f"sqlite:///{data_dir / 'relookx.db'}")
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    assert revision and out.strip().endswith(f"at revision {revision}.")
    assert run.ok("db", "upgrade") == out  # idempotent


def test_users_add_reads_the_first_line_of_stdin(run: Cli, data_dir: Path) -> None:
    out = run.ok("users", "add", "Alice", stdin=f"{PASSWORD}\nnot this line\n")
    assert out == "Created user 1: alice\n"
    engine = make_engine(f"sqlite:///{data_dir / 'relookx.db'}")
    try:
        with session_scope(engine) as session:
            assert auth.sign_in(session, username="alice", password=PASSWORD).id == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("name", "stdin", "expected"),
    [
        ("bob", "short\n", "at least 8 characters"),
        ("bob", "", "No password on standard input"),
        ("alice", f"{PASSWORD}\n", "The username 'alice' is taken"),
        ("x", f"{PASSWORD}\n", "Usernames have 3 to 32 characters"),
    ],
)
def test_users_add_refusals_are_one_line(run: Cli, name: str, stdin: str, expected: str) -> None:
    run.add_user("alice")
    code, out, err = run("users", "add", name, stdin=stdin)
    assert code == 1 and out == ""
    assert expected in error_line(err)


def test_photos_add_analyses_each_file_with_its_number(
    run: Cli, photos: list[Path], stocked: list[dict[str, Any]]
) -> None:
    assert {g["photo_number"] for g in stocked} == {1, 2}
    assert all(REQUIRED_KEYS <= set(g) for g in stocked)
    assert {g["source"] for g in stocked} == {"offline"}
    table = run.ok("wardrobe", "list", "--user", "alice").splitlines()
    assert table[0].split() == ["image", "name", "category", "color", "hex", "price", "context"]
    assert len(table) == 2 + len(stocked)
    assert {row.split()[0] for row in table[2:]} == {"1", "2"}


def test_photos_add_prints_one_line_per_file(run: Cli, photos: list[Path]) -> None:
    run.add_user("alice")
    out = run.ok("photos", "add", "--user", "alice", "--analyzer", "offline", *map(str, photos))
    lines = out.splitlines()
    assert len(lines) == 2
    for number, (line, path) in enumerate(zip(lines, photos, strict=True), start=1):
        assert line.startswith(f"{path}: image {number}: ") and line.endswith(" (offline)")


def test_refused_files_are_reported_and_the_valid_ones_still_stored(
    run: Cli, photos: list[Path], tmp_path: Path
) -> None:
    run.add_user("alice")
    run.ok("photos", "add", "--user", "alice", "--analyzer", "offline", str(photos[0]))
    copy = tmp_path / "same-again.jpg"
    copy.write_bytes(photos[0].read_bytes())
    notes = tmp_path / "notes.jpg"
    notes.write_text("these are not pixels\n")
    missing = tmp_path / "missing.jpg"
    paths = [copy, notes, missing, photos[1]]
    code, out, err = run("photos", "add", "--user", "alice", "--analyzer", "offline", *map(str, paths))
    assert code == 1
    dup, bad, gone, good = out.splitlines()
    assert dup.startswith(f"{copy}: duplicate: ") and "image 1" in dup
    assert bad.startswith(f"{notes}: refused: ")
    assert gone.startswith(f"{missing}: cannot read the file: ")
    assert good.startswith(f"{photos[1]}: image 2: ")
    assert error_line(err) == "relookx: error: 3 of 4 files failed (see above)."
    numbers = {g["photo_number"] for g in run.json("wardrobe", "list", "--user", "alice")}
    assert numbers == {1, 2}


def test_stats_json_agrees_with_the_list(run: Cli, stocked: list[dict[str, Any]]) -> None:
    stats = run.json("wardrobe", "stats", "--user", "alice")
    # Counts and values are of items (here one per garment: the two outfits share no piece).
    garments = stocked
    stocked = run.json("wardrobe", "items", "--user", "alice")
    assert len(stocked) == len(garments) and stats["items"] == len(stocked)
    assert stats["wear"]["outfits"] == 2 and stats["wear"]["wears"] == len(garments)
    priced = [g["price"] for g in stocked if g["price"] is not None]
    assert stats["garments"] == len(stocked) and stats["photos"] == 2
    assert stats["priced"] == len(priced)
    assert stats["total_value"] == pytest.approx(sum(priced))
    by_category = {r["category"]: r["count"] for r in stats["by_category"]}
    assert sum(by_category.values()) == len(stocked)
    assert set(by_category) == {g["category"] for g in stocked}
    assert stats["categories"] == len(by_category)
    assert sum(r["count"] for r in stats["palette"]) == sum(1 for g in stocked if g["color"])
    assert stats["top_color_name"] == stats["palette"][0]["color_name"]
    assert sum(r["value"] for r in stats["value_by_category"]) == pytest.approx(sum(priced))
    assert isinstance(stats["occasions"], list)
    text = run.ok("wardrobe", "stats", "--user", "alice")
    assert f"Garments: {len(stocked)}" in text and "By category:" in text


def test_export_csv_parses_back_to_the_list(
    run: Cli, stocked: list[dict[str, Any]], tmp_path: Path
) -> None:
    target = tmp_path / "wardrobe.csv"
    out = run.ok("wardrobe", "export", "--user", "alice", "--csv", str(target))
    stocked = [{**i, "photo_number": i["photo_numbers"][0]} for i in run.json("wardrobe", "items", "--user", "alice")]
    assert out == f"Exported {len(stocked)} items to {target}\n"
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert REQUIRED_KEYS <= set(rows[0])
    assert [(int(r["id"]), int(r["photo_number"]), r["name"], r["color_hex"]) for r in rows] == [
        (g["id"], g["photo_number"], g["name"], g["color_hex"]) for g in stocked
    ]
    for row, garment in zip(rows, stocked, strict=True):
        assert (float(row["price"]) if row["price"] else None) == garment["price"]
    stdout_rows = list(csv.DictReader(io.StringIO(run.ok("wardrobe", "export", "--user", "alice",
                                                         "--csv", "-"))))
    assert stdout_rows == rows


def test_another_user_sees_nothing_of_alices_wardrobe(
    run: Cli, photos: list[Path], stocked: list[dict[str, Any]], tmp_path: Path
) -> None:
    run.add_user("bob")
    assert run.json("wardrobe", "list", "--user", "bob") == []
    assert "No garments yet" in run.ok("wardrobe", "list", "--user", "bob")
    stats = run.json("wardrobe", "stats", "--user", "bob")
    assert (stats["garments"], stats["photos"], stats["total_value"], stats["by_category"]) == (0, 0, 0.0, [])
    target = tmp_path / "bob.csv"
    run.ok("wardrobe", "export", "--user", "bob", "--csv", str(target))
    assert len(target.read_text().splitlines()) == 1  # the header only
    # The same photo is new to bob: his own numbering starts at 1.
    out = run.ok("photos", "add", "--user", "bob", "--analyzer", "offline", str(photos[1]))
    assert ": image 1: " in out
    assert len(run.json("wardrobe", "list", "--user", "alice")) == len(stocked)


@pytest.mark.parametrize("command", [["wardrobe", "list"], ["wardrobe", "stats"],
                                     ["wardrobe", "export", "--csv", "-"], ["photos", "add", "x.jpg"]])
def test_unknown_user_is_a_one_line_error(run: Cli, command: list[str]) -> None:
    code, out, err = run(*command, "--user", "nobody")
    assert code == 1 and out == ""
    assert "No user named 'nobody'" in error_line(err)


@pytest.mark.parametrize("argv", [[], ["wardrobe"], ["wardrobe", "list"], ["photos", "add", "--user", "a"],
                                  ["photos", "add", "--user", "a", "--analyzer", "gpt", "x.jpg"], ["dance"]])
def test_bad_arguments_exit_2_with_one_line(run: Cli, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert error_line(err).endswith("--help)")


def test_mistral_analyzer_without_a_key_is_a_one_line_error(run: Cli, photos: list[Path]) -> None:
    run.add_user("alice")
    code, out, err = run("photos", "add", "--user", "alice", "--analyzer", "mistral", str(photos[0]))
    assert code == 1 and out == ""
    assert "MISTRAL_API_KEY" in error_line(err)


def test_secrets_file_of_the_current_folder_is_read(run: Cli, tmp_path: Path) -> None:
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('RELOOKX_MIN_PASSWORD_LENGTH = 30\n\n[auth]\nredirect_uri = "http://x"\n')
    code, _, err = run("users", "add", "alice", stdin=PASSWORD + "\n")
    assert code == 1 and "at least 30 characters" in error_line(err)
    secrets.write_text("RELOOKX_MIN_PASSWORD_LENGTH = [\n")
    code, _, err = run("db", "upgrade")
    assert code == 1 and "secrets.toml is not valid TOML" in error_line(err)


def test_verbose_logs_info_to_stderr(run: Cli) -> None:
    code, _, err = run("-v", "db", "upgrade")
    assert code == 0 and "INFO" in err


def garment_json(name: str, category: str, color: str, hex_: str, price: float | None) -> dict[str, Any]:
    return {
        "name": name, "category": category, "color_name": color, "color_hex": hex_, "pattern": "solid",
        "material": "cotton", "fit": "regular", "estimated_price": "$20 - $40", "price": price,
        "context": "casual, weekend", "description": f"A {color} {name}.", "confidence": 0.9,
    }


def test_mistral_analyzer_stores_the_servers_garments(
    run: Cli, photos: list[Path], mistral_server: MistralServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "test-key")
    monkeypatch.setenv("MISTRAL_SERVER_URL", mistral_server.url)
    monkeypatch.setenv("RELOOKX_MISTRAL_RETRY_BUDGET_S", "1")
    mistral_server.queue_json({"garments": [
        garment_json("Linen shirt", "top", "sky blue", "#87ceeb", 35.0),
        garment_json("Chino trousers", "bottom", "khaki", "#c3b091", None),
    ]})
    run.add_user("alice")
    out = run.ok("photos", "add", "--user", "alice", "--analyzer", "mistral", str(photos[0]))
    assert out == f"{photos[0]}: image 1: 2 garments (mistral)\n"
    assert len(mistral_server.chat_requests) == 1
    assert mistral_server.last.headers["authorization"] == "Bearer test-key"
    garments = run.json("wardrobe", "list", "--user", "alice")
    assert [(g["name"], g["category"], g["color_hex"], g["price"], g["source"]) for g in garments] == [
        ("Linen shirt", "top", "#87ceeb", 35.0, "mistral"),
        ("Chino trousers", "bottom", "#c3b091", 30.0, "mistral"),  # price from "$20 - $40"
    ]


def test_a_failed_analysis_keeps_the_photo_and_exits_non_zero(
    run: Cli, photos: list[Path], mistral_server: MistralServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "test-key")
    monkeypatch.setenv("MISTRAL_SERVER_URL", mistral_server.url)
    mistral_server.queue("this is not JSON", "still not JSON")
    run.add_user("alice")
    code, out, err = run("photos", "add", "--user", "alice", "--analyzer", "mistral", str(photos[0]))
    assert code == 1
    assert out.startswith(f"{photos[0]}: image 1 stored, analysis failed (mistral): ")
    assert err.splitlines()[-1] == "relookx: error: 1 of 1 file failed (see above)."


def test_python_dash_m_relookx_end_to_end(tmp_path: Path, photos: list[Path]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELOOKX_", "MISTRAL_"))}
    env["RELOOKX_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(ROOT)

    # The package comes from ROOT; the working folder is an empty one, so a developer's
    # .streamlit/secrets.toml (which wins over the environment) cannot point the test at a real store.
    work = tmp_path / "work"
    work.mkdir()

    def relookx(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "relookx", *argv], cwd=work, env=env, input=stdin,
                              capture_output=True, text=True, timeout=60)

    created = relookx("users", "add", "alice", stdin=PASSWORD + "\n")
    assert (created.returncode, created.stdout, created.stderr) == (0, "Created user 1: alice\n", "")
    added = relookx("photos", "add", "--user", "alice", "--analyzer", "offline", str(photos[0]),
                    str(tmp_path / "missing.jpg"))
    assert added.returncode == 1
    assert added.stdout.startswith(f"{photos[0]}: image 1: ")
    assert added.stderr == "relookx: error: 1 of 2 files failed (see above).\n"
    unknown = relookx("wardrobe", "list", "--user", "nobody", "--json")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("relookx: error: No user named 'nobody'")
    assert unknown.stderr.count("\n") == 1


def test_help_lists_the_commands(run: Cli) -> None:
    code, out, err = run("--help")
    assert code == 0 and err == ""
    assert all(word in out for word in ("db", "users", "photos", "wardrobe", "-v"))
