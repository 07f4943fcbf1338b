"""The offline stylist: no key, no network. Numbers from the palette, words from the real garments.

`advise` turns the chosen piece rule into an ordered list of categories the outfit lacks, the color rule
into candidate colors (`palette.target_colors`), and walks both until it finds a piece the user does not
own that honours every constraint. The seeded rng picks the garment kind, material and fit, so repeated
requests on one outfit vary while one seed always gives the same answer.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import date

import numpy as np

from relookx.fashion.colors import delta_e, delta_e_matrix, hex_to_name, lab_array, lab_to_hex
from relookx.fashion.pieces import OutfitItem, Piece
from relookx.stylist import palette as pal
from relookx.stylist.critique import (
    TEXTURE_WORDS,
    agree,
    article,
    color_reason,
    critique_sentences,
    garment_names,
    outfit_mood,
    ratings,
)
from relookx.stylist.owned import OWNED_DELTA_E, OwnedIndex, item_hex
from relookx.stylist.palette import wardrobe_sample
from relookx.stylist.rules import LARGE, PIECE_RULES, fixed_category, fixed_color
from relookx.stylist.types import Harmony, StyleRequest, Stylist
from relookx.stylist.vocabulary import (
    BOLD,
    CATEGORY_WORDS,
    GENERIC_FITS,
    MATERIALS,
    OCCASION_TAGS,
    OCCASION_WORDS,
    PATTERNS,
    PREMIUM,
    PRICE_BANDS,
    SEASON_LETTER,
    SHAPING_FITS,
    SLIM_FITS,
    VOCABULARY,
    WIDE_FITS,
    Kind,
)

__all__ = ["FIXED_COLOR_TOLERANCE", "OfflineStylist", "color_basis", "critique_sentences", "material_of",
           "occasion_tag", "ratings", "recommend", "wardrobe_sample"]

FIXED_COLOR_TOLERANCE = 25.0  # CIEDE2000: how far an asked color may move to avoid an owned duplicate

def _is(name: str) -> str:
    """ "are" for plural garment names ("navy chinos"), "is" otherwise."""
    return "are" if name.endswith("s") and not name.endswith("ss") else "is"


def _singular(word: str) -> str:
    return word.lower().rstrip("s")


def occasion_tag(occasion: str | None) -> str | None:
    """The vocabulary letter of an occasion word ("party" -> "e"); None when none was asked."""
    if not occasion:
        return None
    return OCCASION_TAGS.get(occasion.strip().lower(), "c")


_LONGEST_FIRST = sorted(MATERIALS, key=len, reverse=True)  # "wool flannel" before "wool"


def material_of(item: OutfitItem) -> str | None:
    """The vocabulary material named in a garment's material or name ("Navy wool coat" -> "wool")."""
    text = f"{item.material} {item.name}".lower()
    return next((m for m in _LONGEST_FIRST if m in text), None)


def color_basis(outfit: Sequence[OutfitItem], piece_rule: str) -> list[OutfitItem]:
    """The garments the color rule is applied to: all of them, minus the replaced one for replacement."""
    if piece_rule == "replacement":
        weakest = pal.weakest_item(outfit)
        rest = [g for g in outfit if g is not weakest]
        return rest or list(outfit)
    return list(outfit)


def _volume(item: OutfitItem) -> str:
    words = set(f"{item.fit} {item.name}".lower().replace(",", " ").split())
    if words & ({w.lower() for w in WIDE_FITS} | {"wide", "puffer", "maxi"}):
        return "wide"
    return "slim" if words & {w.lower() for w in SLIM_FITS} else ""


def _plan(rule: str, outfit: Sequence[OutfitItem], rng: random.Random) -> list[tuple[str, str, set[str]]]:
    """(category, why in words, preferred fits) in order of preference for the piece rule."""
    present = {g.category for g in outfit}
    by_cat = {g.category: g for g in outfit}
    textures = {MATERIALS[m][0] for g in outfit if (m := material_of(g))}
    if rule == "layering":
        if "outerwear" not in present:
            return [("outerwear", "the outfit has no outer layer yet, so this adds one", set()),
                    ("top", "a mid layer gives the outfit depth", set())]
        coat = by_cat["outerwear"].name.lower()
        return [("top", f"it layers under your {coat}", set()), ("accessory", f"it goes over your {coat}", set()),
                ("outerwear", "a second, lighter layer adds depth", set())]
    if rule == "accessory":
        missing = [c for c in ("footwear", "bag", "accessory", "headwear") if c not in present]
        rest = [c for c in ("accessory", "bag", "headwear", "footwear") if c in present]
        rng.shuffle(rest)
        return [(c, f"the outfit has no {'shoes' if c == 'footwear' else c} yet", set()) for c in missing] + \
               [(c, "it finishes the look", set()) for c in rest]
    if rule == "proportion_balance":
        top = by_cat.get("outerwear") or by_cat.get("top")
        bottom = by_cat.get("bottom")
        if "dress" in present:
            return [("outerwear", f"a cropped layer shortens the line of your {by_cat['dress'].name.lower()}",
                     {"cropped", "fitted"}), ("top", "a fitted top balances the volume", SLIM_FITS)]
        if top and _volume(top) == "wide":
            return [("bottom", f"your {top.name.lower()} {_is(top.name)} roomy, so a slimmer bottom balances it",
                     SLIM_FITS)]
        if bottom and _volume(bottom) == "wide":
            return [("top", f"your {bottom.name.lower()} {_is(bottom.name)} wide, so a fitted top balances it",
                     SLIM_FITS)]
        options = [("bottom", "a wide-leg bottom under a neat top gives a deliberate one-third split",
                    {"wide-leg", "A-line", "relaxed"}),
                   ("top", "a cropped, fitted top raises the waistline to a one-third split", {"cropped", "fitted"})]
        rng.shuffle(options)
        return options
    if rule == "silhouette":
        order = ["outerwear", "top"] if "dress" in present else ["bottom", "outerwear", "top", "dress"]
        order.sort(key=lambda c: c in present)  # add what is missing before replacing what is there
        return [(c, (f"its cut, in place of your {by_cat[c].name.lower()}, " if c in by_cat else "its cut ")
                 + "defines the waist and lengthens the line", SHAPING_FITS) for c in order]
    if rule == "replacement":
        weakest = pal.weakest_item(outfit)
        if weakest is not None:
            verb = "fit" if _is(weakest.name) == "are" else "fits"
            return [(weakest.category, f"your {weakest.name.lower()} {verb} the palette least, so this replaces "
                     f"{'them' if verb == 'fit' else 'it'}", set())]
        return [("top", "a new top resets the outfit's palette", set())]
    large = [c for c in LARGE if c not in present and not (c == "dress" and {"top", "bottom"} & present)]
    if rule == "statement_piece":
        quiet = sorted((g for g in outfit if g.category in LARGE),
                       key=lambda g: pal.color_info(item_hex(g) or "#808080").saturation)
        order = [g.category for g in quiet] + large + ["footwear", "bag", "outerwear", "top"]
        why = (f"your {quiet[0].name.lower()} {_is(quiet[0].name)} the quietest piece" if quiet
               else "the outfit needs a focal point")
        return [(c, f"{why}; a statement {CATEGORY_WORDS.get(c, c)} becomes the focal point", set())
                for c in dict.fromkeys(order)]
    if rule == "texture_mixing":
        have = ", ".join(sorted(textures)) or "plain"
        order = large + ["outerwear", "footwear", "bag", "accessory", "top", "bottom"]
        return [(c, f"the outfit's textures are {have}, so a different one adds depth", set())
                for c in dict.fromkeys(order)]
    if rule == "surface":
        order = large + ["footwear", "bag", "outerwear", "top", "bottom", "accessory"]
        return [(c, "it plays shine against matte", set()) for c in dict.fromkeys(order)]
    raise KeyError(rule)


def _materials(kind: Kind, rule: str, outfit: Sequence[OutfitItem], season: str) -> tuple[list[str], bool]:
    """The kind's in-season materials, the rule's preferred ones first; True when a preferred one exists."""
    letter = SEASON_LETTER[season]
    ok = [m for m in kind.materials if letter in MATERIALS[m][2]] or list(kind.materials)
    have = [m for g in outfit if (m := material_of(g))]
    if rule == "texture_mixing":
        textures = {MATERIALS[m][0] for m in have}
        preferred = [m for m in ok if MATERIALS[m][0] not in textures]
    elif rule == "surface":
        shiny = sum(MATERIALS[m][1] == "shine" for m in have) > len(have) / 2
        preferred = [m for m in ok if (MATERIALS[m][1] == "shine") != shiny]
    elif rule == "statement_piece":
        preferred = [m for m in ok if m in BOLD]
    else:
        preferred = ok
    return (preferred, True) if preferred else (ok, False)


def _in_season(kind: Kind, letter: str) -> bool:
    return letter in kind.seasons and any(letter in MATERIALS[m][2] for m in kind.materials)


def _eligible(category: str, request: StyleRequest, season: str, strict: bool = True) -> list[Kind]:
    """Kinds of the category that fit the asked garment word, season and (when strict) occasion."""
    letter = SEASON_LETTER[season]
    kinds = [k for k in VOCABULARY if k.category == category]
    word = request.constraints.garment
    if word:
        stem = _singular(word)
        matching = [k for k in kinds if stem in _singular(k.noun)]  # "jacket" -> "denim jacket", "bomber jacket"
        if not matching:
            # A word outside the vocabulary, or more specific than it ("t-shirt"), stays the user's own word.
            near = [k for k in kinds if _in_season(k, letter)] or kinds
            matching = [Kind(word.lower(), category, tuple(dict.fromkeys(m for k in near for m in k.materials)),
                             GENERIC_FITS[category], "cwefsb")]
        # The user's garment word wins over the season: boots asked for in summer stay boots.
        kinds = [k for k in matching if _in_season(k, letter)] or matching
    else:
        kinds = [k for k in kinds if _in_season(k, letter)]
    tag = occasion_tag(request.constraints.occasion)
    if tag and strict:
        kinds = [k for k in kinds if tag in k.occasions]
    return kinds


def _price(category: str, material: str, request: StyleRequest, rng: random.Random) -> float:
    low, high = PRICE_BANDS[category]
    price = (low + (high - low) * rng.random()) * PREMIUM.get(material, 1.0)
    budget = request.profile.get("budget")
    if isinstance(budget, int | float) and budget > 0:
        price = min(price, float(budget))
    cap = request.constraints.max_price
    if cap is not None:
        price = min(price, cap)
    price = float(round(price))
    if cap is not None and price > cap:
        price = float(math.floor(cap)) if cap >= 1 else cap
    return price


def _shades(asked: str, rng: random.Random, n: int = 40) -> list[str]:
    """The asked color, then about n shades around it in Lab, closest first, within FIXED_COLOR_TOLERANCE."""
    center = lab_array([asked])[0]
    tries = 10 * n  # near the gamut's edge (pure red) most of a box around the color is not displayable
    spread = np.linspace(6.0, 1.0, tries)[:, None] * np.array([4.0, 5.0, 5.0]) + np.array([6.0, 6.0, 6.0])
    offsets = np.random.default_rng(rng.getrandbits(64)).uniform(-1.0, 1.0, (tries, 3)) * spread[::-1]
    # Out-of-gamut shades are dropped, not clipped: clipping would pull them all back onto the corner.
    out = list(dict.fromkeys([asked, *lab_to_hex(center + offsets, drop_out_of_gamut=True)]))
    dist = delta_e_matrix(lab_array(out), lab_array([asked]))[:, 0]
    kept = [c for c, d in zip(out, dist, strict=True) if d <= FIXED_COLOR_TOLERANCE]
    return kept[:1] + kept[1 :: max(1, (len(kept) - 1) // n)]  # an even sample over the whole tolerance


def _replaces(new: str, old: str) -> bool:
    """True when a new piece of category `new` takes the place of an outfit garment of category `old`."""
    return new == old or (new == "dress" and old in ("top", "bottom")) or (old == "dress" and new in ("top", "bottom"))


def _build(request: StyleRequest, outfit: Sequence[OutfitItem], basis: Sequence[OutfitItem], category: str,
           why: str, fits: set[str], hex_: str, season: str, rng: random.Random, from_wardrobe: bool,
           strict: bool) -> Piece:
    kinds = _eligible(category, request, season, strict) or _eligible(category, request, season, False)
    kinds = ([k for k in kinds if set(k.fits) & fits] or kinds) if fits else kinds
    kinds = [k for k in kinds if _materials(k, request.piece_rule, outfit, season)[1]] or kinds
    kind = rng.choice(kinds)
    material = rng.choice(_materials(kind, request.piece_rule, outfit, season)[0])
    fit = rng.choice([f for f in kind.fits if f in fits] or list(kind.fits))
    c = request.constraints
    asked = fixed_color(c)
    color_name = (c.color_name.lower() if asked and c.color_name and delta_e(hex_, asked) <= 10
                  else hex_to_name(hex_))
    pattern = rng.choice(PATTERNS) if request.color_rule == "pattern_mixing" else ""
    words = [color_name, pattern, "" if material in kind.noun.lower() else material, kind.noun]
    name = " ".join(w for w in words if w)
    texture, surface, _ = MATERIALS[material]
    others = [g for g in outfit if g in basis and not _replaces(category, g.category)][:2]
    wear = f" Wear it with your {garment_names(others)}." if others else ""
    occasion = c.occasion.lower() if c.occasion else ", ".join(OCCASION_WORDS[t] for t in kind.occasions[:2])
    plural = kind.noun.endswith("s") and not kind.noun.endswith("ss")
    subject = f"{color_name} {kind.noun}"
    subject = subject if plural else f"{article(color_name, False).lower()} {subject}"
    kept = [g for g in basis if not _replaces(category, g.category)]
    color_phrase = agree(color_reason(request, hex_, basis, kept, season, pattern), plural)
    staples = "Your wardrobe's staples, the" if from_wardrobe else "Your"
    opening = (f"{staples} {garment_names(outfit[:2])} {'are' if len(outfit) > 1 else 'is'} "
               f"{outfit_mood(pal.palette(outfit))}" if outfit else "There are no garments to build on yet")
    reason = (f"{opening}; {subject} {color_phrase} ({request.color_rule.replace('_', ' ')}), and {why} "
              f"({request.piece_rule.replace('_', ' ')}).")
    return Piece(
        name=name[:1].upper() + name[1:], category=category, color_name=color_name, color_hex=hex_, fit=fit,
        price=_price(category, material, request, rng), context=f"{occasion}, {season}",
        description=(f"{article(fit, plural)} {fit} {kind.noun} in {color_name} {material}"
                     f"{f' with a {pattern} pattern' if pattern else ''}, "
                     f"with {TEXTURE_WORDS[texture]} and a {surface} finish.{wear}"),
        reason=reason,
    )


def _candidates(request: StyleRequest, basis: Sequence[OutfitItem], season: str,
                rng: random.Random) -> list[list[str]]:
    """Tiers of candidate colors: the asked color and its close shades, then wider ones; or the rule's colors."""
    asked = fixed_color(request.constraints)
    if asked:
        shades = _shades(asked, rng)
        close = delta_e_matrix(lab_array(shades), lab_array([asked]))[:, 0] <= 10
        return [[h for h, ok in zip(shades, close, strict=True) if ok], shades]
    colors: list[str] = []
    for _ in range(4):  # a large wardrobe owns many shades: draw more before giving up on a category
        colors += [h for h in pal.target_colors(request.color_rule, basis, rng, season=season) if h not in colors]
    if request.piece_rule == "statement_piece":
        colors.sort(key=lambda h: -pal.color_info(h).saturation)
    return [colors]


def recommend(request: StyleRequest, *, today: date | None = None) -> Piece:
    """The one piece for the request's rules: honours every constraint, never a color the user owns."""
    rng = random.Random(f"{request.seed}:{request.color_rule}:{request.piece_rule}")
    c = request.constraints
    from_wardrobe = not request.outfit
    outfit = list(request.outfit) or wardrobe_sample(request.wardrobe)
    season = c.season if c.season in SEASON_LETTER else pal.season_of(today or date.today())
    owned = OwnedIndex([*request.wardrobe, *request.outfit])
    plan = _plan(request.piece_rule, outfit, rng)
    category = fixed_category(c)
    backstops: list[tuple[str, str, set[str]]] = []
    if category:
        plan = [p for p in plan if p[0] == category] or [(category, f"you asked for a {c.garment or category}", set())]
    else:
        # Used only when occasion, season and the wardrobe leave the rule's own categories empty.
        rule_cats = [x for x in PIECE_RULES[request.piece_rule].categories if x != "other"]
        backstops = [(x, "it is the piece this outfit can take under your constraints", set())
                     for x in dict.fromkeys([*rule_cats, *LARGE, "footwear", "bag", "accessory", "headwear"])
                     if x not in {p[0] for p in plan}]
    # Occasion is honoured when any category allows it; otherwise (a swimsuit for a wedding) it is relaxed.
    strict = any(_eligible(p[0], request, season) for p in plan + backstops)
    plan = [p for p in plan if _eligible(p[0], request, season, strict)]
    backstops = [p for p in backstops if _eligible(p[0], request, season, strict)]
    if not plan and not backstops:
        plan = [(category or "top", "it is the piece this outfit can take under your constraints", set())]
    basis = color_basis(outfit, request.piece_rule)
    tiers = _candidates(request, basis, season, rng)
    for group in (plan, backstops):  # the rule's own categories first, through every tier of colors
        for tier in tiers:
            for cat, why, fits in group:
                dist, _ = owned.nearest(cat, tier)
                free = [h for h, d in zip(tier, dist, strict=True) if d >= OWNED_DELTA_E]
                if free:
                    return _build(request, outfit, basis, cat, why, fits, free[0], season, rng, from_wardrobe,
                                  strict)
    # Every candidate is owned (rare: a wardrobe dense around these colors). Take the (category, color)
    # farthest from what they own: first among many more of the rule's colors (or of the asked color's
    # shades); only if all are owned may a color leave the color rule (never an asked color).
    asked = fixed_color(c)
    steps = plan + backstops
    pool = (_shades(asked, rng, 120) if asked else
            [h for _ in range(12) for h in pal.target_colors(request.color_rule, basis, rng, season=season)])
    best = _farthest(owned, steps, pool)
    if not asked and best[0] < OWNED_DELTA_E:
        pool = [pal.hsl_to_hex(rng.uniform(0, 360), rng.uniform(0.3, 0.9), rng.uniform(0.2, 0.8)) for _ in range(200)]
        best = _farthest(owned, steps, pool)
    _, hex_, (cat, why, fits) = best
    piece = _build(request, outfit, basis, cat, why, fits, hex_, season, rng, from_wardrobe, strict)
    twin = owned.similar(cat, hex_)
    if twin is not None:
        # Only when the user fixed both the color and the category and owns every shade of it: say so.
        piece.reason += (f" You already own a close match ({twin.name.lower()}); this is the shade of "
                         f"{piece.color_name} farthest from what you have.")
    return piece


def _farthest(owned: OwnedIndex, steps: Sequence[tuple[str, str, set[str]]],
              pool: Sequence[str]) -> tuple[float, str, tuple[str, str, set[str]]]:
    """(distance, color, step): the candidate color and category farthest from anything owned."""
    best: tuple[float, str, tuple[str, str, set[str]]] = (-1.0, pool[0] if pool else "#808080", steps[0])
    for step in steps:
        dist, _ = owned.nearest(step[0], pool)
        if len(pool) and float(dist.max()) > best[0]:
            i = int(dist.argmax())
            best = (float(dist[i]), pool[i], step)
    return best


class OfflineStylist(Stylist):
    """Critique and advice from the palette's numbers and a garment vocabulary: no key, no network."""

    name = "offline"

    def critique(self, request: StyleRequest) -> Iterator[str]:
        """Yield the critique sentence by sentence."""
        for sentence in critique_sentences(request):
            yield sentence + " "

    def advise(self, request: StyleRequest, critique: str) -> Piece:
        """The one piece following request.color_rule and request.piece_rule (the critique text is not needed)."""
        return recommend(request)

    def harmony(self, outfit: Sequence[OutfitItem]) -> Harmony:
        """The outfit's color harmony, 0-10, with reasons."""
        return pal.harmony(outfit)
