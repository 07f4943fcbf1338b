"""The SSH tunnel's checks of who is who (paramiko): host-key verification, login, key loading, and socket care.

The host key is always checked against a known_hosts file or a pinned `SHA256:` fingerprint; an unknown
or changed key is refused with a message that shows the server's fingerprint and how to trust it. The
login uses RELOOKX_SSH_KEY_PATH (then the password if the key is refused) or RELOOKX_SSH_PASSWORD.
`relookx.preview.tunnel` uses these and re-exports the public names.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path

import paramiko

from relookx.errors import ServiceError

log = logging.getLogger(__name__)


class TunnelError(ServiceError):
    """The SSH tunnel could not be opened or used; `retryable` is False for host key and login refusals."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def normalise_fingerprint(text: str) -> str:
    """`SHA256:abc`, `abc=` or `sha256:abc` -> `SHA256:abc` (ssh-keygen's form)."""
    value = text.strip()
    if value.upper().startswith("MD5:") or value.count(":") > 1:
        raise TunnelError(f"Pin the host key with its SHA256 fingerprint (ssh-keygen -lf KEY.pub), not {value!r}.")
    if value.upper().startswith("SHA256:"):
        value = value[len("SHA256:"):]
    return "SHA256:" + value.rstrip("=")


def known_hosts_name(host: str, port: int) -> str:
    """The host's name as OpenSSH writes it in known_hosts: `host`, or `[host]:port` off port 22."""
    return host if port == 22 else f"[{host}]:{port}"


def prefer_algorithms(transport: paramiko.Transport, known: dict[str, paramiko.PKey]) -> None:
    """AES-GCM first (fastest in paramiko), and the host key type that known_hosts holds."""
    opts = transport.get_security_options()
    gcm = [c for c in opts.ciphers if c.endswith("gcm@openssh.com")]
    opts.ciphers = tuple(gcm + [c for c in opts.ciphers if c not in gcm])
    wanted: list[str] = []
    for keytype in known:
        wanted += ["rsa-sha2-512", "rsa-sha2-256"] if keytype == "ssh-rsa" else [keytype]
    wanted = [k for k in wanted if k in opts.key_types]
    if wanted:
        opts.key_types = tuple(dict.fromkeys(wanted + list(opts.key_types)))


def known_hosts_path(known_hosts: str | None) -> Path | None:
    """The known_hosts file named, else ~/.ssh/known_hosts when it exists, else None."""
    if known_hosts:
        return Path(known_hosts).expanduser()
    default = Path("~/.ssh/known_hosts").expanduser()
    return default if default.is_file() else None


def known_keys(host: str, port: int, *, known_hosts: str | None, fingerprint: str | None) -> dict[str, paramiko.PKey]:
    """The keys known_hosts holds for host:port, by type; {} when a fingerprint is pinned or there is no file."""
    path = known_hosts_path(known_hosts)
    if fingerprint or path is None:
        return {}
    if not path.is_file():
        raise TunnelError(f"The known_hosts file {path} does not exist (RELOOKX_SSH_KNOWN_HOSTS).")
    keys = paramiko.HostKeys()
    try:
        keys.load(str(path))
    except OSError as exc:
        raise TunnelError(f"Cannot read the known_hosts file {path}: {exc}.") from exc
    return dict(keys.lookup(known_hosts_name(host, port)) or {})


def verify_host_key(key: paramiko.PKey, known: dict[str, paramiko.PKey], *, host: str, port: int,
                    known_hosts: str | None, fingerprint: str | None) -> str:
    """Accept the server's key or raise TunnelError; returns what verified it (for `verified_by`)."""
    seen = key.fingerprint
    name = known_hosts_name(host, port)
    line = f"{name} {key.get_name()} {key.get_base64()}"
    if fingerprint:
        pinned = normalise_fingerprint(fingerprint)
        if seen == pinned:
            return "pinned fingerprint"
        raise TunnelError(
            f"Refused: the SSH host key of {name} is not the pinned one. The server shows {key.get_name()} "
            f"{seen} but RELOOKX_SSH_HOST_FINGERPRINT is {pinned}. Someone may be intercepting the connection; "
            f"if the gateway was reinstalled and you trust it, set RELOOKX_SSH_HOST_FINGERPRINT={seen}.")
    path = known_hosts_path(known_hosts)
    if any(k == key for k in known.values()):
        return f"known_hosts {path}"
    if known:
        had = ", ".join(f"{t} {k.fingerprint}" for t, k in known.items())
        raise TunnelError(
            f"Refused: the SSH host key of {name} has CHANGED. {path} has {had} but the server shows "
            f"{key.get_name()} {seen}. Someone may be intercepting the connection; if the gateway was "
            f"reinstalled and you trust it, run `ssh-keygen -R '{name}' -f {path}` and add `{line}`, "
            f"or set RELOOKX_SSH_HOST_FINGERPRINT={seen}.")
    where = path or "a known_hosts file named in RELOOKX_SSH_KNOWN_HOSTS"
    raise TunnelError(
        f"Refused: the SSH host key of {name} is unknown. The server shows {key.get_name()} {seen}. Check it "
        f"on the gateway (`ssh-keygen -lf /etc/ssh/ssh_host_{key.get_name().split('-')[-1]}_key.pub`), "
        f"then add `{line}` to {where}, or set RELOOKX_SSH_HOST_FINGERPRINT={seen}.")


def authenticate(transport: paramiko.Transport, *, user: str, host: str, port: int, key_path: str | None,
                 password: str | None, pkey: paramiko.PKey | None = None) -> None:
    """Log in with the key (falling back to the password if it is refused) or the password; else TunnelError."""
    who = f"{user}@{host}:{port}"
    if not key_path and not password:
        raise TunnelError(f"No SSH credentials for {who}: set RELOOKX_SSH_KEY_PATH or RELOOKX_SSH_PASSWORD.")
    if key_path:
        pkey = pkey or load_key(key_path, password)
        try:
            transport.auth_publickey(user, pkey)
            return
        except paramiko.AuthenticationException as exc:
            if not password:
                raise TunnelError(
                    f"SSH login refused for {who} with the key {key_path}: authorise its public key "
                    f"in the gateway's ~/.ssh/authorized_keys or check RELOOKX_SSH_USER ({exc}).") from exc
            log.info("Key refused for %s, trying the password", who)
    try:
        transport.auth_password(user, password or "")
    except paramiko.BadAuthenticationType as exc:
        raise TunnelError(f"The gateway {who} does not accept passwords (it allows: "
                          f"{', '.join(exc.allowed_types)}); set RELOOKX_SSH_KEY_PATH.") from exc
    except paramiko.AuthenticationException as exc:
        raise TunnelError(f"SSH login refused for {who}: wrong password (RELOOKX_SSH_PASSWORD) "
                          f"or user (RELOOKX_SSH_USER).") from exc


def load_key(key_path: str | None, passphrase: str | None) -> paramiko.PKey:
    """The private key at `key_path` (any type paramiko reads), decrypted with `passphrase` when encrypted."""
    path = str(Path(key_path or "").expanduser())
    secret = passphrase.encode("utf-8") if passphrase else None  # paramiko and cryptography want bytes
    try:
        return paramiko.PKey.from_path(path, secret)  # type: ignore[arg-type]  # the stubs say str; bytes work
    except paramiko.PasswordRequiredException as exc:
        raise TunnelError(f"The SSH key {path} is encrypted: put its passphrase in RELOOKX_SSH_PASSWORD.") from exc
    except OSError as exc:
        raise TunnelError(f"Cannot read the SSH key {path} (RELOOKX_SSH_KEY_PATH): {exc}.") from exc
    except (paramiko.SSHException, ValueError, TypeError) as exc:
        if secret is None and _is_encrypted(path):
            raise TunnelError(f"The SSH key {path} is encrypted: put its passphrase in RELOOKX_SSH_PASSWORD.") from exc
        if secret is not None and _is_encrypted(path):
            raise TunnelError(f"The SSH key {path} is encrypted and RELOOKX_SSH_PASSWORD is not its passphrase "
                              "(wrong passphrase).") from exc
        raise TunnelError(f"{path} is not a usable SSH private key (RELOOKX_SSH_KEY_PATH): {exc}.") from exc


def _is_encrypted(path: str) -> bool:
    """True when the key file needs a passphrase."""
    try:
        paramiko.PKey.from_path(path, None)
    except (paramiko.PasswordRequiredException, TypeError):  # cryptography: "Key is password-protected"
        return True
    except (OSError, paramiko.SSHException, ValueError):
        return False
    return False


def tune_socket(sock: socket.socket, keepalive_s: float) -> None:
    """No Nagle delay; kernel keepalives so a vanished gateway is noticed, not waited on for minutes."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    idle = max(1, int(keepalive_s))
    for name, value in (("TCP_KEEPIDLE", idle), ("TCP_KEEPINTVL", idle), ("TCP_KEEPCNT", 3),
                        ("TCP_USER_TIMEOUT", idle * 3 * 1000)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


def discard_transport(transport: paramiko.Transport | None, sock: socket.socket) -> None:
    """Close a half-open SSH session and its socket, and wait for paramiko's reader thread to end."""
    if transport is not None:
        transport.close()
        if transport.is_alive() and transport is not threading.current_thread():
            transport.join(timeout=5)
    sock.close()
