"""The style guides the stylist reads (`guides/*.md`): data, loaded by one function."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from relookx.errors import ConfigError

GUIDES_DIR = Path(__file__).resolve().parents[1] / "guides"
GUIDE_NAMES = ("description", "critique", "advice")


def load_guide(name: str, *, root: Path | None = None) -> str:
    """The text of one guide (`description`, `critique` or `advice`); edits apply on the next call."""
    if name not in GUIDE_NAMES:
        raise ConfigError(f"Unknown guide '{name}': use one of {', '.join(GUIDE_NAMES)}.")
    path = (root or GUIDES_DIR) / f"{name}.md"
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"The {name} guide is missing: expected {path}.") from None
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _read(path: str, _mtime_ns: int, _size: int) -> str:
    # Keyed by modification time and size, so an edited guide is read again without a restart.
    text = Path(path).read_text(encoding="utf-8").strip()
    if not text:
        raise ConfigError(f"The guide {path} is empty.")
    return text
