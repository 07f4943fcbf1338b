"""Real SSH servers on loopback for the tunnel tests: paramiko's in-process one and OpenSSH's sshd.

Both expose the same attributes (host, port, user, fingerprint, known_hosts_line, known_hosts_file,
client_key_path) so a test can run against either. `http_target` is a small webui-like HTTP server
to forward to. The benchmark imports the classes directly.
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import select
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.services import free_port, missing

log = logging.getLogger(__name__)

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
PASSWORD = "correct horse battery"


def write_ed25519_key(path: Path) -> paramiko.Ed25519Key:
    """Generate an Ed25519 key in OpenSSH format at `path` (and `path.pub`); return it."""
    private = Ed25519PrivateKey.generate()
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                           serialization.NoEncryption()))
    path.chmod(0o600)
    key = paramiko.Ed25519Key(filename=str(path))
    path.with_suffix(".pub").write_text(f"{key.get_name()} {key.get_base64()} relookx-test\n")
    return key


class _SshServerBase:
    """What the tests need to know about a running SSH server."""

    host = "127.0.0.1"
    port: int
    user: str
    host_key: paramiko.PKey
    client_key_path: Path
    workdir: Path

    @property
    def fingerprint(self) -> str:
        """The host key's SHA256:... fingerprint, as ssh-keygen -lf prints it."""
        return str(self.host_key.fingerprint)

    @property
    def known_hosts_line(self) -> str:
        """`[127.0.0.1]:PORT ssh-ed25519 AAAA...`."""
        return f"[{self.host}]:{self.port} {self.host_key.get_name()} {self.host_key.get_base64()}"

    @property
    def known_hosts_file(self) -> Path:
        """A known_hosts file holding only this server's key."""
        path = self.workdir / "known_hosts"
        path.write_text(self.known_hosts_line + "\n")
        return path


class _ServerInterface(paramiko.ServerInterface):
    def __init__(self, owner: ParamikoSshServer) -> None:
        self.owner = owner

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == self.owner.user and password == self.owner.password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        ok = username == self.owner.user and key == self.owner.client_key
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_direct_tcpip_request(self, chanid: int, origin: tuple[str, int],
                                           destination: tuple[str, int]) -> int:
        try:
            target = socket.create_connection(destination, timeout=5)
        except OSError:
            return paramiko.OPEN_FAILED_CONNECT_FAILED
        self.owner.forwards.append(destination)
        self.owner.targets[chanid] = target
        return paramiko.OPEN_SUCCEEDED


class ParamikoSshServer(_SshServerBase):
    """paramiko's ServerInterface on 127.0.0.1: password and/or key logins, direct-tcpip forwards."""

    def __init__(self, workdir: Path, *, user: str = "relookx", password: str | None = PASSWORD) -> None:
        self.workdir = workdir
        self.user, self.password = user, password
        self.host_key = write_ed25519_key(workdir / "paramiko_host_key")
        self.client_key_path = workdir / "paramiko_client_key"
        self.client_key = write_ed25519_key(self.client_key_path)
        self.port = 0
        self.forwards: list[tuple[str, int]] = []  # every direct-tcpip target granted
        self.targets: dict[int, socket.socket] = {}
        self._listener: socket.socket | None = None
        self._transports: list[paramiko.Transport] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    @property
    def sessions(self) -> int:
        """How many SSH sessions were opened since the last start."""
        return len(self._transports)

    def start(self) -> ParamikoSshServer:
        """Listen (on the same port as before after a stop) and serve in background threads."""
        self._stop = threading.Event()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener, self.port = listener, listener.getsockname()[1]
        self._spawn(self._accept_loop, listener, self._stop)
        return self

    def stop(self) -> None:
        """Close the listener and every session (the client sees the connection drop)."""
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for transport in self._transports:
            transport.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._transports, self._threads = [], []

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="test-sshd")  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            self._transports.append(transport)
            try:
                transport.start_server(server=_ServerInterface(self))
            except (paramiko.SSHException, EOFError, OSError) as exc:
                log.info("test sshd: handshake failed: %s", exc)
                continue
            self._spawn(self._channel_loop, transport, stop)

    def _channel_loop(self, transport: paramiko.Transport, stop: threading.Event) -> None:
        while transport.is_active() and not stop.is_set():
            chan = transport.accept(timeout=0.1)
            if chan is not None:
                target = self.targets.pop(chan.get_id())
                self._spawn(_relay, chan, target, stop)


def _relay(chan: paramiko.Channel, target: socket.socket, stop: threading.Event) -> None:
    """Server side of a forward: copy between the channel and the target socket."""
    try:
        while not stop.is_set():
            ready, _, _ = select.select([chan, target], [], [], 0.2)
            if chan in ready:
                data = chan.recv(256 * 1024)
                if not data:
                    break
                target.sendall(data)
            if target in ready:
                data = target.recv(256 * 1024)
                if not data:
                    break
                chan.sendall(data)
    except (OSError, EOFError) as exc:
        log.debug("test sshd relay ended: %s", exc)
    finally:
        target.close()
        try:
            chan.close()
        except (OSError, EOFError):
            pass  # the session is already gone


class OpenSshServer(_SshServerBase):
    """OpenSSH's sshd on 127.0.0.1 with a key login for the current user and LogLevel DEBUG1."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.user = pwd.getpwuid(os.getuid()).pw_name
        subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(workdir / "host_key")], check=True)
        subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(workdir / "client_key")],
                       check=True)
        self.host_key = paramiko.Ed25519Key(filename=str(workdir / "host_key"))
        self.client_key_path = workdir / "client_key"
        (workdir / "authorized_keys").write_text((workdir / "client_key.pub").read_text())
        self.log_path = workdir / "sshd.log"
        self.pid_path = workdir / "sshd.pid"
        self.port = 0

    def _config(self) -> Path:
        path = self.workdir / "sshd_config"
        lines = [
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {self.workdir / 'host_key'}",
            f"PidFile {self.pid_path}", f"AuthorizedKeysFile {self.workdir / 'authorized_keys'}",
            "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            "StrictModes no", "AllowTcpForwarding yes", "LogLevel DEBUG1",
            f"UsePAM {'yes' if _password_locked(self.user) else 'no'}",
        ]
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self) -> OpenSshServer:
        """Start sshd (it daemonises and writes its PidFile); retry on a port clash."""
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            self.port = free_port()
            config = self._config()
            checked = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
            if checked.returncode != 0:
                pytest.fail(f"sshd -t refused the test config: {checked.stderr}")
            subprocess.run([SSHD, "-f", str(config), "-E", str(self.log_path)], check=True)
            if self._wait_listening():
                return self
            self.stop()
        pytest.fail(f"sshd did not start: {self.log_text()[-2000:]}")

    def _wait_listening(self) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                    sock.recv(4)  # the "SSH-" banner
                    return self.pid_path.exists()
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the sshd started by start()."""
        if self.pid_path.exists():
            try:
                os.kill(int(self.pid_path.read_text().strip()), 15)
            except (ProcessLookupError, ValueError):
                pass
            self.pid_path.unlink(missing_ok=True)

    def log_text(self) -> str:
        """sshd's log so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _password_locked(user: str) -> bool:
    """True when /etc/shadow locks the account ('!'), which sshd without PAM refuses even for keys."""
    try:
        for line in Path("/etc/shadow").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name == user:
                return rest.startswith("!")
    except OSError:
        pass  # not readable: not root, PAM is not needed then
    return False


def openssh_available() -> bool:
    """True when Debian's openssh-server is installed."""
    return os.access(SSHD, os.X_OK) and os.access(SSH_KEYGEN, os.X_OK)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HttpTarget

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        log.debug("http target: " + format, *args)

    def _reply(self, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.hits.append(self.path)
        if urlparse(self.path).path == "/sdapi/v1/progress":
            self._reply(json.dumps({"progress": 0.0, "eta_relative": 0.0, "state": {"job_count": 0},
                                    "current_image": None, "textinfo": None}).encode())
        else:
            self.send_error(404)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        """Echo the body, or answer `reply_bytes` bytes when the query asks for them."""
        self.server.hits.append(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        size = parse_qs(urlparse(self.path).query).get("reply_bytes")
        self._reply(bytes(int(size[0])) if size else body, "application/octet-stream")


class HttpTarget(ThreadingHTTPServer):
    """A webui-like HTTP server on 127.0.0.1: GET /sdapi/v1/progress, POST /echo[?reply_bytes=N]."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []
        self.port = int(self.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True, name="test-http-target")
        self._thread.start()

    def close(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def http_target() -> Iterator[HttpTarget]:
    """A webui-like HTTP server to forward to."""
    server = HttpTarget()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def paramiko_ssh_server(tmp_path: Path) -> Iterator[ParamikoSshServer]:
    """paramiko's SSH server on loopback; `.stop()` drops every session, `.start()` restarts on the same port."""
    server = ParamikoSshServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def openssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSshServer]:
    """OpenSSH's sshd on loopback (skips without openssh-server, fails under CI=true)."""
    if not openssh_available():
        missing("OpenSSH's sshd is not installed (apt-get install openssh-server)")
    server = OpenSshServer(tmp_path_factory.mktemp("sshd")).start()
    try:
        yield server
    finally:
        server.stop()
