"""Real services started on loopback for the tests: PostgreSQL (and later sshd).

They skip with the reason when the Debian package is missing, except under CI=true, where
`.ci/run` installs them and a missing binary is a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(reason: str) -> None:
    """Skip, or fail under CI where every service must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on loopback; yields a postgresql+psycopg URL."""
    bindir = _pg_bin()
    if bindir is None:
        missing("PostgreSQL is not installed (apt-get install postgresql)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing("the 'postgres' system user does not exist")
    root = tempfile.mkdtemp(prefix="relookx-pg-")
    shutil.chown(root, "postgres")
    as_pg = ["su", "postgres", "-s", "/bin/sh", "-c"]
    subprocess.run(
        [*as_pg, f"{bindir}/initdb -D {root}/data -A trust -U postgres"],
        check=True, capture_output=True,
    )
    port = 0
    for _attempt in range(5):
        port = free_port()
        started = subprocess.run(
            [*as_pg, f"{bindir}/pg_ctl -D {root}/data -l {root}/log -w start "
                     f"-o '-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off'"],
            capture_output=True,
        )
        if started.returncode == 0:
            break
    else:
        log = open(f"{root}/log").read() if os.path.exists(f"{root}/log") else ""
        pytest.fail(f"PostgreSQL did not start: {log[-2000:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, f"{bindir}/pg_ctl -D {root}/data -m fast stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
