"""Time "send 4 MB, get 2 MB back" directly and through SshTunnel (target: under 15% overhead).

Run from the repository root: `.venv/bin/python benchmarks/tunnel_overhead.py [--rounds N] [--paramiko]
[--links 1gbit,100mbit] [--link-rounds N] [--no-link]`. It uses OpenSSH's sshd on loopback when installed
(else paramiko's in-process server), and also times OpenSSH's own client (`ssh -L`) as a reference for
what an SSH forward costs on this machine.

Loopback has no wire time, so any encrypted hop shows a large relative overhead there. The 15% target is
about a real link to a GPU workstation, so (as root, with `ip` and `tc`) the benchmark then builds an
emulated link and times the same paths over it: a network namespace `relookx-bench-PID` joined to this
host by a veth pair on a private /30 (10.213.X.1 here, 10.213.X.2 there; no route, forwarding or NAT
leads anywhere else, so nothing leaves the machine), shaped in both directions with
`tc netem delay 1ms rate RATE` (or `tbf rate RATE` when the kernel has no netem). The HTTP target and
OpenSSH's sshd run inside the namespace (`ip netns exec`); the clients run here. Everything it started
is killed and the namespace and veth are deleted on the way out. Without CAP_NET_ADMIN it says why it
skips the link and keeps the loopback figures.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from relookx.preview.tunnel import SshTunnel  # noqa: E402
from tests.services import free_port  # noqa: E402
from tests.ssh_servers import (  # noqa: E402
    SSHD,
    HttpTarget,
    OpenSshServer,
    ParamikoSshServer,
    openssh_available,
)

UP_BYTES = 4 * 1024 * 1024
DOWN_BYTES = 2 * 1024 * 1024
TARGET_PCT = 15.0
LINK_DELAY = "1ms"  # one way, on each end of the veth: 2 ms round trip with netem
LINK_SSH_PORT = 2222  # sshd's port inside the (empty) namespace
CMD_TIMEOUT_S = 20  # for each ip/tc command
START_TIMEOUT_S = 15  # for the target and sshd to listen
LINK_REQUEST_TIMEOUT_S = 30  # for one round trip over the emulated link

# The HTTP target inside the namespace: the tests' webui-like handler, on every address of the namespace
# (its loopback and its end of the veth; it has no others). argv[1] is the repository root.
TARGET_SCRIPT = """
import sys
from http.server import ThreadingHTTPServer
sys.path.insert(0, sys.argv[1])
from tests.ssh_servers import _Handler
server = ThreadingHTTPServer(("0.0.0.0", 0), _Handler)
server.daemon_threads = True
server.hits = []
print(server.server_address[1], flush=True)
server.serve_forever(poll_interval=0.2)
"""

Row = tuple[str, str, list[float]]  # path, link, seconds of each round trip


def round_trips(base_url: str, rounds: int, *, timeout: float = 60) -> list[float]:
    """Seconds of each POST of 4 MB answered by 2 MB, on one keep-alive HTTP session (after a warm-up)."""
    body = bytes(range(256)) * (UP_BYTES // 256)
    times = []
    with requests.Session() as http:
        for i in range(rounds + 1):
            started = time.perf_counter()
            reply = http.post(f"{base_url}/echo?reply_bytes={DOWN_BYTES}", data=body, timeout=timeout)
            elapsed = time.perf_counter() - started
            if reply.status_code != 200 or len(reply.content) != DOWN_BYTES:
                raise SystemExit(f"bad answer: HTTP {reply.status_code}, {len(reply.content)} bytes")
            if i:  # the first one warms up the connection and the channel
                times.append(elapsed)
    return times


@contextmanager
def openssh_client_forward(server: OpenSshServer, target_port: int) -> Iterator[str]:
    """OpenSSH's `ssh -N -L` forward to the target, as a reference."""
    port = free_port()
    proc = subprocess.Popen([
        "ssh", "-N", "-L", f"127.0.0.1:{port}:127.0.0.1:{target_port}", "-p", str(server.port),
        "-i", str(server.client_key_path), "-o", f"UserKnownHostsFile={server.known_hosts_file}",
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes",
        "-o", "ConnectTimeout=10", f"{server.user}@{server.host}"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{port}/sdapi/v1/progress", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def ssh_tunnel(server: OpenSshServer | ParamikoSshServer, target_port: int) -> Iterator[str]:
    """The product's SshTunnel to the target (127.0.0.1:target_port as the SSH server sees it)."""
    tunnel = SshTunnel(host=server.host, port=server.port, user=server.user, key_path=str(server.client_key_path),
                       known_hosts=str(server.known_hosts_file), remote_port=target_port)
    tunnel.start()
    try:
        yield tunnel.url
    finally:
        tunnel.stop()


def time_paths(direct_url: str, server: OpenSshServer | ParamikoSshServer, target_port: int, link: str,
               rounds: int, *, with_ssh_client: bool, timeout: float = 60) -> list[Row]:
    """Round trips directly, through `ssh -L` (when asked) and through SshTunnel."""
    rows: list[Row] = [("direct", link, round_trips(direct_url, rounds, timeout=timeout))]
    if with_ssh_client:
        with openssh_client_forward(server, target_port) as url:  # type: ignore[arg-type]
            rows.append(("ssh -L (OpenSSH client)", link, round_trips(url, rounds, timeout=timeout)))
    with ssh_tunnel(server, target_port) as url:
        rows.append(("SshTunnel (paramiko)", link, round_trips(url, rounds, timeout=timeout)))
    return rows


def print_table(rows: list[Row]) -> None:
    """path, link, median/best seconds, added ms and overhead against `direct` on the same link."""
    print(f"{'path':<26}{'link':<22}{'median s':>10}{'best s':>10}{'added ms':>10}{'overhead':>10}")
    for name, link, times in rows:
        base = statistics.median(next(t for n, lk, t in rows if n == "direct" and lk == link))
        median = statistics.median(times)
        print(f"{name:<26}{link:<22}{median:>10.4f}{min(times):>10.4f}{(median - base) * 1000:>10.1f}"
              f"{(median / base - 1) * 100:>9.0f}%")


def verdict(rows: list[Row], link: str) -> tuple[float, float]:
    """SshTunnel's overhead on `link`: (percent, added seconds), from the medians."""
    base = statistics.median(next(t for n, lk, t in rows if n == "direct" and lk == link))
    added = statistics.median(next(t for n, lk, t in rows if n.startswith("SshTunnel") and lk == link)) - base
    return added / base * 100, added


# ----- loopback -----
def loopback(rounds: int, use_paramiko: bool, workdir: Path) -> None:
    """The original measurement: everything on 127.0.0.1."""
    target = HttpTarget()
    use_openssh = openssh_available() and not use_paramiko
    server: OpenSshServer | ParamikoSshServer = (
        OpenSshServer(workdir) if use_openssh else ParamikoSshServer(workdir)).start()
    try:
        rows = time_paths(target.url, server, target.port, "loopback", rounds,
                          with_ssh_client=use_openssh and shutil.which("ssh") is not None)
    finally:
        server.stop()
        target.close()
    print(f"{rounds} round trips of {UP_BYTES >> 20} MB up / {DOWN_BYTES >> 20} MB down, "
          f"SSH server: {'OpenSSH sshd' if use_openssh else 'paramiko'}")
    print_table(rows)
    overhead, added = verdict(rows, "loopback")
    print(f"SshTunnel overhead {overhead:.0f}% ({added * 1000:.1f} ms per round trip): "
          f"{'meets' if overhead < TARGET_PCT else 'misses'} the {TARGET_PCT:.0f}% target on loopback")
    for name, mbit in (("1 Gbit/s LAN", 1000), ("100 Mbit/s link", 100)):
        wire = (UP_BYTES + DOWN_BYTES) * 8 / (mbit * 1e6)
        print(f"  estimate: on a {name} (~{wire:.2f} s on the wire), the same added time is "
              f"{added / wire * 100:.0f}%")


# ----- the emulated link -----
class LinkUnavailable(Exception):
    """The emulated link cannot be built or used here; the message says why."""


class EmulatedLink:
    """A network namespace joined to this host by a veth pair on a private /30, shaped with tc.

    close() kills every process started in it and deletes the veth and the namespace.
    """

    def __init__(self) -> None:
        pid = os.getpid()
        self.ns = f"relookx-bench-{pid}"
        self.host_dev, self.ns_dev = f"rxb{pid}h", f"rxb{pid}n"  # within the 15 characters of a link name
        self.host_ip = self.ns_ip = ""
        self.procs: list[subprocess.Popen[bytes]] = []
        self.shaper = ""  # how the last shape() did it
        self._made_ns = self._made_veth = False

    def _run(self, *cmd: str, inside: bool = False, check: bool = True) -> subprocess.CompletedProcess[str]:
        full = [*(["ip", "netns", "exec", self.ns] if inside else []), *cmd]
        try:
            done = subprocess.run(full, capture_output=True, text=True, timeout=CMD_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LinkUnavailable(f"`{' '.join(full)}` failed: {exc}") from exc
        if check and done.returncode != 0:
            raise LinkUnavailable(f"`{' '.join(full)}` failed: {done.stderr.strip() or f'exit {done.returncode}'}")
        return done

    def _free_subnet(self) -> int:
        """X of a 10.213.X.0/30 that no address or route of this host uses yet."""
        used = self._run("ip", "-4", "addr").stdout + self._run("ip", "-4", "route").stdout
        for offset in range(256):
            x = (os.getpid() + offset) % 256
            if f"10.213.{x}." not in used:
                return x
        raise LinkUnavailable("every 10.213.X.0/30 is already in use on this host")

    def open(self) -> None:
        """Create the namespace and the veth pair, address both ends and bring them up."""
        for tool in ("ip", "tc"):
            if shutil.which(tool) is None:
                raise LinkUnavailable(f"`{tool}` is not installed (iproute2)")
        x = self._free_subnet()
        self.host_ip, self.ns_ip = f"10.213.{x}.1", f"10.213.{x}.2"
        self._run("ip", "netns", "add", self.ns)
        self._made_ns = True
        self._run("ip", "link", "add", self.host_dev, "type", "veth", "peer", "name", self.ns_dev)
        self._made_veth = True
        self._run("ip", "link", "set", self.ns_dev, "netns", self.ns)
        self._run("ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_dev)
        self._run("ip", "link", "set", self.host_dev, "up")
        self._run("ip", "addr", "add", f"{self.ns_ip}/30", "dev", self.ns_dev, inside=True)
        self._run("ip", "link", "set", self.ns_dev, "up", inside=True)
        self._run("ip", "link", "set", "lo", "up", inside=True)

    def shape(self, rate: str) -> str:
        """Shape both directions to `rate` (and LINK_DELAY each way with netem); returns the link's label."""
        for dev, inside in ((self.host_dev, False), (self.ns_dev, True)):
            netem = self._run("tc", "qdisc", "replace", "dev", dev, "root", "netem", "delay", LINK_DELAY,
                              "rate", rate, "limit", "10000", inside=inside, check=False)
            if netem.returncode == 0:
                self.shaper = f"netem delay {LINK_DELAY} each way + rate"
                continue
            # No netem in this kernel: rate only (tbf), no added delay.
            self._run("tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate, "burst", "64kb",
                      "latency", "20ms", inside=inside)
            self.shaper = f"tbf rate only, NO added delay (netem: {netem.stderr.strip() or 'failed'})"
        speed = rate.replace("gbit", " Gbit/s").replace("mbit", " Mbit/s")
        return f"{speed}, {LINK_DELAY} each way" if self.shaper.startswith("netem") else f"{speed}, 0 ms (tbf)"

    def spawn(self, *cmd: str, stdout: int | None = subprocess.DEVNULL, stderr: object = None
              ) -> subprocess.Popen[bytes]:
        """Start a process inside the namespace; close() kills it."""
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *cmd], stdout=stdout,
                                stderr=stderr if stderr is not None else subprocess.DEVNULL)  # type: ignore[arg-type]
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        """Kill what was started in the namespace, then delete the veth pair and the namespace."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        if self._made_ns:  # sshd's session children, if any outlived it: only our processes live in our namespace
            pids = self._run("ip", "netns", "pids", self.ns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        if self._made_veth:
            self._run("ip", "link", "del", self.host_dev, check=False)  # deletes both ends
        if self._made_ns:
            done = self._run("ip", "netns", "del", self.ns, check=False)
            if done.returncode != 0:
                print(f"warning: could not delete the namespace {self.ns}: {done.stderr.strip()}", file=sys.stderr)


def start_target(link: EmulatedLink, workdir: Path) -> int:
    """Start the HTTP target inside the namespace; returns its port."""
    log = (workdir / "target.log").open("wb")
    proc = link.spawn(sys.executable, "-c", TARGET_SCRIPT, str(ROOT), stdout=subprocess.PIPE, stderr=log)
    log.close()
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
    line = proc.stdout.readline().decode().strip() if ready else ""
    if not line.isdigit():
        why = (workdir / "target.log").read_text(errors="replace")[-500:]
        raise LinkUnavailable(f"the HTTP target did not start in the namespace: {why or 'no output'}")
    return int(line)


class NetnsSshd(OpenSshServer):
    """OpenSSH's sshd in the foreground (-D) inside the namespace, listening on its end of the veth."""

    def __init__(self, workdir: Path, link: EmulatedLink) -> None:
        super().__init__(workdir)
        self.link = link
        self.host, self.port = link.ns_ip, LINK_SSH_PORT

    def start(self) -> NetnsSshd:
        """Start sshd and wait for its banner over the link."""
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        config = self._config()
        config.write_text(config.read_text().replace("ListenAddress 127.0.0.1", f"ListenAddress {self.host}"))
        proc = self.link.spawn(SSHD, "-D", "-f", str(config), "-E", str(self.log_path))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    sock.settimeout(2)
                    if sock.recv(4) == b"SSH-":
                        return self
            except OSError:
                time.sleep(0.05)
        raise LinkUnavailable(f"sshd did not start in the namespace: {self.log_text()[-500:] or 'no log'}")

    def stop(self) -> None:
        """Nothing to do: the link's close() kills sshd."""


def emulated_link(rounds: int, rates: list[str], workdir: Path) -> None:
    """Time the paths over the emulated link at each rate, or say why it is skipped."""
    print()
    if not openssh_available():
        print("Emulated link skipped: OpenSSH's sshd is not installed (apt-get install openssh-server).")
        return
    link = EmulatedLink()
    rows: list[Row] = []
    started = time.monotonic()
    try:
        link.open()
        target_port = start_target(link, workdir)
        (workdir / "netns").mkdir()
        server = NetnsSshd(workdir / "netns", link).start()
        for rate in rates:
            label = link.shape(rate)
            rows += time_paths(f"http://{link.ns_ip}:{target_port}", server, target_port, label, rounds,
                               with_ssh_client=shutil.which("ssh") is not None, timeout=LINK_REQUEST_TIMEOUT_S)
    except LinkUnavailable as exc:
        print(f"Emulated link skipped: {exc}.")
        print("  (it needs root or CAP_NET_ADMIN for `ip netns`/`tc`; the loopback figures above stand.)")
        return
    finally:
        link.close()
    print(f"Emulated link ({time.monotonic() - started:.0f} s): namespace {link.ns}, veth {link.host_ip}/30 here "
          f"<-> {link.ns_ip}/30 there, sshd and HTTP target inside; shaping: {link.shaper}")
    wires = ", ".join(f"{(UP_BYTES + DOWN_BYTES) * 8 / _bits_per_s(r):.3f} s at {r}" for r in rates)
    print(f"{rounds} round trips of {UP_BYTES >> 20} MB up / {DOWN_BYTES >> 20} MB down (bytes alone on the wire: "
          f"{wires})")
    print_table(rows)
    for link_label in dict.fromkeys(lk for _, lk, _ in rows):
        overhead, added = verdict(rows, link_label)
        print(f"SshTunnel overhead over {link_label}: {overhead:.1f}% ({added * 1000:.1f} ms per round trip): "
              f"{'meets' if overhead < TARGET_PCT else 'misses'} the {TARGET_PCT:.0f}% target")


def _bits_per_s(rate: str) -> float:
    """`1gbit` -> 1e9, `100mbit` -> 1e8 (tc's decimal units)."""
    for unit, scale in (("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3)):
        if rate.endswith(unit):
            return float(rate[: -len(unit)]) * scale
    raise ValueError(f"use a rate like 1gbit or 100mbit, not {rate!r}")


def main() -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--paramiko", action="store_true", help="use paramiko's server on loopback even if sshd exists")
    parser.add_argument("--links", default="1gbit,100mbit", help="rates of the emulated link, comma-separated")
    parser.add_argument("--link-rounds", type=int, default=20, help="round trips per path on the emulated link")
    parser.add_argument("--no-link", action="store_true", help="only the loopback measurement")
    args = parser.parse_args()
    rates = [r.strip() for r in args.links.split(",") if r.strip()]
    for rate in rates:
        _bits_per_s(rate)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up (finally blocks) on kill, as on Ctrl-C
    workdir = Path(tempfile.mkdtemp(prefix="relookx-bench-"))
    try:
        (workdir / "loopback").mkdir()
        loopback(args.rounds, args.paramiko, workdir / "loopback")
        if not args.no_link:
            emulated_link(args.link_rounds, rates, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
