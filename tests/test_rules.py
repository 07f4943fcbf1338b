"""Color and piece rules: compatibility with constraints, and a varied, deterministic choice."""

from __future__ import annotations

import random

import pytest

from relookx.fashion.pieces import OutfitItem
from relookx.garments import CATEGORIES
from relookx.stylist.rules import (
    COLOR_RULES,
    PIECE_RULES,
    Rule,
    choose_rules,
    compatible,
    fixed_category,
    fixed_color,
)
from relookx.stylist.types import Constraints

NAVY_OUTFIT = [
    OutfitItem("Navy blazer", "outerwear", "navy", "#202a44"),
    OutfitItem("Navy trousers", "bottom", "navy", "#1f2a48"),
    OutfitItem("White shirt", "top", "white", "#ffffff"),
]


def test_rule_sets_are_the_documented_ones() -> None:
    assert set(COLOR_RULES) == {"complementary", "analogous", "accent", "sandwich", "monochromatic",
                                "pattern_mixing", "seasonal"}
    assert set(PIECE_RULES) == {"texture_mixing", "statement_piece", "proportion_balance", "accessory",
                                "silhouette", "replacement", "layering", "surface"}
    for key, rule in (*COLOR_RULES.items(), *PIECE_RULES.items()):
        assert isinstance(rule, Rule) and rule.key == key
        assert rule.title and len(rule.description) > 60
    for rule in PIECE_RULES.values():
        assert set(rule.categories) <= set(CATEGORIES)
    assert COLOR_RULES["complementary"].hue_offset == 180.0


def test_fixed_category_and_color_from_constraints() -> None:
    assert fixed_category(Constraints(garment="sneakers")) == "footwear"
    assert fixed_category(Constraints(category="bag", garment="sneakers")) == "bag"
    assert fixed_category(Constraints(garment="thing")) is None
    assert fixed_color(Constraints(color_name="navy")) == "#202a44"
    assert fixed_color(Constraints(color_name="navy", color_hex="#ff0000")) == "#ff0000"
    assert fixed_color(Constraints()) is None


@pytest.mark.parametrize(("category", "rule", "ok"), [
    ("footwear", "accessory", True), ("bag", "accessory", True), ("headwear", "accessory", True),
    ("top", "accessory", False), ("footwear", "layering", False), ("outerwear", "layering", True),
    ("footwear", "proportion_balance", False), ("bottom", "proportion_balance", True),
    ("bag", "silhouette", False), ("dress", "silhouette", True), ("other", "replacement", True),
    ("headwear", "surface", False), ("bag", "statement_piece", True),
])
def test_a_fixed_category_needs_a_piece_rule_that_allows_it(category: str, rule: str, ok: bool) -> None:
    assert compatible("analogous", rule, Constraints(category=category)) is ok


def test_a_garment_word_fixes_the_category() -> None:
    assert compatible("accent", "accessory", Constraints(garment="loafers"))
    assert not compatible("accent", "silhouette", Constraints(garment="loafers"))


def test_a_fixed_color_must_satisfy_color_rules_that_compute_a_color() -> None:
    red = Constraints(color_name="red")
    assert not compatible("monochromatic", "layering", red, outfit=NAVY_OUTFIT)
    assert not compatible("analogous", "layering", red, outfit=NAVY_OUTFIT)
    assert compatible("accent", "layering", red, outfit=NAVY_OUTFIT)
    light_blue = Constraints(color_hex="#6f86c4")
    assert compatible("monochromatic", "layering", light_blue, outfit=NAVY_OUTFIT)
    rust = Constraints(color_name="rust")
    assert compatible("complementary", "layering", rust, outfit=NAVY_OUTFIT)
    # Without an outfit only the color itself is judged: a grey cannot be an accent.
    assert not compatible("accent", "layering", Constraints(color_name="grey"))
    assert compatible("monochromatic", "layering", Constraints(color_name="grey"))


def test_unknown_rules_are_never_compatible() -> None:
    assert not compatible("rainbow", "layering", Constraints())
    assert not compatible("accent", "hat_trick", Constraints())


def test_choose_rules_avoids_recent_color_and_piece_rules() -> None:
    recent = [("complementary", "layering"), ("accent", "statement_piece"), ("seasonal", "accessory")]
    for seed in range(30):
        color, piece = choose_rules(recent=recent, constraints=Constraints(), outfit=NAVY_OUTFIT,
                                    rng=random.Random(seed))
        assert color not in {"complementary", "accent", "seasonal"}
        assert piece not in {"layering", "statement_piece", "accessory"}


def test_successive_choices_cycle_through_all_rules_before_repeating() -> None:
    recent: list[tuple[str, str]] = []
    rng = random.Random(5)
    for _ in range(7):
        recent.append(choose_rules(recent=recent, constraints=Constraints(), outfit=NAVY_OUTFIT, rng=rng))
    assert len({c for c, _ in recent}) == 7
    assert len({p for _, p in recent}) == 7
    # With every rule used, the pair repeats last and the rules used longest ago come first.
    more = choose_rules(recent=recent + [recent[-1]], constraints=Constraints(), outfit=NAVY_OUTFIT, rng=rng)
    assert more != recent[-1]
    assert more[0] == recent[0][0]


def test_choose_rules_is_deterministic_for_an_rng_state() -> None:
    picks = [choose_rules(recent=[("analogous", "surface")], constraints=Constraints(color_name="red"),
                          outfit=NAVY_OUTFIT, rng=random.Random(42)) for _ in range(3)]
    assert picks[0] == picks[1] == picks[2]


def test_chosen_rules_are_always_compatible_with_random_constraints() -> None:
    rng = random.Random(0)
    colors = ["red", "navy", "black", "sage", "mustard", "cream", None, None, None]
    for _ in range(300):
        constraints = Constraints(category=rng.choice([*CATEGORIES, None, None, None]),
                                  color_name=rng.choice(colors))
        outfit = rng.sample(NAVY_OUTFIT, rng.randint(0, 3))
        recent = [(rng.choice(list(COLOR_RULES)), rng.choice(list(PIECE_RULES))) for _ in range(rng.randint(0, 6))]
        color, piece = choose_rules(recent=recent, constraints=constraints, outfit=outfit, rng=rng)
        assert compatible(color, piece, constraints), (constraints, color, piece)
        if any(compatible(c, p, constraints, outfit=outfit) for c in COLOR_RULES for p in PIECE_RULES):
            assert compatible(color, piece, constraints, outfit=outfit)
