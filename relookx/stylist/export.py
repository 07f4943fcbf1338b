"""The fine-tuning export: stored workflow runs as chat-format examples, personal profile fields left out.

A run's example holds the user's profile in its `## Profile` section (gender, height, weight, style
notes, budget, favourite color). Only the preferences in `KEPT_PROFILE_FIELDS` stay unless the export
is asked to include the whole profile.
"""

from __future__ import annotations

import copy
import re
from typing import Any

KEPT_PROFILE_FIELDS = ("favourite color", "budget")  # preferences, not personal data
PERSONAL_PROFILE_FIELDS = ("gender", "height", "weight", "style notes")  # what the export leaves out
_PROFILE_SECTION = re.compile(r"(## Profile\n)(.*?)(\n\n## |\Z)", re.DOTALL)


def _kept(section: str) -> str:
    lines = [line for line in section.splitlines()
             if any(line.startswith(f"- {name}:") for name in KEPT_PROFILE_FIELDS)]
    return "\n".join(lines) or "- not given"


def strip_profile(example: dict[str, Any]) -> dict[str, Any]:
    """A copy of the example whose profile sections keep only the preferences (favourite color, budget)."""
    out = copy.deepcopy(example)
    for message in out.get("messages") or []:
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            message["content"] = _PROFILE_SECTION.sub(
                lambda m: m.group(1) + _kept(m.group(2)) + m.group(3), message["content"])
    return out


def training_examples(examples: list[dict[str, Any]], *, include_profile: bool) -> list[dict[str, Any]]:
    """The examples that have messages, stripped of personal profile fields unless `include_profile`."""
    kept = [e for e in examples if e.get("messages")]
    return kept if include_profile else [strip_profile(e) for e in kept]
