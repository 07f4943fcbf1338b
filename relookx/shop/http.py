"""One polite HTTP layer for every shop: robots.txt, spacing per host, Retry-After, timeouts, a cache, stops.

Every shop request of RelookX goes through `PoliteHttp`. It sends a descriptive User-Agent, reads each
host's robots.txt once (RFC 9309), asks one host one thing at a time with a pause between requests,
waits out a short `Retry-After`, keeps answers in the store's `HttpCacheEntry` table for a while, and
stops asking a host for good (for this object's life) after a 403 or a CAPTCHA page.

Redirects are not left to requests: each hop (at most `MAX_REDIRECTS`) is asked like a first request,
with its host's robots.txt, lock, spacing and stop, so a redirect never reaches a page robots.txt
disallows or a host that was stopped. The answer is cached under the URL first asked for.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from relookx.db import session_scope
from relookx.errors import ServiceError
from relookx.models import HttpCacheEntry, utcnow
from relookx.shop.addresses import AddressPolicy, netloc_of
from relookx.shop.botcheck import looks_like_bot_check
from relookx.shop.robots import RobotsPolicy

log = logging.getLogger(__name__)

DEFAULT_UA = "RelookX/0.1 (+https://github.com/relookx/relookx; wardrobe assistant)"
ROBOTS_RETRY_S = 300.0  # an unreadable robots.txt (5xx, no answer) is asked again after this long
MAX_REDIRECTS = 5  # redirects followed per request (RFC 9309 asks at least five for robots.txt)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers not carried to another host on a redirect (credentials; requests drops Authorization too).
_PRIVATE_HEADER_RE = re.compile(r"authorization|cookie|key|token|secret", re.IGNORECASE)
_T = TypeVar("_T")

class ShopError(ServiceError):
    """A shop could not be asked or did not answer usefully; `reason` says why in words."""

    def __init__(
        self, reason: str, *, kind: str = "http", url: str = "", status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        # robots | not_now | rate_limited | timeout | network | refused | captcha | http | invalid | blocked
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class _Redirect:
    """A 3xx answer of one hop: where it points to (absolute) and its status."""

    location: str
    status: int


@dataclass
class _Host:
    """What the layer remembers about one host."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last_request: float | None = None  # time.monotonic() when the previous request ended
    robots: RobotsPolicy | None = None
    robots_until: float = float("inf")  # monotonic time after which robots.txt is read again
    stopped: ShopError | None = None


def cache_key(url: str) -> str:
    """The `HttpCacheEntry.key` of a GET of this full URL (query included)."""
    return hashlib.sha256(f"GET {url}".encode()).hexdigest()


def full_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    """The URL with `params` encoded into its query, as requests would send it."""
    prepared = requests.Request("GET", url, params=dict(params or {})).prepare()
    return prepared.url or url


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


class PoliteHttp:
    """GET for shops, with robots.txt, spacing per host, Retry-After, timeouts, a store cache and stops."""

    def __init__(
        self, *, engine: Engine | None, timeout_s: float, spacing_s: float, cache_ttl_s: float,
        user_agent: str = DEFAULT_UA, session: requests.Session | None = None, max_retry_after_s: float = 30,
        trusted_hosts: Collection[str] | None = None,
    ) -> None:
        self.engine = engine
        self.timeout_s = timeout_s
        self.spacing_s = spacing_s
        self.cache_ttl_s = cache_ttl_s
        self.user_agent = user_agent
        self.max_retry_after_s = max_retry_after_s
        self.session = session or requests.Session()
        self.addresses = AddressPolicy(trusted_hosts)  # internal addresses only for these (None: the first hop)
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    # --- public API ------------------------------------------------------------------------------

    def get_text(
        self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
        use_cache: bool = True, robots: bool = True,
    ) -> str:
        """The body of a GET as text; `robots=False` only for keyed APIs, whose terms replace robots.txt."""
        return self._get(url, params=params, headers=headers, use_cache=use_cache, robots=robots,
                         convert=lambda body: body)

    def get_json(
        self, url: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
        use_cache: bool = True, robots: bool = True,
    ) -> Any:
        """The body of a GET decoded as JSON (ShopError when it is not JSON)."""
        merged = {"Accept": "application/json", **dict(headers or {})}
        return self._get(url, params=params, headers=merged, use_cache=use_cache, robots=robots,
                         convert=_decode_json)

    def stopped_reason(self, url: str) -> str | None:
        """Why the host of `url` is no longer asked, or None."""
        host = self._hosts.get(urlsplit(url).netloc.lower())
        return host.stopped.reason if host and host.stopped else None

    # --- internals -------------------------------------------------------------------------------

    def _host(self, netloc: str) -> _Host:
        with self._hosts_lock:
            return self._hosts.setdefault(netloc, _Host())

    def _get(
        self, url: str, *, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
        use_cache: bool, robots: bool, convert: Callable[[str], _T],
    ) -> _T:
        target = full_url(url, params)
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ShopError(f"Not a web address: {url}", kind="invalid", url=url)
        if use_cache:
            cached = self._cache_read(target)
            if cached is not None:
                try:
                    return convert(cached)
                except ShopError:
                    log.warning("cached answer for %s is unusable; fetching again", target)
        body = self._follow(target, headers, robots=robots)
        value = convert(body)
        if use_cache:
            self._cache_write(target, body)
        return value

    def _follow(self, target: str, headers: Mapping[str, str] | None, *, robots: bool) -> str:
        """The body at `target`, following redirects hop by hop, each checked like the first request."""
        url, origin = target, urlsplit(target).netloc.lower()
        for hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            netloc = parts.netloc.lower()
            hop_headers = headers if netloc == origin else _public_headers(headers)
            self._check_address(url, origin)
            host = self._host(netloc)
            with host.lock:
                self._check_stopped(host, url)
                if robots:
                    self._check_robots(host, parts.scheme, netloc, url)
                answer = self._fetch(host, netloc, url, hop_headers)
            if not isinstance(answer, _Redirect):
                return answer
            if hop == MAX_REDIRECTS:
                break
            log.info("%s redirects (HTTP %s) to %s", url, answer.status, answer.location)
            url = answer.location
        raise ShopError(f"Too many redirects (more than {MAX_REDIRECTS}) from {target}, last to {url}",
                        kind="invalid", url=target)

    def _check_address(self, url: str, origin: str) -> None:
        internal = self.addresses.internal_address(url, origin)
        if internal is not None:
            raise ShopError(f"Refused: {netloc_of(url)} is at an internal address ({internal}); only a shop "
                            "configured at such an address in RELOOKX_SHOPS may be asked there", kind="blocked",
                            url=url)

    def _check_stopped(self, host: _Host, url: str) -> None:
        if host.stopped is not None:
            raise ShopError(f"{host.stopped.reason}; not asking again", kind=host.stopped.kind, url=url,
                            status=host.stopped.status)

    def _check_robots(self, host: _Host, scheme: str, netloc: str, target: str) -> None:
        if host.robots is None or time.monotonic() >= host.robots_until:
            host.robots = self._read_robots(host, f"{scheme}://{netloc}/robots.txt")
            host.robots_until = time.monotonic() + ROBOTS_RETRY_S if host.robots.unavailable else float("inf")
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if host.robots.allowed(path):
            return
        if host.robots.unavailable:
            raise ShopError(f"robots.txt of {netloc} {host.robots.note}: not asking the shop for now, try again later",
                            kind="not_now", url=target)
        raise ShopError(f"robots.txt of {netloc} disallows {path}", kind="robots", url=target)

    def _read_robots(self, host: _Host, robots_url: str) -> RobotsPolicy:
        """robots.txt, following up to MAX_REDIRECTS redirects (RFC 9309 2.3.1.2); more count as no answer."""
        url = robots_url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                resp = self._send(host, url, None)
                location = _redirect_location(resp, url)
                if location is None:
                    log.info("robots.txt %s: HTTP %s", url, resp.status_code)
                    return RobotsPolicy.from_response(resp.status_code, _text(resp), self.user_agent)
                self._check_address(location, netloc_of(robots_url))
                url = location
            log.warning("robots.txt %s: more than %d redirects", robots_url, MAX_REDIRECTS)
        except ShopError as exc:
            log.warning("robots.txt %s: %s", url, exc.reason)
        return RobotsPolicy.from_response(None, "", self.user_agent)

    def _wait_turn(self, host: _Host, at_least: float = 0.0) -> None:
        if host.last_request is not None:
            pause = host.last_request + self.spacing_s - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        if at_least > 0:
            time.sleep(at_least)

    def _send(self, host: _Host, url: str, headers: Mapping[str, str] | None) -> requests.Response:
        """One GET in the host's turn; connection problems and timeouts become ShopError."""
        self._wait_turn(host)
        netloc = urlsplit(url).netloc
        all_headers = {"User-Agent": self.user_agent, **dict(headers or {})}
        try:
            return self.session.get(url, headers=all_headers, timeout=self.timeout_s, allow_redirects=False)
        except requests.Timeout as exc:
            raise ShopError(f"{netloc} did not answer within {self.timeout_s:g} s", kind="timeout",
                            url=url) from exc
        except requests.RequestException as exc:
            raise ShopError(f"Could not reach {netloc}: {type(exc).__name__}", kind="network", url=url) from exc
        finally:
            host.last_request = time.monotonic()

    def _fetch(self, host: _Host, netloc: str, url: str, headers: Mapping[str, str] | None) -> str | _Redirect:
        """The body of one GET (no redirect followed), or where a 3xx answer points to."""
        resp = self._send(host, url, headers)
        if resp.status_code in (429, 503) and "Retry-After" in resp.headers:
            wait = parse_retry_after(resp.headers.get("Retry-After"))
            if wait is None or wait > self.max_retry_after_s:
                raise _rate_limited(netloc, url, resp.status_code, wait)
            log.info("%s asks to wait %.1f s (HTTP %s): waiting once", netloc, wait, resp.status_code)
            self._wait_turn(host, at_least=wait)
            resp = self._send(host, url, headers)
            if resp.status_code in (429, 503):
                raise _rate_limited(netloc, url, resp.status_code,
                                    parse_retry_after(resp.headers.get("Retry-After")))
        location = _redirect_location(resp, url)
        if location is not None:
            return _Redirect(location, resp.status_code)
        body = _text(resp)
        content_type = resp.headers.get("Content-Type", "")
        if looks_like_bot_check(body, content_type):
            host.stopped = ShopError(f"{netloc} answered with a CAPTCHA or bot-check page",
                                     kind="captcha", url=url, status=resp.status_code)
            log.warning("stopping %s: %s", netloc, host.stopped.reason)
            raise host.stopped
        if resp.status_code == 403:
            host.stopped = ShopError(f"{netloc}: the shop refused access (HTTP 403)", kind="refused", url=url,
                                     status=403)
            log.warning("stopping %s: %s", netloc, host.stopped.reason)
            raise host.stopped
        if resp.status_code == 429:
            raise _rate_limited(netloc, url, 429, None)
        if not 200 <= resp.status_code < 300:
            path = urlsplit(url).path or "/"
            raise ShopError(f"{netloc} answered HTTP {resp.status_code} for {path}", kind="http", url=url,
                            status=resp.status_code)
        return body

    def _cache_read(self, url: str) -> str | None:
        if self.engine is None:
            return None
        try:
            with session_scope(self.engine) as session:
                entry = session.exec(select(HttpCacheEntry).where(HttpCacheEntry.key == cache_key(url))).first()
                if entry is None or _aware(entry.expires_at) <= utcnow():
                    return None
                log.debug("cache hit %s", url)
                return entry.body
        except SQLAlchemyError as exc:
            log.warning("shop cache unreadable: %s", exc)
            return None

    def _cache_write(self, url: str, body: str) -> None:
        if self.engine is None or self.cache_ttl_s <= 0:
            return
        now = utcnow()
        expires = now + timedelta(seconds=self.cache_ttl_s)
        key = cache_key(url)
        try:
            with session_scope(self.engine) as session:
                entry = session.exec(select(HttpCacheEntry).where(HttpCacheEntry.key == key)).first()
                if entry is None:
                    entry = HttpCacheEntry(key=key, url=url[:2000])
                entry.status, entry.body, entry.fetched_at, entry.expires_at = 200, body, now, expires
                session.add(entry)
        except SQLAlchemyError as exc:  # e.g. two threads storing the same URL at once
            log.warning("shop cache not written for %s: %s", url, exc)


def _text(resp: requests.Response) -> str:
    if "charset" not in resp.headers.get("Content-Type", "").lower():
        resp.encoding = "utf-8"  # requests would assume ISO-8859-1 for text/* without a charset
    return resp.text


def _redirect_location(resp: requests.Response, url: str) -> str | None:
    """The absolute URL a redirect answer points to (relative Location resolved against `url`), else None.

    Only GETs are sent, so 303 (see other, GET) is followed like the others. A redirect without a
    Location is left to the caller as an ordinary non-2xx answer; one to a non-web address is an error.
    """
    if resp.status_code not in REDIRECT_STATUSES:
        return None
    location = (resp.headers.get("Location") or "").strip()
    if not location:
        return None
    target = urljoin(url, location)
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ShopError(f"{urlsplit(url).netloc} redirects to something that is not a web address: {location}",
                        kind="invalid", url=url, status=resp.status_code)
    return parts._replace(fragment="").geturl()


def _public_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The headers without credentials, for a hop to another host."""
    return {k: v for k, v in (headers or {}).items() if not _PRIVATE_HEADER_RE.search(k)}


def _decode_json(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:  # json.loads raises only this ValueError subclass
        raise ShopError(f"The shop answered something that is not JSON ({exc.msg})", kind="invalid") from exc


def _rate_limited(netloc: str, url: str, status: int, wait: float | None) -> ShopError:
    if wait is None:
        return ShopError(f"{netloc} is rate limiting us (HTTP {status}); try again later", kind="rate_limited",
                         url=url, status=status)
    when = (datetime.now(UTC) + timedelta(seconds=wait)).strftime("%H:%M UTC")
    return ShopError(f"{netloc} asks to wait {wait:.0f} s (HTTP {status}); try again after {when}",
                     kind="rate_limited", url=url, status=status, retry_after_s=wait)
