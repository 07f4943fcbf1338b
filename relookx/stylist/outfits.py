"""Dress me: whole outfits made only of the user's own items, for an occasion and a season.

An outfit is a top and a bottom, or a dress; footwear when any is owned; an outer layer when it is
cold (optional otherwise) and an optional accessory. Each item scores on the occasion (its tagged
occasions), the season (its words and material) and how recently it was worn (items not worn for a
while are preferred); combinations then score on the stylist's color harmony (`palette.harmony`) and
are explained like a recommendation: the color rule the outfit follows and the harmony's reasons.
Everything here is pure and deterministic for a given seed.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from relookx.analytics.stats import split_occasions
from relookx.errors import RelookXError
from relookx.fashion.pieces import OutfitItem
from relookx.stylist import palette
from relookx.stylist.rules import COLOR_RULES

OCCASION_WORDS = {"office": "work", "job": "work", "meeting": "work", "business": "work", "interview": "work",
                  "gym": "sport", "running": "sport", "wedding": "formal", "gala": "formal", "dinner": "evening",
                  "night": "evening", "holiday": "travel", "vacation": "travel", "everyday": "casual"}
SEASON_WORDS = {
    "summer": ("shorts", "sandals", "sandal", "tank", "linen", "espadrilles", "sundress", "swimsuit", "flip"),
    "winter": ("wool", "coat", "parka", "puffer", "knit", "sweater", "jumper", "beanie", "scarf", "cashmere",
               "fleece", "boots", "thermal", "gloves"),
}
ACCESSORY_SLOTS = ("accessory", "bag", "headwear")
OCCASION_BONUS = 4.0
PER_SLOT = 4  # candidates per slot kept for the combinations (4^5 outfits at most: fast)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Owned:
    """One of the user's items as dress me sees it: id, the piece, and when it was last worn."""

    id: int
    item: OutfitItem
    days_since_worn: float | None = None  # None: never worn


@dataclass
class Outfit:
    """A suggested outfit: its items (ids and pieces), the color rule it follows, and why."""

    item_ids: list[int]
    items: list[OutfitItem]
    color_rule: str
    harmony: float
    reasons: list[str] = field(default_factory=list)
    backend: str = "rules"

    def explanation(self) -> str:
        """One paragraph: the color rule, the harmony reasons, then the item reasons."""
        rule = COLOR_RULES[self.color_rule].title if self.color_rule in COLOR_RULES else "Neutral base (no color rule)"
        return f"{rule} (harmony {self.harmony:.1f}/10): " + "; ".join(self.reasons) + "."


def occasion_key(text: str | None) -> str:
    """A free-text occasion as the word used in item tags ("the office" -> "work")."""
    words = _WORD.findall((text or "").lower())
    for word in words:
        if word in OCCASION_WORDS:
            return OCCASION_WORDS[word]
    return words[-1] if words else ""


def _words(item: OutfitItem) -> set[str]:
    return set(_WORD.findall(f"{item.name} {item.material} {item.description}".lower()))


def _slot(category: str) -> str:
    return "accessory" if category in ACCESSORY_SLOTS else category


def item_score(owned: Owned, *, occasion: str, season: str) -> tuple[float, list[str]]:
    """How well one item fits: occasion tags, season words, and time since last worn; with reasons."""
    score, why = 0.0, []
    name = owned.item.name
    tags = split_occasions(owned.item.context)
    if occasion and occasion in tags:  # as strong as the color harmony's usual spread: the occasion comes first
        score += OCCASION_BONUS
        why.append(f"{name} is tagged for {occasion}")
    elif occasion and tags:
        score -= 0.5
    words = _words(owned.item)
    other = "winter" if season == "summer" else "summer" if season == "winter" else ""
    if season in SEASON_WORDS and words & set(SEASON_WORDS[season]):
        score += 1.0
        why.append(f"{name} suits {season}")
    if other and words & set(SEASON_WORDS[other]):
        score -= 2.0
    days = owned.days_since_worn
    if days is None:
        score += 0.8
        why.append(f"{name} has not been worn yet")
    elif days >= 30:
        score += min(days / 60.0, 1.5)
        why.append(f"{name} was last worn {int(days)} days ago")
    elif days <= 3:
        score -= 1.5
    return score, why


def color_rule_of(items: Sequence[OutfitItem]) -> str:
    """The color rule an outfit follows, read from its palette (as the critique names it)."""
    points = palette.palette(items)
    groups = palette.clusters([p for p in points if not p.neutral and p.hued])
    if not groups:  # only neutrals: none of the color rules, a neutral base
        return "neutral"
    if len(groups) == 1:
        return "accent" if any(palette.is_bright(palette.color_info(p.hex)) for p in groups[0]) else "monochromatic"
    hues = [g[0].hue for g in groups]
    spread = max(palette.hue_distance(a, b) for a in hues for b in hues)
    return "analogous" if spread <= 45 else "complementary" if spread >= 150 else "accent"


def _shortlist(owned: Sequence[Owned], slot: str, occasion: str, season: str, keep: set[int],
               rng: random.Random) -> list[tuple[Owned, float, list[str]]]:
    """The best few items of a slot (a kept item alone), ties broken by the seed."""
    found = [(o, *item_score(o, occasion=occasion, season=season)) for o in owned if _slot(o.item.category) == slot]
    kept = [f for f in found if f[0].id in keep]
    if kept:
        return kept[:1]
    found.sort(key=lambda f: (-(f[1] + rng.random() * 0.6), f[0].id))
    return found[:PER_SLOT]


def suggest(owned: Sequence[Owned], *, occasion: str = "", season: str, keep: Sequence[int] = (),
            seed: int = 0) -> Outfit:
    """The best outfit of owned items for the occasion and season; `keep` ids stay, the rest reshuffles."""
    occasion = occasion_key(occasion)
    keep_set = set(keep)
    unknown = keep_set - {o.id for o in owned}
    if unknown:
        raise RelookXError(f"Item {', '.join(map(str, sorted(unknown)))} is not in your wardrobe.")
    rng = random.Random(seed)
    slots = {s: _shortlist(owned, s, occasion, season, keep_set, rng)
             for s in ("top", "bottom", "dress", "outerwear", "footwear", "accessory")}
    kept_slots = {_slot(o.item.category) for o in owned if o.id in keep_set}
    bases: list[list[tuple[Owned, float, list[str]]]] = []
    if slots["top"] and slots["bottom"] and "dress" not in kept_slots:
        bases += [[t, b] for t, b in itertools.product(slots["top"], slots["bottom"])]
    if slots["dress"] and not kept_slots & {"top", "bottom"}:
        bases += [[d] for d in slots["dress"]]
    if not bases:
        raise RelookXError("Dress me needs a top and a bottom, or a dress, among your items: add them on the "
                           "Wardrobe page or upload outfit photos.")
    feet: list[list[tuple[Owned, float, list[str]]]] = [[f] for f in slots["footwear"]] or [[]]
    cold = season in ("winter", "autumn")
    outers = [[o] for o in slots["outerwear"]]
    outers = (outers or [[]]) if cold or "outerwear" in kept_slots else [[], *outers]
    extras: list[list[tuple[Owned, float, list[str]]]] = [[a] for a in slots["accessory"]]
    if "accessory" not in kept_slots:
        extras = [[], *extras]
    best: tuple[float, list[tuple[Owned, float, list[str]]], float] | None = None
    for base, foot, outer, extra in itertools.product(bases, feet, outers, extras):
        chosen = [*base, *foot, *outer, *extra]
        harmony = palette.harmony([c[0].item for c in chosen]).score
        total = harmony + sum(c[1] for c in chosen) + rng.random() * 0.5  # the seed reshuffles near-ties
        if best is None or total > best[0]:
            best = (total, chosen, harmony)
    assert best is not None
    _, chosen, harmony = best
    pieces = [c[0].item for c in chosen]
    reasons = palette.harmony(pieces).reasons[:2] + [w for c in chosen for w in c[2]][:3]
    if occasion:
        reasons.append(f"chosen for {occasion}, in {season}")
    return Outfit(item_ids=[c[0].id for c in chosen], items=pieces, color_rule=color_rule_of(pieces),
                  harmony=harmony, reasons=reasons)


def check_choice(owned: Sequence[Owned], item_ids: Sequence[int]) -> list[Owned]:
    """Validate a model's choice: only the user's ids, no item twice, a top and bottom or a dress, one per slot."""
    by_id = {o.id: o for o in owned}
    ids = [int(i) for i in item_ids]
    strangers = [i for i in ids if i not in by_id]
    if strangers:
        raise RelookXError(f"item id(s) {', '.join(map(str, strangers))} are not the user's items")
    if len(set(ids)) != len(ids):
        raise RelookXError("an item is chosen twice")
    chosen = [by_id[i] for i in ids]
    slots = [_slot(o.item.category) for o in chosen]
    if not ({"top", "bottom"} <= set(slots) or "dress" in slots):
        raise RelookXError("the outfit needs a top and a bottom, or a dress")
    if "dress" in slots and {"top", "bottom"} & set(slots):
        raise RelookXError("a dress replaces the top and the bottom")
    doubled = sorted({s for s in slots if slots.count(s) > 1 and s != "accessory"})
    if doubled:
        raise RelookXError(f"two items of one kind ({', '.join(doubled)})")
    if any(o.item.category == "footwear" for o in owned) and "footwear" not in slots:
        raise RelookXError("the outfit needs footwear")
    return chosen
