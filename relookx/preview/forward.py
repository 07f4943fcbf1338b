"""The SSH port forward itself (paramiko): `SshTunnel` forwards 127.0.0.1 to the SD webui behind a gateway.

The host key is always checked against a known_hosts file or a pinned `SHA256:` fingerprint (see `ssh_auth`).
A watcher thread reconnects with backoff when the connection drops, and connections accepted meanwhile wait
for it; one pump thread per local connection copies the bytes both ways. The settings glue and the
process-wide shared tunnel live in `relookx.preview.tunnel`, which re-exports the public names here.
"""

from __future__ import annotations

import enum
import logging
import select
import socket
import threading
import time
from dataclasses import dataclass

import paramiko

from relookx.preview.ssh_auth import (
    TunnelError,
    authenticate,
    discard_transport,
    known_keys,
    load_key,
    prefer_algorithms,
    tune_socket,
    verify_host_key,
)

__all__ = ["THREAD_PREFIX", "SshTunnel", "TunnelState", "TunnelStatus"]

log = logging.getLogger(__name__)

THREAD_PREFIX = "relookx-tunnel"
PUMP_BUFFER = 256 * 1024  # bytes read from either side at once
WINDOW_SIZE = 8 * 1024 * 1024  # SSH flow-control window we grant the server, per channel
MAX_PACKET = 256 * 1024  # largest SSH packet we accept from the server
POLL_S = 0.25  # how often the watcher looks at the transport, and the pumps at the stop flag
BACKOFF_S = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # waits between reconnect attempts
FATAL_RETRY_S = 60.0  # wait after a refused host key or login: only a settings change fixes those


class TunnelStatus(enum.StrEnum):
    """Where the tunnel is in its life."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    UP = "up"
    RECONNECTING = "reconnecting"
    FAILED = "failed"


@dataclass(frozen=True)
class TunnelState:
    """A snapshot of the tunnel, for the Preview page and the Home status."""

    status: TunnelStatus
    since: float  # time.time() of the last change
    error: str | None = None
    local_port: int | None = None
    reconnects: int = 0

    def describe(self) -> str:
        """One line for a status display."""
        where = f" on 127.0.0.1:{self.local_port}" if self.local_port else ""
        extra = f" ({self.error})" if self.error else ""
        return f"SSH tunnel {self.status.value}{where}{extra}"


class SshTunnel:
    """Forwards 127.0.0.1:local_port to remote_host:remote_port through an SSH gateway; thread-safe."""

    def __init__(
        self, *, host: str, port: int = 22, user: str, key_path: str | None = None, password: str | None = None,
        known_hosts: str | None = None, fingerprint: str | None = None, remote_host: str = "127.0.0.1",
        remote_port: int = 7860, local_port: int = 0, keepalive_s: float = 15, connect_timeout_s: float = 10,
    ) -> None:
        self.host, self.port, self.user = host, int(port), user
        self.key_path, self.password = key_path, password
        self.known_hosts, self.fingerprint = known_hosts, fingerprint
        self.remote_host, self.remote_port = remote_host, int(remote_port)
        self.keepalive_s, self.connect_timeout_s = keepalive_s, connect_timeout_s
        self._wanted_port = int(local_port)
        self._lock = threading.Condition(threading.RLock())  # guards everything below
        self._start_lock = threading.Lock()  # serialises start() and stop()
        self._connect_lock = threading.Lock()  # one connection attempt at a time
        self._transport: paramiko.Transport | None = None
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._pumps: dict[threading.Thread, tuple[socket.socket, paramiko.Channel | None]] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._state = TunnelState(TunnelStatus.STOPPED, time.time())
        self._serial = 0
        self.host_key_fingerprint: str | None = None  # the server's, once seen
        self.verified_by: str | None = None  # "known_hosts FILE" or "pinned fingerprint"
        self.last_forward_error: str | None = None  # why the gateway last refused to forward

    # ----- public API -----
    @property
    def state(self) -> TunnelState:
        """The current state (a frozen snapshot)."""
        with self._lock:
            return self._state

    @property
    def local_port(self) -> int | None:
        """The local listening port, once started."""
        return self.state.local_port

    @property
    def url(self) -> str:
        """The webui's URL through the tunnel: http://127.0.0.1:PORT."""
        port = self.local_port
        if port is None:
            raise TunnelError("The SSH tunnel is not started.")
        return f"http://127.0.0.1:{port}"

    @property
    def label(self) -> str:
        """`user@host:port -> remote_host:remote_port`, for messages."""
        return f"{self.user}@{self.host}:{self.port} -> {self.remote_host}:{self.remote_port}"

    def start(self) -> int:
        """Connect (verifying the host key), listen on 127.0.0.1 and forward; returns the local port."""
        with self._start_lock:
            if self._listener is not None:
                if self.state.status is TunnelStatus.FAILED:  # the watcher gave up for now: try again here
                    with self._connect_lock:
                        self._connect(reconnect=True)
                return int(self._listener.getsockname()[1])
            self._stop = threading.Event()
            self._set_state(TunnelStatus.CONNECTING)
            with self._connect_lock:
                self._connect(reconnect=False)
            try:
                listener = socket.create_server(("127.0.0.1", self._wanted_port))
            except OSError as exc:
                self._close_transport()
                err = f"Cannot listen on 127.0.0.1:{self._wanted_port}: {exc}"
                self._set_state(TunnelStatus.FAILED, err)
                raise TunnelError(err + " (choose another local port).") from exc
            listener.settimeout(POLL_S)
            self._listener = listener
            port = int(listener.getsockname()[1])
            with self._lock:
                self._state = TunnelState(TunnelStatus.UP, time.time(), None, port, 0)
            self._spawn("accept", self._accept_loop)
            self._spawn("watch", self._watch_loop)
            log.info("SSH tunnel up: 127.0.0.1:%d -> %s", port, self.label)
            return port

    def check(self) -> bool:
        """True when the tunnel listens and its SSH connection is up and authenticated."""
        with self._lock:
            t = self._transport
            return self._listener is not None and t is not None and t.is_active() and t.is_authenticated()

    def stop(self) -> None:
        """Close the listener, the connections and the SSH session, and join every thread."""
        with self._start_lock:
            self._stop.set()
            self._wake.set()
            if self._listener is not None:
                _shutdown(self._listener)  # wakes the accept() of the accept thread
                self._listener.close()
                self._listener = None
            self._close_transport()
            with self._lock:
                pumps = list(self._pumps.items())
            for _thread, (client, chan) in pumps:
                _shutdown(client)
                if chan is not None:
                    _close_channel(chan)
            for thread in [*self._threads, *(t for t, _ in pumps)]:
                thread.join(timeout=self.connect_timeout_s + 5)
                if thread.is_alive():
                    log.warning("Tunnel thread %s did not stop", thread.name)
            self._threads = []
            self._wake.clear()
            self._set_state(TunnelStatus.STOPPED, local_port=None)
            log.info("SSH tunnel stopped: %s", self.label)

    # ----- connecting -----
    def _connect(self, *, reconnect: bool) -> None:
        """Open, verify and authenticate a new SSH session (caller holds _connect_lock)."""
        try:
            transport = self._open_transport()
        except TunnelError as exc:
            status = TunnelStatus.RECONNECTING if (reconnect and exc.retryable) else TunnelStatus.FAILED
            self._set_state(status, str(exc))
            raise
        if self._stop.is_set():  # stop() ran while we were connecting
            transport.close()
            return
        with self._lock:
            old, self._transport = self._transport, transport
            s = self._state
            self._state = TunnelState(TunnelStatus.UP, time.time(), None, s.local_port,
                                      s.reconnects + (1 if reconnect else 0))
            self._lock.notify_all()
        if old is not None:
            old.close()
        if reconnect:
            log.info("SSH tunnel reconnected: %s", self.label)

    def _open_transport(self) -> paramiko.Transport:
        where = f"{self.host}:{self.port}"
        known = known_keys(self.host, self.port, known_hosts=self.known_hosts, fingerprint=self.fingerprint)
        pkey = load_key(self.key_path, self.password) if self.key_path else None  # before any socket is opened
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
        except OSError as exc:
            raise TunnelError(f"Cannot reach the SSH gateway {where}: {exc}.", retryable=True) from exc
        transport: paramiko.Transport | None = None
        try:
            tune_socket(sock, self.keepalive_s)
            transport = paramiko.Transport(sock, default_window_size=WINDOW_SIZE, default_max_packet_size=MAX_PACKET)
            transport.name = f"{THREAD_PREFIX}-transport-{self.port}"
            prefer_algorithms(transport, known)
            transport.start_client(timeout=self.connect_timeout_s)
            key = transport.get_remote_server_key()
            self.host_key_fingerprint = key.fingerprint  # kept for the messages even when the key is refused
            self.verified_by = verify_host_key(key, known, host=self.host, port=self.port,
                                               known_hosts=self.known_hosts, fingerprint=self.fingerprint)
            authenticate(transport, user=self.user, host=self.host, port=self.port, key_path=self.key_path,
                         password=self.password, pkey=pkey)
            transport.set_keepalive(max(1, int(self.keepalive_s)))
            return transport
        except (paramiko.SSHException, EOFError, OSError) as exc:
            discard_transport(transport, sock)
            raise TunnelError(f"SSH handshake with {where} failed: {exc or type(exc).__name__}.",
                              retryable=True) from exc
        except BaseException:  # TunnelError, and anything unexpected: never leave a thread or socket behind
            discard_transport(transport, sock)
            raise

    def _close_transport(self) -> None:
        with self._lock:
            t, self._transport = self._transport, None
            self._lock.notify_all()
        if t is not None:
            t.close()
            if t.is_alive() and t is not threading.current_thread():
                t.join(timeout=5)

    # ----- threads -----
    def _spawn(self, role: str, target: object, *args: object) -> threading.Thread:
        with self._lock:
            self._serial += 1
            name = f"{THREAD_PREFIX}-{role}-{self._serial}"
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        if role != "pump":
            self._threads.append(thread)
        thread.start()
        return thread

    def _set_state(self, status: TunnelStatus, error: str | None = None, *, local_port: int | None = -1) -> None:
        with self._lock:
            s = self._state
            port = s.local_port if local_port == -1 else local_port
            if (s.status, s.error, s.local_port) != (status, error, port):
                self._state = TunnelState(status, time.time(), error, port, s.reconnects)
            self._lock.notify_all()

    def _watch_loop(self) -> None:
        """Notice a dropped SSH session and reconnect with backoff until stopped."""
        stop, attempt = self._stop, 0
        while not stop.is_set():
            with self._lock:
                t = self._transport
            if t is not None and t.is_active():
                attempt = 0
                self._wake.wait(POLL_S)
                self._wake.clear()
                continue
            if self.state.status is TunnelStatus.UP:
                log.warning("SSH tunnel dropped (%s), reconnecting", self.label)
                self._set_state(TunnelStatus.RECONNECTING, "connection lost")
            try:
                with self._connect_lock:
                    if not stop.is_set():
                        self._connect(reconnect=True)
                continue
            except TunnelError as exc:
                delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)] if exc.retryable else FATAL_RETRY_S
                attempt += 1
                log.warning("SSH tunnel reconnect failed (retry in %.2fs): %s", delay, exc)
            self._wake.wait(delay)  # a new local connection wakes us early
            self._wake.clear()

    def _accept_loop(self) -> None:
        listener, stop = self._listener, self._stop
        while listener is not None and not stop.is_set():
            try:
                client, peer = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break  # closed by stop()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                thread = self._spawn("pump", self._serve, client, peer)
                self._pumps[thread] = (client, None)

    def _serve(self, client: socket.socket, peer: tuple[str, int]) -> None:
        me = threading.current_thread()
        chan: paramiko.Channel | None = None
        try:
            chan = self._open_channel(peer)
            if chan is None:
                return
            with self._lock:
                self._pumps[me] = (client, chan)
            _pump(client, chan, self._stop)
        finally:
            if chan is not None:
                _close_channel(chan)
            client.close()
            with self._lock:
                self._pumps.pop(me, None)

    def _open_channel(self, peer: tuple[str, int]) -> paramiko.Channel | None:
        """A direct-tcpip channel, waiting up to connect_timeout_s for a reconnect; None if none came."""
        deadline = time.monotonic() + self.connect_timeout_s
        while not self._stop.is_set():
            with self._lock:
                t = self._transport
                if t is None or not t.is_active():
                    self._wake.set()
                    left = deadline - time.monotonic()
                    if left <= 0 or self.state.status is TunnelStatus.FAILED:
                        break
                    self._lock.wait(min(left, POLL_S))
                    continue
            try:
                chan = t.open_channel("direct-tcpip", (self.remote_host, self.remote_port), peer,
                                      window_size=WINDOW_SIZE, max_packet_size=MAX_PACKET,
                                      timeout=self.connect_timeout_s)
                self.last_forward_error = None
                return chan
            except paramiko.ChannelException as exc:
                self.last_forward_error = (f"the gateway could not connect to {self.remote_host}:{self.remote_port}"
                                           f" ({exc.text or exc.code}): is the webui running there?")
                log.warning("SSH tunnel: %s", self.last_forward_error)
                return None
            except (paramiko.SSHException, EOFError, OSError) as exc:
                log.info("SSH tunnel: channel open failed (%s), waiting for a reconnect", exc)
                if time.monotonic() > deadline:
                    break
                self._wake.set()
                time.sleep(POLL_S / 5)
        log.warning("SSH tunnel: dropped a local connection from %s:%d, the tunnel is %s", *peer,
                    self.state.status.value)
        return None


def _pump(client: socket.socket, chan: paramiko.Channel, stop: threading.Event) -> None:
    """Copy bytes both ways until both sides have closed (half-closes are passed on)."""
    readers: list[socket.socket | paramiko.Channel] = [client, chan]
    while readers and not stop.is_set():
        ready, _, _ = select.select(readers, [], [], POLL_S)
        try:
            if client in ready:
                data = client.recv(PUMP_BUFFER)
                if data:
                    chan.sendall(data)
                else:
                    chan.shutdown_write()
                    readers.remove(client)
            if chan in ready:
                data = chan.recv(PUMP_BUFFER)
                if data:
                    client.sendall(data)
                else:
                    _shutdown(client, socket.SHUT_WR)
                    readers.remove(chan)
        except (OSError, EOFError, paramiko.SSHException) as exc:
            log.debug("SSH tunnel: connection ended: %s", exc)
            return


def _shutdown(sock: socket.socket, how: int = socket.SHUT_RDWR) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass  # already closed by the other side


def _close_channel(chan: paramiko.Channel) -> None:
    try:
        chan.close()
    except (EOFError, OSError, paramiko.SSHException):
        pass  # the session is already gone, and the channel with it
