"""Credentials out of anything shown or logged: URLs with user:password, and the values of secret settings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
# scheme://userinfo@ : the userinfo part is what must not be shown
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/@\s?#]+)@")


def redact_url(url: str) -> str:
    """The URL with its password (or a lone token before `@`) replaced by ***; other text unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, _password = userinfo.partition(":")
    shown = f"{user}:{MASK}" if sep else MASK
    return urlunsplit(parts._replace(netloc=f"{shown}@{hostport}"))


def _mask_userinfo(match: re.Match[str]) -> str:
    user, sep, _ = match.group("userinfo").partition(":")
    return f"{match.group('scheme')}{user + ':' + MASK if sep else MASK}@"


def redact_text(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with credentials in URLs masked and every given secret value replaced by ***."""
    out = _USERINFO.sub(_mask_userinfo, text)
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        out = out.replace(secret, MASK)
    return out
