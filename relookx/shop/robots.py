"""robots.txt as RFC 9309 reads it: groups per user-agent, `*` and `$` patterns, the longest match wins.

Python's `urllib.robotparser` matches prefixes only and lets the first rule win, which blocks Shopify's
predictive search (`Disallow: /search` then `Allow: /search/`); this parser follows the RFC instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least the first 500 KiB
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE_RE = re.compile(r"%([0-9a-fA-F]{2})")
_LINE_RE = re.compile(r"^\s*([A-Za-z][A-Za-z _-]*?)\s*:\s*(.*?)\s*$")
_KEY_ALIASES = {
    "user-agent": "user-agent", "useragent": "user-agent", "user agent": "user-agent",
    "allow": "allow",
    "disallow": "disallow", "dissallow": "disallow", "dissalow": "disallow", "disalow": "disallow",
}


def normalize_path(text: str) -> str:
    """Percent-encode non-ASCII and blank octets, decode escaped unreserved ones, upper-case the rest."""
    encoded = "".join(
        "".join(f"%{b:02X}" for b in ch.encode("utf-8")) if ord(ch) <= 0x20 or ord(ch) >= 0x7F else ch
        for ch in text
    )

    def _fix(m: re.Match[str]) -> str:
        char = chr(int(m.group(1), 16))
        return char if char in _UNRESERVED else f"%{m.group(1).upper()}"

    return _ESCAPE_RE.sub(_fix, encoded)


def product_token(user_agent: str) -> str:
    """The product token of a User-Agent ("RelookX/0.1 (+url)" -> "relookx"), lower-cased."""
    token = re.split(r"[/\s(;]", user_agent.strip(), maxsplit=1)[0]
    return token.lower()


@dataclass(frozen=True)
class Rule:
    """One Allow or Disallow line."""

    allow: bool
    pattern: str  # normalized, starts with "/" or "*"

    @property
    def regex(self) -> re.Pattern[str]:
        """The pattern as a regex anchored at the start (`*` any run of octets, a final `$` the end)."""
        return _compile(self.pattern)

    def matches(self, path: str) -> bool:
        """True when the rule applies to the (normalized) path."""
        return self.regex.match(path) is not None


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    compiled = _REGEX_CACHE.get(pattern)
    if compiled is None:
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        compiled = re.compile(regex + (r"\Z" if anchored else ""), re.DOTALL)
        if len(_REGEX_CACHE) < 10_000:
            _REGEX_CACHE[pattern] = compiled
    return compiled


@dataclass
class Group:
    """The rules that follow one or more User-agent lines."""

    agents: list[str] = field(default_factory=list)  # lower-cased product tokens, "*" for everyone
    rules: list[Rule] = field(default_factory=list)


def parse_groups(text: str) -> list[Group]:
    """Every group of a robots.txt body, in order (lines that are not rules or agents are ignored)."""
    groups: list[Group] = []
    current: Group | None = None
    last_was_agent = False
    for raw_line in text[:MAX_ROBOTS_BYTES].splitlines():
        line = raw_line.split("#", 1)[0]
        m = _LINE_RE.match(line)
        if not m:
            continue
        key = _KEY_ALIASES.get(m.group(1).lower())
        value = m.group(2)
        if key == "user-agent":
            if current is None or not last_was_agent:
                current = Group()
                groups.append(current)
            current.agents.append(value.split()[0].lower() if value else "")
            last_was_agent = True
            continue
        if key in ("allow", "disallow"):
            last_was_agent = False
            if current is None or not value:
                continue  # a rule outside any group, or an empty Disallow (which allows everything)
            pattern = value if value.startswith(("/", "*")) else "/" + value
            current.rules.append(Rule(allow=key == "allow", pattern=normalize_path(pattern)))
        else:
            last_was_agent = False  # Sitemap, Crawl-delay...: they end a run of User-agent lines
    return groups


@dataclass
class RobotsPolicy:
    """What one crawler may fetch on one host."""

    rules: list[Rule] = field(default_factory=list)
    default_allow: bool = True  # False when robots.txt could not be read (5xx or no answer): "not now"
    note: str = ""  # why the policy is what it is ("robots.txt answered HTTP 503")

    @classmethod
    def parse(cls, text: str, user_agent: str) -> RobotsPolicy:
        """The policy for `user_agent` in a robots.txt body: its own groups, else the `*` groups."""
        token = product_token(user_agent)
        groups = parse_groups(text)
        mine = [g for g in groups if token and token in g.agents]
        if not mine:
            mine = [g for g in groups if "*" in g.agents]
        return cls(rules=[r for g in mine for r in g.rules])

    @classmethod
    def from_response(cls, status: int | None, text: str, user_agent: str) -> RobotsPolicy:
        """The policy from a robots.txt answer: 2xx parsed, 4xx allow all, 5xx or no answer (None) disallow all."""
        if status is not None and 200 <= status < 300:
            return cls.parse(text, user_agent)
        if status is not None and 400 <= status < 500 and status != 429:  # 429 is "busy", like a 5xx
            return cls(note=f"robots.txt answered HTTP {status}: everything allowed")
        what = f"HTTP {status}" if status is not None else "no answer"
        return cls(default_allow=False, note=f"could not be read ({what})")

    @classmethod
    def allow_all(cls) -> RobotsPolicy:
        """A policy that allows everything."""
        return cls()

    @property
    def unavailable(self) -> bool:
        """True when robots.txt could not be read and everything is refused for now."""
        return not self.default_allow

    def decide(self, path_with_query: str) -> Rule | None:
        """The rule that decides for this path (longest pattern, Allow on ties), or None when no rule matches."""
        path = normalize_path(path_with_query or "/")
        best: Rule | None = None
        for rule in self.rules:
            if not rule.matches(path):
                continue
            if best is None or len(rule.pattern) > len(best.pattern) or (
                len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow
            ):
                best = rule
        return best

    def allowed(self, path_with_query: str) -> bool:
        """True when the crawler may fetch this path (with its query string)."""
        if not self.default_allow:
            return False
        if (path_with_query or "/").split("?", 1)[0] == "/robots.txt":
            return True
        rule = self.decide(path_with_query)
        return True if rule is None else rule.allow
