"""Recognising a CAPTCHA or bot-check page served instead of the answer asked for."""

from __future__ import annotations

import re

__all__ = ["looks_like_bot_check"]

# Markers of bot-check pages (Cloudflare, PerimeterX, DataDome, Imperva, generic CAPTCHAs).
_STRONG_MARKERS = (
    "cf-challenge", "cf_chl_opt", "attention required! | cloudflare", "just a moment...</title>",
    "px-captcha", "_pxcaptcha", "captcha-delivery.com", "_incapsula_resource",
    "please verify you are a human", "verify you are human", "are you a robot", "access to this page has been denied",
)
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def looks_like_bot_check(text: str, content_type: str = "") -> bool:
    """True for a CAPTCHA or bot-check page instead of the answer asked for."""
    head = text[:200_000].lower()
    if "json" in content_type.lower() or head.lstrip()[:1] in ("{", "["):
        return False
    if any(marker in head for marker in _STRONG_MARKERS):
        return True
    title = _TITLE_RE.search(head)
    if title and ("captcha" in title.group(1) or "attention required" in title.group(1)):
        return True
    # "captcha" alone also appears in newsletter forms of normal pages: only trust it on a short page.
    return "captcha" in head and len(text) < 15_000 and "<form" in head
