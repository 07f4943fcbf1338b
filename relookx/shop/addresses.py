"""Which hosts a shop request may reach: never an internal address (loopback, private, link-local...),
unless it is a shop configured there. Checked on every hop by `relookx.shop.http.PoliteHttp`.

A configured shop (or an open redirect on it) could otherwise send the server to 127.0.0.1, the cloud
metadata service at 169.254.169.254 or the private network. The host is resolved before each request
and refused when any of its addresses is internal. (requests resolves the name again when it connects;
a DNS answer that changes in between is not caught here.)
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not "private" for ipaddress, internal still


def is_internal(address: str) -> bool:
    """True for loopback, private, link-local, shared, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED))


def netloc_of(url: str) -> str:
    """`host[:port]` of a URL, lower-cased, without user:password."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()


class AddressPolicy:
    """Refuses hosts that resolve to internal addresses, except the trusted (configured) ones.

    `trusted`: the configured shops' `host[:port]`; None trusts the host each request starts at
    (a request always starts at a shop's own address), so only redirects are checked then.
    """

    def __init__(self, trusted: Iterable[str] | None = None) -> None:
        self._trusted = None if trusted is None else frozenset(t.strip().lower() for t in trusted if t.strip())

    def trusted(self, netloc: str, origin: str | None = None) -> bool:
        """True when `netloc` may be internal: a configured shop, or the request's start when none is listed."""
        netloc = netloc.lower()
        if self._trusted is None:
            return origin is not None and netloc == origin.lower()
        return netloc in self._trusted

    def internal_address(self, url: str, origin: str | None = None) -> str | None:
        """The internal address `url`'s host resolves to when it is not allowed; None when it may be asked."""
        parts = urlsplit(url)
        if self.trusted(netloc_of(url), origin) or not parts.hostname:
            return None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
        except (OSError, ValueError):
            return None  # unknown name: the request itself fails with its own message
        for info in infos:
            address = str(info[4][0])
            if is_internal(address):
                return address
        return None
