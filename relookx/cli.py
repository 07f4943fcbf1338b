"""The command line: `python -m relookx db|users|photos|wardrobe ...`.

Settings are resolved like the app does (`.streamlit/secrets.toml` of the current folder, then
the environment), and the store is migrated before any command that touches it. Every user-facing
error ends the command with one `relookx: error: ...` line on stderr and a non-zero exit code.
Heavy modules (Pillow, pandas, the Mistral SDK) are imported by the commands that need them.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import logging
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

from sqlalchemy.engine import Engine

from relookx import __version__, auth, store
from relookx.cli_format import TABLE_COLUMNS as TABLE_COLUMNS  # re-exported
from relookx.cli_format import _jsonable, _plural, _records, format_stats, format_table
from relookx.config import Settings, load_settings, with_overrides
from relookx.db import current_revision, make_engine, session_scope, upgrade
from relookx.errors import ConfigError, RelookXError
from relookx.wardrobe import EXPORT_COLUMNS, export_record, garments_csv

log = logging.getLogger(__name__)

PROG = "python -m relookx"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
GARMENT_KEYS = EXPORT_COLUMNS  # keys of one garment in `wardrobe list --json` and the CSV export


class CliError(RelookXError):
    """A command-line usage problem found after parsing (missing stdin password, unreadable file)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: `relookx: error: ... (see ... --help)`."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"relookx: error: {message} (see: {self.prog} --help)\n")


# --- settings and store ---------------------------------------------------------------------------

def read_secrets(path: Path = SECRETS_FILE) -> dict[str, Any]:
    """The top-level scalar keys of a Streamlit secrets file (empty when there is none)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}") from None
    # Tables (e.g. [auth] for st.login) are the app's business, not settings.
    return {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}


def cli_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings as the app resolves them: secrets file of the current folder, then the environment."""
    return load_settings(read_secrets(), os.environ if environ is None else environ)


@contextmanager
def open_store(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured store, migrated to the latest revision (as the app does at start)."""
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def _user_id(engine: Engine, username: str) -> int:
    with session_scope(engine) as session:
        user = store.get_user_by_name(session, username=username)
        assert user.id is not None
        return user.id


# --- db, users ------------------------------------------------------------------------------------

def cmd_db_upgrade(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Apply pending migrations and print the revision."""
    with open_store(settings) as engine:
        revision = current_revision(engine)
        where = engine.url.render_as_string(hide_password=True)
    print(f"Store {where} is at revision {revision}.", file=out)
    return 0


def _read_password() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat the password: "):
            raise CliError("The two passwords differ: nothing was created.")
        return password
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        raise CliError(
            "No password on standard input: pipe it in as the first line "
            f"(e.g. printf '%s\\n' \"$PW\" | {PROG} users add NAME) or run in a terminal."
        )
    return password


def cmd_users_add(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Create a local account; the password is read from standard input."""
    password = _read_password()
    with open_store(settings) as engine, session_scope(engine) as session:
        user = auth.sign_up(
            session, username=args.name, password=password, min_length=settings.min_password_length
        )
        user_id, name = user.id, user.username
    print(f"Created user {user_id}: {name}", file=out)
    return 0


# --- photos ---------------------------------------------------------------------------------------

def cmd_photos_add(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Store and analyse each file; one line per file; non-zero when any file failed."""
    from relookx.photos import add_and_analyze_batch, storage_for
    from relookx.vision.factory import make_analyzer

    if args.analyzer:
        if args.analyzer == "mistral" and not settings.mistral_api_key:
            raise ConfigError(
                "--analyzer mistral needs a Mistral API key: set MISTRAL_API_KEY in "
                ".streamlit/secrets.toml or the environment (or use --analyzer offline)."
            )
        settings = with_overrides(settings, analyzer=args.analyzer)
    analyzer = make_analyzer(settings)
    storage = storage_for(settings)
    failed = 0
    with open_store(settings) as engine:
        user_id = _user_id(engine, args.user)
        for path in args.paths:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                print(f"{path}: cannot read the file: {exc.strerror or exc}", file=out)
                failed += 1
                continue
            (outcome,) = add_and_analyze_batch(
                engine, storage, settings, analyzer, user_id=user_id, files=[(Path(path).name, data)]
            )
            photo = outcome.photo
            if photo is None:
                kind = "duplicate" if outcome.duplicate_of is not None else "refused"
                print(f"{path}: {kind}: {outcome.error}", file=out)
                failed += 1
            elif photo.status != "done":
                print(f"{path}: image {photo.number} stored, analysis failed ({photo.analyzer}): "
                      f"{photo.error}", file=out)
                failed += 1
            else:
                with session_scope(engine) as session:
                    n = len(store.list_garments(session, user_id=user_id, photo_id=photo.id))
                print(f"{path}: image {photo.number}: {_plural(n, 'garment')} ({photo.analyzer})", file=out)
            out.flush()
    if failed:
        raise CliError(f"{failed} of {_plural(len(args.paths), 'file')} failed (see above).")
    return 0


# --- wardrobe -------------------------------------------------------------------------------------

def garment_records(engine: Engine, user_id: int) -> list[dict[str, Any]]:
    """The user's garments as flat records with GARMENT_KEYS (for JSON, CSV and the table)."""
    with session_scope(engine) as session:
        rows = store.garment_rows(session, user_id=user_id)
    return [export_record(row) for row in rows]


def cmd_wardrobe_list(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Print the user's garments as a table or JSON."""
    with open_store(settings) as engine:
        records = garment_records(engine, _user_id(engine, args.user))
    if args.json:
        json.dump(records, out, indent=2, ensure_ascii=False)
        print(file=out)
    elif not records:
        print(f"No garments yet: add photos with {PROG} photos add --user {args.user} PATH...", file=out)
    else:
        print(format_table(records), file=out)
    return 0


def wardrobe_stats(engine: Engine, user_id: int) -> dict[str, Any]:
    """Headline numbers and breakdowns of the user's wardrobe as a JSON-able dict."""
    from relookx import analytics

    with session_scope(engine) as session:
        garments = analytics.garments_frame(store.garment_rows(session, user_id=user_id))
        photos = analytics.photos_frame(store.photo_rows(session, user_id=user_id))
    stats: dict[str, Any] = {
        k: _jsonable(v) for k, v in dataclasses.asdict(analytics.summary(garments, photos)).items()
    }
    stats["by_category"] = _records(analytics.category_counts(garments))
    stats["palette"] = _records(analytics.color_palette(garments))
    stats["value_by_category"] = _records(analytics.value_by_category(garments))
    stats["occasions"] = _records(analytics.occasion_counts(garments))
    return stats


def cmd_wardrobe_stats(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Print summary metrics and breakdowns as text or JSON."""
    with open_store(settings) as engine:
        stats = wardrobe_stats(engine, _user_id(engine, args.user))
    if args.json:
        json.dump(stats, out, indent=2, ensure_ascii=False)
        print(file=out)
    else:
        print(format_stats(stats), file=out)
    return 0


def write_csv(records: Sequence[Mapping[str, Any]], fh: IO[str]) -> None:
    """Write garment records as CSV with a header row (the same format as the Wardrobe download)."""
    fh.write(garments_csv(records))


def cmd_wardrobe_export(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Export the user's garments as CSV to a file or standard output ('-')."""
    with open_store(settings) as engine:
        records = garment_records(engine, _user_id(engine, args.user))
    if args.csv == "-":
        write_csv(records, out)
        return 0
    target = Path(args.csv)
    try:
        with target.open("w", newline="", encoding="utf-8") as fh:
            write_csv(records, fh)
    except OSError as exc:
        raise CliError(f"Cannot write {target}: {exc.strerror or exc}") from None
    print(f"Exported {_plural(len(records), 'garment')} to {target}", file=out)
    return 0


# --- parser and entry point -----------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(prog=PROG, description="RelookX: an AI wardrobe assistant, from the command line.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (INFO) to stderr")
    parser.add_argument("--version", action="version", version=f"relookx {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    db = groups.add_parser("db", help="the store").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply pending migrations; print the revision").set_defaults(
        handler=cmd_db_upgrade)

    users = groups.add_parser("users", help="accounts").add_subparsers(dest="action", required=True)
    add_user = users.add_parser(
        "add", help="create a local account",
        description="Create a local account. The password is the first line of standard input, "
                    "or is asked twice when standard input is a terminal.",
    )
    add_user.add_argument("name")
    add_user.set_defaults(handler=cmd_users_add)

    photos = groups.add_parser("photos", help="outfit photos").add_subparsers(dest="action", required=True)
    add_photos = photos.add_parser("add", help="store and analyse photos")
    add_photos.add_argument("--user", required=True, help="username")
    add_photos.add_argument("--analyzer", choices=("offline", "mistral"),
                            help="override RELOOKX_ANALYZER for this run")
    add_photos.add_argument("paths", nargs="+", metavar="PATH")
    add_photos.set_defaults(handler=cmd_photos_add)

    wardrobe = groups.add_parser("wardrobe", help="garments").add_subparsers(dest="action", required=True)
    list_cmd = wardrobe.add_parser("list", help="list the garments")
    stats_cmd = wardrobe.add_parser("stats", help="summary metrics and breakdowns")
    export_cmd = wardrobe.add_parser("export", help="export the garments as CSV")
    for sub in (list_cmd, stats_cmd, export_cmd):
        sub.add_argument("--user", required=True, help="username")
    for sub in (list_cmd, stats_cmd):
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
    export_cmd.add_argument("--csv", required=True, metavar="FILE", help="CSV file to write ('-': stdout)")
    list_cmd.set_defaults(handler=cmd_wardrobe_list)
    stats_cmd.set_defaults(handler=cmd_wardrobe_stats)
    export_cmd.set_defaults(handler=cmd_wardrobe_export)
    from relookx import cli_more, cli_stylist

    cli_stylist.register(groups)
    cli_more.register(groups)
    return parser


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "unknown error"


@contextmanager
def _logging_to_stderr(verbose: bool) -> Iterator[None]:
    # Installed for the duration of one call (and removed) so in-process callers keep their logging.
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(min(old_level or logging.WARNING, handler.level))
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (in-process callers)
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 error, 2 usage error)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    with _logging_to_stderr(args.verbose):
        try:
            settings = cli_settings()
            return int(args.handler(args, settings, sys.stdout))
        except RelookXError as exc:
            message = str(exc)
        except BrokenPipeError:  # `... | head`: the reader is gone, which is not an error to report
            _silence_stdout()
            return 1
        except OSError as exc:  # e.g. the data dir cannot be created
            message = str(exc)
            if exc.strerror:
                message = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
        except KeyboardInterrupt:
            print("relookx: interrupted", file=sys.stderr)
            return 130
    sys.stdout.flush()
    print(f"relookx: error: {_one_line(message)}", file=sys.stderr)
    return 1
