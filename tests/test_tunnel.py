"""The SSH tunnel against real SSH servers on loopback: paramiko's in-process one and OpenSSH's sshd."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from relookx.config import Settings, with_overrides
from relookx.preview.tunnel import (
    THREAD_PREFIX,
    SshTunnel,
    TunnelError,
    TunnelStatus,
    check_tunnel,
    normalise_fingerprint,
    shared_tunnel,
    stop_shared_tunnels,
    tunnel_from_settings,
    webui_url,
)
from tests.services import free_port
from tests.ssh_servers import HttpTarget, OpenSshServer, ParamikoSshServer, write_ed25519_key

MakeTunnel = Callable[..., SshTunnel]


def tunnel_threads() -> list[str]:
    """Names of the tunnel's threads still alive."""
    return [t.name for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX) and t.is_alive()]


@pytest.fixture(autouse=True)
def _no_user_known_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """~/.ssh/known_hosts of whoever runs the tests must not change their outcome."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def make_tunnel(paramiko_ssh_server: ParamikoSshServer, http_target: HttpTarget) -> Iterator[MakeTunnel]:
    """A factory of tunnels to the paramiko server, forwarding to the HTTP target; all stopped at the end."""
    made: list[SshTunnel] = []

    def make(**overrides: Any) -> SshTunnel:
        args: dict[str, Any] = {
            "host": "127.0.0.1", "port": paramiko_ssh_server.port, "user": paramiko_ssh_server.user,
            "password": paramiko_ssh_server.password, "known_hosts": str(paramiko_ssh_server.known_hosts_file),
            "remote_port": http_target.port, "connect_timeout_s": 5,
        }
        tunnel = SshTunnel(**(args | overrides))
        made.append(tunnel)
        return tunnel

    yield make
    for tunnel in made:
        tunnel.stop()


def test_password_login_forwards_to_the_target(make_tunnel: MakeTunnel, http_target: HttpTarget,
                                               paramiko_ssh_server: ParamikoSshServer) -> None:
    tunnel = make_tunnel()
    port = tunnel.start()
    assert tunnel.url == f"http://127.0.0.1:{port}" and tunnel.check()
    assert tunnel.state.status is TunnelStatus.UP
    assert tunnel.verified_by == f"known_hosts {paramiko_ssh_server.known_hosts_file}"
    answer = requests.get(tunnel.url + "/sdapi/v1/progress?skip_current_image=true", timeout=5)
    assert answer.json()["progress"] == 0.0
    assert http_target.hits == ["/sdapi/v1/progress?skip_current_image=true"]
    assert paramiko_ssh_server.forwards == [("127.0.0.1", http_target.port)]
    assert tunnel.start() == port  # idempotent


def test_key_login_with_pinned_fingerprint(make_tunnel: MakeTunnel, paramiko_ssh_server: ParamikoSshServer) -> None:
    tunnel = make_tunnel(password=None, known_hosts=None, key_path=str(paramiko_ssh_server.client_key_path),
                         fingerprint=paramiko_ssh_server.fingerprint.removeprefix("SHA256:") + "=")
    tunnel.start()
    assert tunnel.verified_by == "pinned fingerprint"
    assert requests.post(tunnel.url + "/echo", data=b"hello", timeout=5).content == b"hello"


def test_key_login_with_known_hosts(make_tunnel: MakeTunnel, paramiko_ssh_server: ParamikoSshServer) -> None:
    tunnel = make_tunnel(password=None, key_path=str(paramiko_ssh_server.client_key_path))
    tunnel.start()
    assert tunnel.check()


def test_unknown_host_key_is_refused_with_its_fingerprint(make_tunnel: MakeTunnel, tmp_path: Path,
                                                          paramiko_ssh_server: ParamikoSshServer) -> None:
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    for known_hosts in (str(empty), None):  # an empty file, or none at all (no ~/.ssh/known_hosts)
        tunnel = make_tunnel(known_hosts=known_hosts)
        with pytest.raises(TunnelError, match="unknown") as refused:
            tunnel.start()
        message = str(refused.value)
        assert paramiko_ssh_server.fingerprint in message
        assert paramiko_ssh_server.known_hosts_line in message and "RELOOKX_SSH_HOST_FINGERPRINT" in message
        assert tunnel.state.status is TunnelStatus.FAILED and not tunnel.check()
    assert paramiko_ssh_server.forwards == []


def test_changed_host_key_is_refused(make_tunnel: MakeTunnel, tmp_path: Path,
                                     paramiko_ssh_server: ParamikoSshServer) -> None:
    other = write_ed25519_key(tmp_path / "other_host_key")
    known = tmp_path / "known_hosts_changed"
    known.write_text(f"[127.0.0.1]:{paramiko_ssh_server.port} {other.get_name()} {other.get_base64()}\n")
    with pytest.raises(TunnelError, match="CHANGED") as refused:
        make_tunnel(known_hosts=str(known)).start()
    assert paramiko_ssh_server.fingerprint in str(refused.value) and other.fingerprint in str(refused.value)
    with pytest.raises(TunnelError, match="not the pinned one") as refused:
        make_tunnel(known_hosts=None, fingerprint=other.fingerprint).start()
    assert paramiko_ssh_server.fingerprint in str(refused.value)


def test_wrong_password_and_bad_key_give_clear_errors(make_tunnel: MakeTunnel, tmp_path: Path) -> None:
    with pytest.raises(TunnelError, match="wrong password"):
        make_tunnel(password="not it").start()
    stranger = tmp_path / "stranger_key"
    write_ed25519_key(stranger)
    with pytest.raises(TunnelError, match="authorise its public key"):
        make_tunnel(password=None, key_path=str(stranger)).start()
    with pytest.raises(TunnelError, match="Cannot read the SSH key"):
        make_tunnel(password=None, key_path=str(tmp_path / "missing")).start()


def test_unreachable_gateway(make_tunnel: MakeTunnel) -> None:
    tunnel = make_tunnel(port=free_port())
    with pytest.raises(TunnelError, match="Cannot reach the SSH gateway") as failed:
        tunnel.start()
    assert failed.value.retryable and tunnel.state.status is TunnelStatus.FAILED
    assert tunnel_threads() == []


def test_reconnects_after_the_server_drops(make_tunnel: MakeTunnel, paramiko_ssh_server: ParamikoSshServer) -> None:
    tunnel = make_tunnel()
    port = tunnel.start()
    assert requests.post(tunnel.url + "/echo", data=b"before", timeout=5).content == b"before"
    paramiko_ssh_server.stop()
    deadline = time.monotonic() + 5
    while tunnel.state.status is TunnelStatus.UP and time.monotonic() < deadline:
        time.sleep(0.02)
    assert tunnel.state.status is TunnelStatus.RECONNECTING and not tunnel.check()
    with ThreadPoolExecutor(1) as pool:  # a request made during the outage waits for the reconnect
        waiting = pool.submit(lambda: requests.post(tunnel.url + "/echo", data=b"during", timeout=10).content)
        time.sleep(0.3)
        paramiko_ssh_server.start()
        assert waiting.result() == b"during"
    assert requests.post(tunnel.url + "/echo", data=b"after", timeout=5).content == b"after"
    state = tunnel.state
    assert state.status is TunnelStatus.UP and state.reconnects == 1 and state.local_port == port


def test_stop_is_clean(make_tunnel: MakeTunnel) -> None:
    tunnel = make_tunnel()
    tunnel.start()
    session = requests.Session()  # a keep-alive connection stays open in a pump thread
    assert session.get(tunnel.url + "/sdapi/v1/progress", timeout=5).ok
    assert any("pump" in name for name in tunnel_threads())
    url = tunnel.url
    tunnel.stop()
    assert tunnel_threads() == []
    assert tunnel.state.status is TunnelStatus.STOPPED and not tunnel.check()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/sdapi/v1/progress", timeout=2)
    with pytest.raises(TunnelError, match="not started"):
        _ = tunnel.url
    tunnel.start()  # and it can start again
    assert requests.get(tunnel.url + "/sdapi/v1/progress", timeout=5).ok
    session.close()


def test_concurrent_requests(make_tunnel: MakeTunnel) -> None:
    tunnel = make_tunnel()
    tunnel.start()

    def worker(n: int) -> bool:
        with requests.Session() as http:
            for i in range(4):
                body = bytes([n, i]) * (50_000 + n * 1000)
                if http.post(tunnel.url + "/echo", data=body, timeout=10).content != body:
                    return False
        return True

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(worker, range(8)))


def test_settings_shared_tunnel_and_webui_url(paramiko_ssh_server: ParamikoSshServer, http_target: HttpTarget,
                                              settings: Settings) -> None:
    assert tunnel_from_settings(settings) is None
    assert webui_url(with_overrides(settings, sd_url="http://gpu:7860/")) == "http://gpu:7860"
    with pytest.raises(TunnelError, match="RELOOKX_SSH_USER"):
        tunnel_from_settings(with_overrides(settings, ssh_host="127.0.0.1"))
    ssh = with_overrides(settings, ssh_host="127.0.0.1", ssh_port=paramiko_ssh_server.port,
                         ssh_user=paramiko_ssh_server.user, ssh_password=paramiko_ssh_server.password,
                         ssh_known_hosts=str(paramiko_ssh_server.known_hosts_file), ssh_remote_port=http_target.port,
                         sd_url="http://ignored:7860")
    try:
        with ThreadPoolExecutor(4) as pool:
            tunnels = list(pool.map(lambda _: shared_tunnel(ssh), range(4)))
        assert all(t is tunnels[0] for t in tunnels) and paramiko_ssh_server.sessions == 1
        assert webui_url(ssh) == tunnels[0].url
        assert requests.get(webui_url(ssh) + "/sdapi/v1/progress", timeout=5).ok  # type: ignore[operator]
    finally:
        stop_shared_tunnels()
    assert tunnel_threads() == []


def test_check_tunnel_reports_a_webui_that_is_down(paramiko_ssh_server: ParamikoSshServer, settings: Settings) -> None:
    ssh = with_overrides(settings, ssh_host="127.0.0.1", ssh_port=paramiko_ssh_server.port,
                         ssh_user=paramiko_ssh_server.user, ssh_password=paramiko_ssh_server.password,
                         ssh_host_fingerprint=paramiko_ssh_server.fingerprint, ssh_remote_port=free_port())
    with pytest.raises(TunnelError, match="could not connect to 127.0.0.1"):
        check_tunnel(ssh, timeout_s=5)
    with pytest.raises(TunnelError, match="RELOOKX_SSH_HOST is not set"):
        check_tunnel(settings)
    assert tunnel_threads() == []


def test_fingerprint_forms() -> None:
    assert normalise_fingerprint(" sha256:abc= ") == "SHA256:abc" == normalise_fingerprint("abc")
    with pytest.raises(TunnelError, match="SHA256"):
        normalise_fingerprint("MD5:aa:bb:cc")


def test_openssh_forward_shows_in_its_log(openssh_server: OpenSshServer, http_target: HttpTarget) -> None:
    tunnel = SshTunnel(host="127.0.0.1", port=openssh_server.port, user=openssh_server.user,
                       key_path=str(openssh_server.client_key_path),
                       known_hosts=str(openssh_server.known_hosts_file), remote_port=http_target.port)
    tunnel.start()
    try:
        body = b"x" * 3_000_000
        assert requests.post(tunnel.url + "/echo", data=body, timeout=10).content == body
    finally:
        tunnel.stop()
    log = openssh_server.log_text()
    assert f"target 127.0.0.1 port {http_target.port}" in log, log[-2000:]
    assert http_target.hits == ["/echo"]


def test_openssh_refuses_unknown_key_and_check_tunnel(openssh_server: OpenSshServer, http_target: HttpTarget,
                                                      settings: Settings) -> None:
    ssh = with_overrides(settings, ssh_host="127.0.0.1", ssh_port=openssh_server.port, ssh_user=openssh_server.user,
                         ssh_key_path=str(openssh_server.client_key_path), ssh_remote_port=http_target.port)
    with pytest.raises(TunnelError, match="unknown") as refused:
        check_tunnel(ssh)
    assert openssh_server.fingerprint in str(refused.value)
    lines = check_tunnel(with_overrides(ssh, ssh_host_fingerprint=openssh_server.fingerprint))
    assert any(openssh_server.fingerprint in line and "pinned fingerprint" in line for line in lines)
    assert lines[-1].startswith("Webui healthy: HTTP 200")
    assert http_target.hits == ["/sdapi/v1/progress?skip_current_image=true"]
    assert f"target 127.0.0.1 port {http_target.port}" in openssh_server.log_text()
