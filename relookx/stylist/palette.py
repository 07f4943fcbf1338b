"""An outfit's palette on the color wheel: color points, harmony score, rule target colors, owned check.

Hues are HSL degrees (0 red, 30 orange, 60 yellow, 120 green, 180 cyan, 240 blue, 300 magenta). Fashion
neutrals (greys, black, white, beige, camel, navy, denim; `colors.is_neutral`) are kept apart from
colors, but a "tinted" neutral such as navy or camel still has a hue the rules can use.
"""

from __future__ import annotations

import colorsys
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from relookx.fashion.colors import delta_e_matrix, hex_to_hsl, hex_to_lab, hex_to_name, is_neutral, lab_array
from relookx.fashion.pieces import OutfitItem
from relookx.stylist.owned import item_hex
from relookx.stylist.rules import COLOR_RULES
from relookx.stylist.types import SEASONS, Harmony

# How much of the silhouette a category covers: a coat shows far more color than a belt.
CATEGORY_WEIGHTS: dict[str, float] = {
    "dress": 5.0, "outerwear": 4.0, "top": 3.0, "bottom": 3.0, "footwear": 1.0, "bag": 1.0,
    "headwear": 0.7, "accessory": 0.5, "other": 1.0,
}
CLUSTER_DEGREES = 30.0  # hues closer than this read as one color family
# Outfits with no hue at all (black, white, greys): the base hue the rules start from. Cool greys get a
# cool base (220, denim blue), so a complement lands on warm camel/rust; warm neutrals (cream, beige)
# get a warm base (35, camel), so a complement lands on blue.
COOL_DEFAULT_HUE = 220.0
WARM_DEFAULT_HUE = 35.0
# Seasonal palettes (northern hemisphere), after the classic four-season color analysis.
SEASON_PALETTES: dict[str, tuple[str, ...]] = {
    "spring": ("#ff7f50", "#f8a978", "#f4d35e", "#77b255", "#3fbfbf", "#f28ca0"),
    "summer": ("#a7c7e7", "#b5a3d6", "#d4a5a5", "#9fd8cb", "#4a5d7e", "#ae8a9c"),
    "autumn": ("#b7410e", "#d1a024", "#6b6b3a", "#c19a6b", "#800020", "#e2725b", "#2f5d3a"),
    "winter": ("#0047ab", "#00875a", "#c8102e", "#c2185b", "#5b2a86", "#0f52ba"),
}
SEASON_TOLERANCE = 18.0  # CIEDE2000 from a palette anchor that still counts as that season's color
# Neutrals that frame a bright piece (the "bread" of the sandwich rule): black, charcoal, grey, white,
# off-white, cream, beige, camel, khaki, taupe, stone, navy.
NEUTRAL_BREAD = ("#111111", "#3d3f44", "#8a8a8a", "#f7f7f5", "#f3efe4", "#f2e6c9", "#d8c3a5", "#c19a6b",
                 "#c3b091", "#8b7d70", "#c2b8a3", "#202a44")


@dataclass(frozen=True)
class ColorInfo:
    """The wheel coordinates of one hex color."""

    hue: float
    saturation: float
    lightness: float
    neutral: bool
    hued: bool  # has a usable hue (navy and camel do, black and grey do not)


@dataclass(frozen=True)
class ColorPoint:
    """One garment's color on the wheel, weighted by how much of the outfit it covers."""

    hex: str
    color_name: str
    item: str
    category: str
    hue: float
    saturation: float
    lightness: float
    neutral: bool
    hued: bool
    weight: float


@lru_cache(maxsize=8192)
def color_info(hex_: str) -> ColorInfo:
    """Hue, saturation, lightness and neutral flags of a hex color (cached: is_neutral is not cheap)."""
    h, s, lightness = hex_to_hsl(hex_)
    _, a, b = hex_to_lab(hex_)
    hued = math.hypot(a, b) >= 8.0 and s >= 0.15 and 0.06 <= lightness <= 0.95
    return ColorInfo(h, s, lightness, is_neutral(hex_), hued)


def hue_distance(a: float, b: float) -> float:
    """Distance between two hues around the wheel, 0..180 degrees."""
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


def hsl_to_hex(hue: float, saturation: float, lightness: float) -> str:
    """"#rrggbb" of an HSL color (hue in degrees, the others 0..1)."""
    r, g, b = colorsys.hls_to_rgb((hue % 360.0) / 360.0, min(max(lightness, 0.0), 1.0),
                                  min(max(saturation, 0.0), 1.0))
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def palette(outfit: Sequence[OutfitItem]) -> list[ColorPoint]:
    """The outfit's colors on the wheel, one point per garment with a known color."""
    points = []
    for item in outfit:
        hex_ = item_hex(item)
        if hex_ is None:
            continue
        info = color_info(hex_)
        points.append(ColorPoint(hex_, item.color_name or hex_to_name(hex_), item.name, item.category,
                                 info.hue, info.saturation, info.lightness, info.neutral, info.hued,
                                 CATEGORY_WEIGHTS.get(item.category, 1.0)))
    return points


def _circular_mean(hues: Iterable[float], weights: Iterable[float]) -> float:
    x = y = 0.0
    for h, w in zip(hues, weights, strict=True):
        x += w * math.cos(math.radians(h))
        y += w * math.sin(math.radians(h))
    return math.degrees(math.atan2(y, x)) % 360.0


def clusters(points: Sequence[ColorPoint]) -> list[list[ColorPoint]]:
    """Group hued points into color families (hues within CLUSTER_DEGREES), heaviest family first."""
    remaining = sorted(points, key=lambda p: -p.weight * (0.5 + p.saturation))
    groups: list[list[ColorPoint]] = []
    while remaining:
        head = remaining[0]
        group = [p for p in remaining if hue_distance(p.hue, head.hue) <= CLUSTER_DEGREES]
        remaining = [p for p in remaining if p not in group]
        groups.append(group)
    return groups


def _main_cluster(points: Sequence[ColorPoint]) -> list[ColorPoint]:
    colored = [p for p in points if p.hued and not p.neutral] or [p for p in points if p.hued]
    if not colored:
        return []
    return max(clusters(colored), key=lambda g: sum(p.weight * (0.5 + p.saturation) for p in g))


def dominant_hue(points: Sequence[ColorPoint]) -> float | None:
    """The hue of the heaviest color family (colors before tinted neutrals); None when nothing has a hue."""
    group = _main_cluster(points)
    return _circular_mean((p.hue for p in group), (p.weight for p in group)) if group else None


def base_hue(points: Sequence[ColorPoint]) -> float:
    """The hue rules start from: the dominant hue, else a warm or cool default from the neutrals' tint."""
    hue = dominant_hue(points)
    if hue is not None:
        return hue
    # Lab b* above ~3 on average reads as cream or beige rather than grey.
    total = sum(p.weight for p in points)
    warmth = sum(p.weight * hex_to_lab(p.hex)[2] for p in points) / total if total else 0.0
    return WARM_DEFAULT_HUE if warmth > 3.0 else COOL_DEFAULT_HUE


def base_name(points: Sequence[ColorPoint]) -> str:
    """The everyday name of the outfit's main color, e.g. "navy", or "neutrals" when it has no hue."""
    group = _main_cluster(points)
    return max(group, key=lambda p: p.weight).color_name if group else "neutrals"


def is_bright(info: ColorInfo) -> bool:
    """A vivid color: not a neutral, saturated, neither very dark nor very pale."""
    return not info.neutral and info.saturation >= 0.55 and 0.25 <= info.lightness <= 0.75


def _judge(points: Sequence[ColorPoint]) -> list[tuple[float, str]]:
    """(score change, reason) pairs behind the harmony score; positives are strengths."""
    found: list[tuple[float, str]] = []
    colored = [p for p in points if not p.neutral]
    groups = clusters([p for p in colored if p.hued])
    names = [max(g, key=lambda p: p.weight).color_name for g in groups]
    total = sum(p.weight for p in points)
    neutral_share = sum(p.weight for p in points if p.neutral) / total
    if not groups:
        tinted = sorted((p for p in points if p.hued), key=lambda p: -p.weight)
        pair = next(((a, b) for i, a in enumerate(tinted) for b in tinted[i + 1:]
                     if hue_distance(a.hue, b.hue) >= 120), None)
        if pair:
            found.append((1.5, f"{pair[0].color_name} and {pair[1].color_name} are complementary-ish: "
                               "a quiet contrast within neutrals"))
        else:
            found.append((0.5, "all neutrals: calm and easy to wear"))
            found.append((-0.5, "all neutrals with no contrast of hue: calm but flat"))
    elif len(groups) == 1:
        found.append((1.5, f"{names[0]} is the one color against the neutrals: a clear focus"))
    elif len(groups) == 2:
        a, b = (_circular_mean([p.hue for p in g], [p.weight for p in g]) for g in groups)
        d = hue_distance(a, b)
        if d <= 40:
            found.append((1.5, f"{names[0]} and {names[1]} are neighbours on the color wheel (analogous)"))
        elif d >= 150:
            found.append((1.0, f"{names[0]} and {names[1]} are complementary: a lively contrast"))
        elif d >= 100:
            found.append((0.5, f"{names[0]} and {names[1]} form a split-complementary contrast"))
        else:
            found.append((-1.0, f"{names[0]} and {names[1]} sit about {d:.0f} degrees apart: neither "
                                "matching nor contrasting, so they can clash"))
    else:
        saturated = [n for g, n in zip(groups, names, strict=True) if max(p.saturation for p in g) >= 0.5]
        spread = max(hue_distance(g[0].hue, h[0].hue) for g in groups for h in groups)
        if spread <= 60:
            found.append((1.0, f"{', '.join(names)} stay in one family of hues"))
        elif len(saturated) >= 3:
            found.append((-1.5 - 0.5 * (len(saturated) - 3),
                          f"{len(saturated)} saturated hues compete ({', '.join(saturated)})"))
        else:
            found.append((-0.5, f"{len(groups)} color families ({', '.join(names)}) make a busy mix"))
    if groups:
        if 0.5 <= neutral_share <= 0.85:
            found.append((1.0, f"neutrals carry about {neutral_share:.0%} of the outfit, close to a "
                               "60-30-10 balance"))
        elif neutral_share < 0.3:
            found.append((-0.5, "little neutral ground: the colors fight for attention"))
    large = [p for p in points if p.weight >= 1.0] or list(points)
    if len(large) >= 2:
        light, dark = max(large, key=lambda p: p.lightness), min(large, key=lambda p: p.lightness)
        if light.lightness - dark.lightness >= 0.45:
            found.append((0.5, f"clear light-dark contrast between the {light.item.lower()} and the "
                               f"{dark.item.lower()}"))
        elif light.lightness - dark.lightness < 0.15:
            found.append((-0.5, "little light-dark contrast: the pieces blur together"))
    return found


def harmony(outfit: Sequence[OutfitItem]) -> Harmony:
    """How well the outfit's colors go together, 0-10, with the reasons in words."""
    points = palette(outfit)
    if not points:
        return Harmony(0.0, ["there are no garments with a known color to judge"])
    found = _judge(points)
    score = 6.0 + sum(delta for delta, _ in found)
    return Harmony(round(min(10.0, max(0.0, score)), 1), [reason for _, reason in found])


def judged(outfit: Sequence[OutfitItem]) -> list[tuple[float, str]]:
    """The harmony reasons with their signed weight (strengths > 0, weaknesses < 0)."""
    points = palette(outfit)
    return _judge(points) if points else []


def weakest_item(outfit: Sequence[OutfitItem]) -> OutfitItem | None:
    """The large garment whose removal raises harmony most (the first large one when none does)."""
    large = [g for g in outfit if CATEGORY_WEIGHTS.get(g.category, 1.0) >= 3.0] or list(outfit)
    if len(outfit) < 2:
        return large[0] if large else None
    base = harmony(outfit).score

    def gain(item: OutfitItem) -> float:
        return harmony([g for g in outfit if g is not item]).score - base

    return max(large, key=gain)


def season_of(day: date) -> str:
    """The northern-hemisphere season of a date."""
    return SEASONS[((day.month % 12) // 3 + 3) % 4]


def accepts(rule_key: str, hex_: str, outfit: Sequence[OutfitItem], *, season: str | None = None,
            today: date | None = None) -> bool:
    """True when a color already satisfies the color rule for this outfit (used for colors the user fixes)."""
    rule = COLOR_RULES[rule_key]
    points = palette(outfit)
    info = color_info(hex_)
    base = base_hue(points)
    has_hue = dominant_hue(points) is not None
    if rule_key in ("complementary", "analogous"):
        return info.hued and hue_distance(info.hue, base + (rule.hue_offset or 0.0)) <= rule.hue_tolerance
    if rule_key == "accent":
        return (not info.neutral and info.saturation >= rule.min_saturation
                and (not has_hue or hue_distance(info.hue, base) >= rule.min_hue_distance))
    if rule_key == "sandwich":
        bright_outfit = any(is_bright(color_info(p.hex)) for p in points)
        return info.neutral if bright_outfit else is_bright(info)
    if rule_key == "monochromatic":
        if not has_hue:
            return info.neutral
        ref = _main_cluster(points)
        ref_light = sum(p.lightness * p.weight for p in ref) / sum(p.weight for p in ref)
        return (info.hued and hue_distance(info.hue, base) <= rule.hue_tolerance
                and abs(info.lightness - ref_light) >= rule.min_lightness_gap)
    if rule_key == "pattern_mixing":
        if info.hued:
            return any(p.hued and hue_distance(p.hue, info.hue) <= rule.hue_tolerance for p in points)
        return any(p.neutral for p in points) or not points
    if rule_key == "seasonal":
        anchors = SEASON_PALETTES[season or season_of(today or date.today())]
        return bool(delta_e_matrix(lab_array([hex_]), lab_array(anchors)).min() <= SEASON_TOLERANCE)
    raise KeyError(rule_key)


def _candidates(rule_key: str, points: Sequence[ColorPoint], rng: random.Random, season: str) -> list[str]:
    base = base_hue(points)
    has_hue = dominant_hue(points) is not None
    ref = _main_cluster(points)
    ref_s = sum(p.saturation * p.weight for p in ref) / sum(p.weight for p in ref) if ref else 0.5
    ref_l = sum(p.lightness * p.weight for p in ref) / sum(p.weight for p in ref) if ref else 0.5
    out: list[str] = []
    for _ in range(10):
        sign = rng.choice((-1.0, 1.0))
        if rule_key == "complementary":
            out.append(hsl_to_hex(base + 180 + rng.uniform(-20, 20), rng.uniform(0.35, 0.85), rng.uniform(0.25, 0.7)))
        elif rule_key == "analogous":
            sat = min(0.9, max(0.3, ref_s + rng.uniform(-0.15, 0.25)))
            out.append(hsl_to_hex(base + sign * rng.uniform(8, 30), sat, rng.uniform(0.25, 0.75)))
        elif rule_key == "accent":
            out.append(hsl_to_hex(base + sign * rng.uniform(75, 165), rng.uniform(0.65, 1.0), rng.uniform(0.35, 0.6)))
        elif rule_key == "sandwich":
            if any(is_bright(color_info(p.hex)) for p in points):
                # The outfit has its bright filling already: the new piece is the neutral bread.
                # Half named neutrals, half anywhere on the grey axis with a faint tint: wardrobes own
                # the named ones many times over.
                h, s, light = hex_to_hsl(rng.choice(NEUTRAL_BREAD))
                if rng.random() < 0.5:
                    h, s, light = rng.uniform(0, 360), rng.uniform(0.0, 0.12), rng.uniform(0.04, 0.96)
                out.append(hsl_to_hex(h + rng.uniform(-5, 5), s * rng.uniform(0.7, 1.0),
                                      min(0.97, max(0.03, light + rng.uniform(-0.06, 0.06)))))
            else:
                away = base + sign * rng.uniform(60, 180) if has_hue else rng.uniform(0, 360)
                out.append(hsl_to_hex(away, rng.uniform(0.65, 1.0), rng.uniform(0.35, 0.65)))
        elif rule_key == "monochromatic":
            if not has_hue:
                mean_l = sum(p.lightness for p in points) / len(points) if points else 0.5
                light = rng.uniform(0.05, mean_l - 0.2) if mean_l >= 0.5 else rng.uniform(mean_l + 0.2, 0.95)
                out.append(hsl_to_hex(base, rng.uniform(0.0, 0.06), light))
            else:
                # A clearly different shade on either side of the outfit's own lightness, where there is room.
                sides = [side for side in ((0.12, ref_l - 0.15), (ref_l + 0.15, 0.9)) if side[1] - side[0] > 0.05]
                light = rng.uniform(*rng.choice(sides))
                sat = min(0.95, max(0.25, ref_s + rng.uniform(-0.3, 0.3)))
                out.append(hsl_to_hex(base + rng.uniform(-12, 12), sat, light))
        elif rule_key == "pattern_mixing":
            hued = [p for p in points if p.hued]
            neutrals = [p for p in points if p.neutral and not p.hued]
            if hued and (not neutrals or rng.random() < 0.75):
                p = rng.choice(hued)
                light = p.lightness + sign * rng.uniform(0.05, 0.3)
                sat = min(0.9, max(0.3, p.saturation * rng.uniform(0.7, 1.3)))
                out.append(hsl_to_hex(p.hue + rng.uniform(-10, 10), sat, min(0.8, max(0.2, light))))
            else:
                # A pattern can also repeat one of the outfit's plain neutrals (black-and-white stripes).
                light = rng.choice(neutrals).lightness if neutrals else rng.choice((0.1, 0.5, 0.92))
                out.append(hsl_to_hex(rng.uniform(0, 360), rng.uniform(0.0, 0.06),
                                      min(0.97, max(0.03, light + rng.uniform(-0.15, 0.15)))))
        elif rule_key == "seasonal":
            h, s, light = hex_to_hsl(rng.choice(SEASON_PALETTES[season]))
            out.append(hsl_to_hex(h + rng.uniform(-10, 10), s * rng.uniform(0.75, 1.1), light + rng.uniform(-0.1, 0.1)))
        else:
            raise KeyError(rule_key)
    return out


def target_colors(rule_key: str, outfit: Sequence[OutfitItem], rng: random.Random, *,
                  season: str | None = None, today: date | None = None) -> list[str]:
    """Candidate "#rrggbb" colors for the new piece that follow the color rule, best first."""
    season = season or season_of(today or date.today())
    points = palette(outfit)
    found: list[str] = []
    for _ in range(5):  # rounding to hex can push an edge case out of the rule: draw again
        for hex_ in _candidates(rule_key, points, rng, season):
            if hex_ not in found and accepts(rule_key, hex_, outfit, season=season):
                found.append(hex_)
        if len(found) >= 6:
            break
    return found


# --- The owned check, vectorised ------------------------------------------------------------------


def wardrobe_sample(wardrobe: Sequence[OutfitItem]) -> list[OutfitItem]:
    """A stand-in outfit for "no photo": the most common color of each main category in the wardrobe.

    Falls back to the latest garments when the wardrobe has none of the main categories (only bags, say).
    """
    sample = []
    for category in ("top", "bottom", "outerwear", "footwear"):
        items = [g for g in wardrobe if g.category == category and item_hex(g)]
        if items:
            common = Counter(g.color_name or g.color_hex for g in items).most_common(1)[0][0]
            sample.append(next(g for g in items if (g.color_name or g.color_hex) == common))
    return sample or list(wardrobe)[-4:]
