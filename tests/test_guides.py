"""The style guides: loaded by one function, complete, and re-read after an edit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from relookx.errors import ConfigError
from relookx.guides import GUIDE_NAMES, load_guide
from relookx.stylist.rules import COLOR_RULES, PIECE_RULES


@pytest.mark.parametrize("name", GUIDE_NAMES)
def test_each_guide_loads_and_is_substantial(name: str) -> None:
    text = load_guide(name)
    assert text.startswith("# ")
    assert 80 <= len(text.splitlines()) <= 220
    assert text.count("\n## ") >= 4


def test_description_guide_covers_its_topics() -> None:
    text = load_guide("description").lower()
    for topic in ("silhouette", "fit", "color", "texture", "fabric", "pattern", "style family", "accessor",
                  "footwear", "occasion", "mood"):
        assert topic in text, topic


def test_critique_guide_covers_framework_and_ratings() -> None:
    text = load_guide("critique").lower()
    for topic in ("rule of thirds", "balancing volumes", "layering order", "60 percent", "seasonal colors",
                  "texture", "streetwear", "business", "casual", "bohemian", "retro", "athleisure", "footwear",
                  "practicality", "strengths", "improvements", "large piece", "verdict"):
        assert topic in text, topic
    for rating in ("style", "comfort", "versatility", "overall"):
        assert f"{rating}: " in text and "/10" in text


def test_advice_guide_explains_every_rule_and_field() -> None:
    text = load_guide("advice").lower()
    for rule in (*COLOR_RULES.values(), *PIECE_RULES.values()):
        assert rule.key.replace("_", " ") in text or rule.title.lower() in text, rule.key
    for field in ("name", "category", "color_hex", "fit", "price", "context", "description", "reason"):
        assert f"| {field} |" in text, field
    assert "own" in text and "budget" in text and "season" in text


def test_unknown_guide_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Unknown guide 'styling'"):
        load_guide("styling")


def test_missing_guide_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="critique guide is missing"):
        load_guide("critique", root=tmp_path)


def test_editing_a_guide_changes_the_text_without_restart(tmp_path: Path) -> None:
    path = tmp_path / "advice.md"
    path.write_text("# Advice\n\nRecommend one piece.\n", encoding="utf-8")
    assert load_guide("advice", root=tmp_path) == "# Advice\n\nRecommend one piece."
    path.write_text("# Advice\n\nRecommend one piece, in rust.\n", encoding="utf-8")
    # Same second on coarse file systems: the size still differs, and bump the time for good measure.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_guide("advice", root=tmp_path).endswith("in rust.")
