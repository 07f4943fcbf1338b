"""Store and account commands: `db upgrade`, `users add`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import IO, Any

from relookx import auth
from relookx.cli.common import PROG, CliError, open_store
from relookx.config import Settings
from relookx.db import current_revision, session_scope


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


def register(groups: Any) -> None:
    """Add the `db` and `users` commands."""
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
