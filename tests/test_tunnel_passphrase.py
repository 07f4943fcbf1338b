"""SSH keys with a passphrase, against paramiko's server and OpenSSH's sshd; failed starts leak nothing."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from relookx.preview.tunnel import SshTunnel, TunnelError, TunnelStatus
from tests.ssh_servers import SSH_KEYGEN, HttpTarget, OpenSshServer, ParamikoSshServer

PASSPHRASE = "a long passphrase, with é"


@pytest.fixture(autouse=True)
def _no_user_known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """~/.ssh/known_hosts of whoever runs the tests must not change their outcome."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def encrypted_copy(key_path: Path, dest: Path, passphrase: str = PASSPHRASE) -> Path:
    """A copy of an unencrypted OpenSSH private key, encrypted with `passphrase` by ssh-keygen -p."""
    shutil.copy(key_path, dest)
    dest.chmod(0o600)
    subprocess.run([SSH_KEYGEN, "-q", "-p", "-P", "", "-N", passphrase, "-f", str(dest)], check=True)
    body = base64.b64decode("".join(dest.read_text().splitlines()[1:-1]))
    assert b"bcrypt" in body  # OpenSSH's format names its KDF when the key is encrypted
    return dest


def open_fds() -> int:
    """How many file descriptors this process holds (sockets included)."""
    return len(os.listdir("/proc/self/fd"))


def settled_fds(limit: int, wait_s: float = 5.0) -> int:
    """The descriptor count once it is back at `limit` or `wait_s` has passed.

    The in-process test server closes its side of each refused session on its own thread, a moment after
    the client has returned; a leak on the client's side never comes back, so it still fails.
    """
    deadline = time.monotonic() + wait_s
    count = open_fds()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = open_fds()
    return count


def test_passphrase_key_logs_in_to_paramiko(paramiko_ssh_server: ParamikoSshServer, http_target: HttpTarget,
                                            tmp_path: Path) -> None:
    key = encrypted_copy(paramiko_ssh_server.client_key_path, tmp_path / "enc_key")
    tunnel = SshTunnel(host="127.0.0.1", port=paramiko_ssh_server.port, user=paramiko_ssh_server.user,
                       key_path=str(key), password=PASSPHRASE, known_hosts=str(paramiko_ssh_server.known_hosts_file),
                       remote_port=http_target.port, connect_timeout_s=5)
    try:
        tunnel.start()
        assert tunnel.check() and tunnel.state.status is TunnelStatus.UP
    finally:
        tunnel.stop()


def test_wrong_passphrase_fails_cleanly_without_leaks(paramiko_ssh_server: ParamikoSshServer,
                                                      http_target: HttpTarget, tmp_path: Path) -> None:
    key = encrypted_copy(paramiko_ssh_server.client_key_path, tmp_path / "enc_key")
    threads_before, fds_before = threading.active_count(), open_fds()
    for _ in range(5):
        tunnel = SshTunnel(host="127.0.0.1", port=paramiko_ssh_server.port, user=paramiko_ssh_server.user,
                           key_path=str(key), password="not the passphrase",
                           known_hosts=str(paramiko_ssh_server.known_hosts_file), remote_port=http_target.port,
                           connect_timeout_s=5)
        with pytest.raises(TunnelError, match="passphrase") as failed:
            tunnel.start()
        assert "not the passphrase" not in str(failed.value)
        assert tunnel.state.status is TunnelStatus.FAILED and not tunnel.check()
        tunnel.stop()
    for _ in range(5):  # an encrypted key and no passphrase at all
        tunnel = SshTunnel(host="127.0.0.1", port=paramiko_ssh_server.port, user=paramiko_ssh_server.user,
                           key_path=str(key), known_hosts=str(paramiko_ssh_server.known_hosts_file),
                           remote_port=http_target.port, connect_timeout_s=5)
        with pytest.raises(TunnelError, match="encrypted"):
            tunnel.start()
    assert threading.active_count() == threads_before, [t.name for t in threading.enumerate()]
    assert open_fds() == fds_before


def test_failed_logins_close_the_transport(paramiko_ssh_server: ParamikoSshServer, http_target: HttpTarget,
                                           tmp_path: Path) -> None:
    """A refused login after a successful handshake closes the SSH session: threads and sockets come back."""
    threads_before, fds_before = threading.active_count(), open_fds()
    for _ in range(5):
        tunnel = SshTunnel(host="127.0.0.1", port=paramiko_ssh_server.port, user=paramiko_ssh_server.user,
                           password="wrong", known_hosts=str(paramiko_ssh_server.known_hosts_file),
                           remote_port=http_target.port, connect_timeout_s=5)
        with pytest.raises(TunnelError, match="wrong password"):
            tunnel.start()
    client_threads = [t for t in threading.enumerate() if t.name.startswith("relookx-tunnel")]
    assert client_threads == []
    assert settled_fds(fds_before) == fds_before
    assert threading.active_count() <= threads_before + 5  # the test server's own session threads end later


def test_passphrase_key_logs_in_to_openssh(openssh_server: OpenSshServer, http_target: HttpTarget,
                                           tmp_path: Path) -> None:
    key = encrypted_copy(openssh_server.client_key_path, tmp_path / "enc_client_key")
    tunnel = SshTunnel(host="127.0.0.1", port=openssh_server.port, user=openssh_server.user, key_path=str(key),
                       password=PASSPHRASE, known_hosts=str(openssh_server.known_hosts_file),
                       remote_port=http_target.port)
    try:
        tunnel.start()
        assert tunnel.check()
    finally:
        tunnel.stop()
    threads_before, fds_before = threading.active_count(), open_fds()
    for _ in range(3):
        bad = SshTunnel(host="127.0.0.1", port=openssh_server.port, user=openssh_server.user, key_path=str(key),
                        password="wrong passphrase", known_hosts=str(openssh_server.known_hosts_file),
                        remote_port=http_target.port)
        with pytest.raises(TunnelError, match="passphrase"):
            bad.start()
    assert threading.active_count() == threads_before and open_fds() == fds_before
