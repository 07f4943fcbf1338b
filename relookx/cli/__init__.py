"""The command line: `python -m relookx db|users|photos|wardrobe|wear|outfits|recommend|finetune|shop|preview|
tunnel|storage ...`.

Settings are resolved like the app does (`.streamlit/secrets.toml` of the current folder, then
the environment), and the store is migrated before any command that touches it. Every user-facing
error ends the command with one `relookx: error: ...` line on stderr and a non-zero exit code.
Heavy modules (Pillow, pandas, the Mistral SDK) are imported by the commands that need them.

One module per command group registers its commands; `relookx.cli.common` holds what they share.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from relookx import __version__
from relookx.cli import accounts, photos, preview, shop, storage, stylist, wardrobe, wear
from relookx.cli.common import PROG, cli_settings
from relookx.errors import RelookXError

__all__ = ["build_parser", "main"]

COMMAND_GROUPS = (accounts, photos, wardrobe, wear, stylist, shop, preview, storage)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: `relookx: error: ... (see ... --help)`."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"relookx: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(prog=PROG, description="RelookX: an AI wardrobe assistant, from the command line.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (INFO) to stderr")
    parser.add_argument("--version", action="version", version=f"relookx {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    for module in COMMAND_GROUPS:
        module.register(groups)
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
