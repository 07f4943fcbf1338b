"""The stylist's rules: seven color rules and eight piece rules, their compatibility, and the choice of a pair.

A recommendation follows exactly one color rule and one piece rule. Choosing them here (not asking a
model) is what keeps recommendations varied: the user's recent rules are avoided first, and only pairs
compatible with the user's constraints are considered.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from relookx.fashion.colors import color_to_hex, normalize_hex
from relookx.fashion.pieces import OutfitItem
from relookx.garments import CATEGORIES, normalize_category
from relookx.stylist.types import Constraints

LARGE = ("top", "bottom", "dress", "outerwear")  # pieces that carry the outfit's volume and color
SMALL = ("footwear", "accessory", "bag", "headwear")


@dataclass(frozen=True)
class Rule:
    """One color or piece rule: a title and description for prompts and the UI, plus its numbers."""

    key: str
    title: str
    description: str
    # Color rules: where the new hue sits relative to the outfit's base hue (degrees on the color wheel).
    hue_offset: float | None = None  # None: the rule does not place the hue by an offset
    hue_tolerance: float = 0.0  # accepted distance from base + offset
    min_hue_distance: float = 0.0  # at least this far from the base hue (accent colors must contrast)
    min_saturation: float = 0.0  # HSL saturation the new color needs (bright colors)
    min_lightness_gap: float = 0.0  # monochromatic: a different shade, not the same color again
    # Piece rules: the categories the new piece may take (empty: any category).
    categories: tuple[str, ...] = ()


COLOR_RULES: dict[str, Rule] = {r.key: r for r in (
    Rule("complementary", "Complementary colors",
         "Add a color that sits opposite the outfit's main hue on the color wheel (about 180 degrees "
         "away), e.g. rust with navy or burgundy with forest green; the contrast makes both look richer.",
         hue_offset=180.0, hue_tolerance=30.0),
    Rule("analogous", "Analogous colors",
         "Add a neighbouring hue, within about 30 degrees of the outfit's main color on the wheel "
         "(olive next to khaki, teal next to navy): a harmonious, low-risk look with depth.",
         hue_offset=0.0, hue_tolerance=35.0),
    Rule("accent", "Accent color",
         "Keep the outfit's base and add one saturated hue that clearly contrasts it (at least 60 degrees "
         "away), in a small dose: about 10 percent of the look, as in the 60-30-10 rule.",
         min_hue_distance=60.0, min_saturation=0.5),
    Rule("sandwich", "Sandwich a bright color between neutrals",
         "Place one bright color between neutral layers (a cobalt knit between a grey coat and black "
         "trousers), or, when the outfit already has a bright piece, frame it with a neutral on the "
         "other side so the color reads as intentional.",
         min_saturation=0.55),
    Rule("monochromatic", "Monochromatic",
         "Stay in the outfit's main hue and change only lightness and saturation (a pale blue shirt under "
         "a navy suit); texture then does the work that contrast usually does.",
         hue_offset=0.0, hue_tolerance=15.0, min_lightness_gap=0.1),
    Rule("pattern_mixing", "Pattern mixing",
         "Add a patterned piece (stripes, checks, a small print) whose colors repeat a hue already in "
         "the outfit, so the patterns talk to each other instead of competing; vary the scale.",
         hue_tolerance=15.0),
    Rule("seasonal", "Seasonal palette",
         "Choose a color from the season's palette: clear warm tones in spring, soft cool tones in summer, "
         "deep warm earth tones in autumn, crisp jewel tones in winter.",
         ),
)}

PIECE_RULES: dict[str, Rule] = {r.key: r for r in (
    Rule("texture_mixing", "Mixing textures",
         "Add a piece whose texture differs from what the outfit has (corduroy or suede against smooth "
         "cotton, a chunky knit against crisp poplin) so a calm palette still has depth.",
         categories=("top", "bottom", "dress", "outerwear", "footwear", "accessory", "bag", "headwear",
                     "other")),
    Rule("statement_piece", "Statement piece",
         "Make one piece the focal point: a saturated color or a bold material (velvet, satin, patent, "
         "sequins) in place of the quietest garment, with everything else kept simple.",
         categories=("top", "bottom", "dress", "outerwear", "footwear", "bag", "accessory", "headwear",
                     "other")),
    Rule("proportion_balance", "Proportion balance",
         "Balance volumes: a slim bottom under a roomy top, a fitted or cropped top over wide trousers, a "
         "cropped layer over a long dress, aiming at a one-third / two-thirds split.",
         categories=("top", "bottom", "dress", "outerwear")),
    Rule("accessory", "Accessory",
         "Finish the outfit with what it lacks: shoes, a bag, a belt, a scarf or a hat that repeats or "
         "contrasts the palette.",
         categories=("accessory", "bag", "headwear", "footwear")),
    Rule("silhouette", "Silhouette",
         "Change the outfit's line with a piece that shapes it: high-waisted, belted, cropped, wrap or "
         "A-line cuts that define the waist or lengthen the leg.",
         categories=("top", "bottom", "dress", "outerwear")),
    Rule("replacement", "Replacement",
         "Replace the garment that fits the palette least with a piece of the same category that works "
         "with the rest of the outfit.",
         categories=CATEGORIES),
    Rule("layering", "Layering",
         "Add a layer in the right order (base, mid layer, outer layer, then a scarf): outerwear when "
         "there is none, otherwise a knit under it or a scarf over it; light layers in summer.",
         categories=("outerwear", "top", "accessory")),
    Rule("surface", "Surface: shine or matte",
         "Play shine against matte: a satin, leather or patent piece on an all-matte outfit, or a "
         "matte suede, wool or linen piece when the outfit is already shiny.",
         categories=("top", "bottom", "dress", "outerwear", "footwear", "accessory", "bag")),
)}


def fixed_color(constraints: Constraints) -> str | None:
    """The "#rrggbb" the user asked for (hex wins over name), or None."""
    return normalize_hex(constraints.color_hex) or color_to_hex(constraints.color_name)


def fixed_category(constraints: Constraints) -> str | None:
    """The category the user asked for: the explicit one, else the garment word's, else None."""
    if constraints.category in CATEGORIES:
        return constraints.category
    if constraints.garment:
        category = normalize_category(constraints.garment)
        if category != "other":
            return category
    return None


def compatible(color_rule: str, piece_rule: str, constraints: Constraints, *,
               outfit: Sequence[OutfitItem] = ()) -> bool:
    """True when the pair can honour the constraints (and, given the outfit, the asked color fits the rule)."""
    return _piece_ok(piece_rule, constraints) and _color_ok(color_rule, constraints, outfit)


def _piece_ok(piece_rule: str, constraints: Constraints) -> bool:
    if piece_rule not in PIECE_RULES:
        return False
    category = fixed_category(constraints)
    allowed = PIECE_RULES[piece_rule].categories
    return category is None or not allowed or category in allowed


def _color_ok(color_rule: str, constraints: Constraints, outfit: Sequence[OutfitItem]) -> bool:
    if color_rule not in COLOR_RULES:
        return False
    asked = fixed_color(constraints)
    if asked is None:
        return True
    # Imported here because palette reads the numbers of COLOR_RULES from this module.
    from relookx.stylist import palette

    if outfit:
        return palette.accepts(color_rule, asked, outfit, season=constraints.season)
    # Without an outfit only the color's own nature can be checked: an accent must be saturated.
    rule = COLOR_RULES[color_rule]
    return palette.color_info(asked).saturation >= rule.min_saturation or color_rule == "sandwich"


def _last_use(recent: Sequence[tuple[str, str]], index: int, key: str) -> int:
    """How many recommendations ago `key` was used (1 = the last one); a large number when never."""
    for age, entry in enumerate(reversed(recent), start=1):
        if entry[index] == key:
            return age
    return 1_000


def choose_rules(*, recent: Sequence[tuple[str, str]], constraints: Constraints, outfit: Sequence[OutfitItem],
                 rng: random.Random) -> tuple[str, str]:
    """A compatible (color rule, piece rule) pair that avoids the user's recent rules, then recent pairs."""
    pieces = [p for p in PIECE_RULES if _piece_ok(p, constraints)]
    pairs = [(c, p) for c in COLOR_RULES if _color_ok(c, constraints, outfit) for p in pieces]
    if not pairs:
        # The asked color fits no rule against this outfit: keep the constraint-only check, and let the
        # stylist say that the color follows the request rather than the rule.
        pairs = [(c, p) for c in COLOR_RULES if _color_ok(c, constraints, ()) for p in pieces]
    if not pairs:
        pairs = [(c, p) for c in COLOR_RULES for p in PIECE_RULES]
    recent_colors = {c for c, _ in recent}
    recent_pieces = {p for _, p in recent}
    recent_pairs = set(recent)

    def cost(pair: tuple[str, str]) -> tuple[int, int, int]:
        color, piece = pair
        repeats = (color in recent_colors) + (piece in recent_pieces)
        # Among equally repeated pairs, prefer rules used longest ago.
        staleness = -min(_last_use(recent, 0, color), 100) - min(_last_use(recent, 1, piece), 100)
        return repeats, pair in recent_pairs, staleness

    best = min(cost(pair) for pair in pairs)
    return rng.choice([pair for pair in pairs if cost(pair) == best])
