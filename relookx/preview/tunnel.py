"""The app's SSH tunnel to the SD webui behind a gateway: settings glue, the shared tunnel and the CLI check.

The port forward itself is `SshTunnel` in `relookx.preview.forward`; the host-key and login checks are in
`ssh_auth`. Their public names are re-exported here, so `relookx.preview.tunnel` stays the one import point.
The host key is always checked against a known_hosts file or a pinned `SHA256:` fingerprint; an unknown
or changed key is refused with a message that shows the server's fingerprint.
"""

from __future__ import annotations

import atexit
import threading
import time

import requests

from relookx.config import Settings
from relookx.preview.forward import THREAD_PREFIX, SshTunnel, TunnelState, TunnelStatus
from relookx.preview.ssh_auth import TunnelError, known_hosts_name, normalise_fingerprint

__all__ = [
    "THREAD_PREFIX", "SshTunnel", "TunnelError", "TunnelState", "TunnelStatus", "check_tunnel", "known_hosts_name",
    "normalise_fingerprint", "shared_state",
    "shared_tunnel", "stop_shared_tunnels", "tunnel_from_settings", "webui_url",
]

HEALTH_PATH = "/sdapi/v1/progress?skip_current_image=true"


# ----- settings, the shared tunnel, the CLI check -----
def tunnel_from_settings(settings: Settings, *, local_port: int = 0) -> SshTunnel | None:
    """A (not started) tunnel for the settings, or None when RELOOKX_SSH_HOST is not set."""
    if not settings.ssh_host:
        return None
    if not settings.ssh_user:
        raise TunnelError("RELOOKX_SSH_HOST is set but RELOOKX_SSH_USER is not: set the user on the gateway.")
    return SshTunnel(
        host=settings.ssh_host, port=settings.ssh_port, user=settings.ssh_user, key_path=settings.ssh_key_path,
        password=settings.ssh_password, known_hosts=settings.ssh_known_hosts,
        fingerprint=settings.ssh_host_fingerprint, remote_host=settings.ssh_remote_host,
        remote_port=settings.ssh_remote_port, local_port=local_port)


_REGISTRY: dict[tuple[object, ...], SshTunnel] = {}
_REGISTRY_LOCK = threading.Lock()


def _registry_key(settings: Settings) -> tuple[object, ...]:
    return (settings.ssh_host, settings.ssh_port, settings.ssh_user, settings.ssh_key_path, settings.ssh_password,
            settings.ssh_known_hosts, settings.ssh_host_fingerprint, settings.ssh_remote_host,
            settings.ssh_remote_port)


def shared_tunnel(settings: Settings) -> SshTunnel:
    """The process-wide tunnel for these settings, started on first use (or restarted after a failure)."""
    with _REGISTRY_LOCK:
        tunnel = _REGISTRY.get(_registry_key(settings))
        if tunnel is None:
            made = tunnel_from_settings(settings)
            if made is None:
                raise TunnelError("No SSH tunnel is configured: set RELOOKX_SSH_HOST (or RELOOKX_SD_URL).")
            if not _REGISTRY:
                atexit.register(stop_shared_tunnels)
            tunnel = _REGISTRY[_registry_key(settings)] = made
    tunnel.start()  # idempotent; raises TunnelError when it cannot connect
    return tunnel


def shared_state(settings: Settings) -> TunnelState | None:
    """The shared tunnel's state for status displays, without starting it (None: not started yet)."""
    with _REGISTRY_LOCK:
        tunnel = _REGISTRY.get(_registry_key(settings))
    return tunnel.state if tunnel is not None else None


def stop_shared_tunnels() -> None:
    """Stop and forget every shared tunnel (at exit, and in tests)."""
    with _REGISTRY_LOCK:
        tunnels = list(_REGISTRY.values())
        _REGISTRY.clear()
    for tunnel in tunnels:
        tunnel.stop()


def webui_url(settings: Settings) -> str | None:
    """The webui's base URL: through the shared tunnel when RELOOKX_SSH_HOST is set, else RELOOKX_SD_URL."""
    if settings.ssh_host:
        return shared_tunnel(settings).url
    return settings.sd_url.rstrip("/") if settings.sd_url else None


def check_tunnel(settings: Settings, *, timeout_s: float = 30.0) -> list[str]:
    """Connect, verify the host key, forward and call the webui's health endpoint; the lines to print."""
    tunnel = tunnel_from_settings(settings)
    if tunnel is None:
        raise TunnelError("RELOOKX_SSH_HOST is not set: there is no SSH tunnel to check.")
    lines = [f"SSH gateway {tunnel.user}@{tunnel.host}:{tunnel.port}"]
    started = time.perf_counter()
    port = tunnel.start()
    try:
        lines.append(f"Host key {tunnel.host_key_fingerprint} verified by {tunnel.verified_by}; logged in "
                     f"in {time.perf_counter() - started:.2f} s")
        lines.append(f"Forwarding 127.0.0.1:{port} -> {tunnel.remote_host}:{tunnel.remote_port}")
        asked = time.perf_counter()
        try:
            reply = requests.get(tunnel.url + HEALTH_PATH, timeout=timeout_s)
        except requests.RequestException as exc:
            why = tunnel.last_forward_error or f"{type(exc).__name__}: {exc}"
            raise TunnelError(f"The tunnel is up but the webui did not answer: {why}.") from exc
        if reply.status_code != 200:
            raise TunnelError(f"The webui answered HTTP {reply.status_code} at {HEALTH_PATH}: {reply.text[:200]} "
                              "(is it started with --api?).")
        try:
            body = reply.json()
        except ValueError as exc:
            raise TunnelError(f"The webui's answer at {HEALTH_PATH} is not JSON: {reply.text[:200]}.") from exc
        progress = body.get("progress") if isinstance(body, dict) else None
        lines.append(f"Webui healthy: HTTP 200 in {(time.perf_counter() - asked) * 1000:.0f} ms "
                     f"(progress {progress})")
        return lines
    finally:
        tunnel.stop()

