"""The offline stylist's words: the outfit critique and ratings, and the phrases that explain a piece.

`critique_sentences` reads an outfit (or, with no photo, the wardrobe's staples) through the palette:
strengths, one improvement, a verdict and `ratings` out of 10. The phrase helpers (`garment_names`,
`outfit_mood`, `color_reason`, `article`, `agree`) are shared with the piece search in `offline`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from relookx.fashion.pieces import OutfitItem
from relookx.stylist import palette as pal
from relookx.stylist.palette import wardrobe_sample
from relookx.stylist.rules import LARGE, fixed_color
from relookx.stylist.types import StyleRequest

TEXTURE_WORDS = {"smooth": "a smooth, clean hand", "crisp": "a crisp, structured hand", "knit": "a soft knit",
                 "brushed": "a soft, brushed nap", "rough": "a visible, natural grain"}


def garment_names(items: Sequence[OutfitItem]) -> str:
    """The garments' names in running text ("navy coat, white tee and black jeans")."""
    words = [g.name.lower() for g in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def outfit_mood(points: Sequence[pal.ColorPoint]) -> str:
    """The palette's mood in a few words ("warm and calm", "bright and lively")."""
    bright = sum(pal.is_bright(pal.color_info(p.hex)) for p in points)
    if bright >= 2:
        return "bright and lively"
    if bright == 1:
        return "calm with one bright note"
    hued = [p for p in points if p.hued]
    warm = sum(p.hue < 75 or p.hue >= 330 for p in hued)
    if not hued:
        return "quiet and neutral"
    return "warm and calm" if warm == len(hued) else "cool and calm" if warm == 0 else "a calm mix of warm and cool"


def color_reason(request: StyleRequest, hex_: str, basis: Sequence[OutfitItem], kept: Sequence[OutfitItem],
                 season: str, pattern: str) -> str:
    """Why the piece's color suits the outfit under the request's color rule, as a verb phrase."""
    rule, points = request.color_rule, pal.palette(basis)
    if not pal.accepts(rule, hex_, basis, season=season):
        if fixed_color(request.constraints):
            return ("keeps the color you asked for; it does not follow the color rule against this outfit, "
                    "so the cut does the work")
        return "is a color you do not own yet: you already have every shade this color rule suggests"
    info, name = pal.color_info(hex_), pal.base_name(points)
    d = pal.hue_distance(info.hue, pal.base_hue(points))
    neutrals = [p.item.lower() for p in sorted(pal.palette(kept), key=lambda p: -p.weight) if p.neutral]
    if rule == "complementary":
        return f"sits opposite {name} on the color wheel (about {d:.0f} degrees away)"
    if rule == "analogous":
        return f"sits next to {name} on the color wheel ({d:.0f} degrees away)"
    if rule == "accent":
        return f"is a saturated accent {d:.0f} degrees from {name}, a small dose against the rest"
    if rule == "sandwich":
        if info.neutral:
            bright = next((p for p in points if pal.is_bright(pal.color_info(p.hex))), None)
            return f"is a neutral that frames your bright {bright.item.lower() if bright else 'piece'}"
        if len(neutrals) >= 2:
            return f"is a bright color sandwiched between your {neutrals[0]} and {neutrals[1]}"
        if neutrals:
            return f"is a bright color to set between your {neutrals[0]} and another neutral"
        return "is a bright color to set between neutral layers"
    if rule == "monochromatic":
        if name == "neutrals":
            return "stays in the outfit's neutrals with a clearly different shade"
        ref = [p for p in points if p.hued and pal.hue_distance(p.hue, info.hue) <= 15] or list(points)
        lighter = info.lightness > sum(p.lightness for p in ref) / len(ref)
        return f"repeats the {name} hue in a {'lighter' if lighter else 'darker'} shade"
    if rule == "pattern_mixing":
        shared = next((p for p in points if p.hued and pal.hue_distance(p.hue, info.hue) <= 15), None)
        source = f"the {shared.color_name} of your {shared.item.lower()}" if shared else "the outfit's neutrals"
        return f"repeats {source} in a {pattern or 'patterned'} design"
    return f"comes from the {season} palette"


def article(word: str, plural: bool) -> str:
    """The capitalised article before a word: "A pair of" for plural garments, else "An" or "A"."""
    return "A pair of" if plural else "An" if word[:1].lower() in "aeiou" else "A"


def agree(phrase: str, plural: bool) -> str:
    """Make the phrase's first verb agree with a plural garment noun ("jeans sit", "a tee sits")."""
    if not plural:
        return phrase
    verb, _, rest = phrase.partition(" ")
    verb = {"is": "are"}.get(verb, verb[:-1] if verb.endswith("s") else verb)
    return f"{verb} {rest}"


def ratings(outfit: Sequence[OutfitItem], score: float) -> dict[str, int]:
    """Style, comfort, versatility and overall out of 10, from the harmony score and the outfit's makeup."""
    present = {g.category for g in outfit}
    complete = (0.5 * (({"top", "bottom"} <= present) or "dress" in present) + 0.2 * ("footwear" in present)
                + 0.15 * ("outerwear" in present) + 0.15 * bool(present & {"accessory", "bag", "headwear"}))
    text = " ".join(f"{g.name} {g.fit} {g.material}" for g in outfit).lower()
    easy = sum(any(w in f"{g.fit} {g.name}".lower() for w in ("relaxed", "regular", "oversized", "loose", "knit"))
               for g in outfit)
    comfort = (7.0 + (easy >= len(outfit) / 2) + 0.5 * any(w in text for w in ("jersey", "cotton", "knit", "linen"))
               - any(w in text for w in ("heel", "stiletto", "platform", "pump")) - 0.5 * ("sequin" in text))
    points = pal.palette(outfit)
    total = sum(p.weight for p in points) or 1.0
    neutral = sum(p.weight for p in points if p.neutral) / total
    style = 0.7 * score + 3.0 * complete
    versatility = 1.0 + 6.0 * neutral + 3.0 * complete
    overall = 0.45 * style + 0.2 * comfort + 0.35 * versatility
    values = {"style": style, "comfort": comfort, "versatility": versatility, "overall": overall}
    return {k: int(min(10, max(1, round(v)))) for k, v in values.items()}


def critique_sentences(request: StyleRequest) -> list[str]:
    """The critique as sentences: what it is, strengths, improvements (one large piece), verdict, ratings."""
    outfit, wardrobe = list(request.outfit), request.wardrobe
    lead: list[str] = []
    if not outfit:
        if not wardrobe:
            return ["There is no outfit photo and no garment in your wardrobe yet, so there is nothing to critique: "
                    "add a photo on the Images page and I will look at it."]
        outfit = wardrobe_sample(wardrobe)
        colors = ", ".join(c for c, _ in Counter(g.color_name for g in wardrobe if g.color_name).most_common(3))
        lead.append(f"There is no outfit photo to critique, so this looks at your wardrobe as a whole: "
                    f"{len(wardrobe)} garments, most often {colors}; its staples are the {garment_names(outfit)}.")
    else:
        lead.append(f"This outfit puts together the {garment_names(outfit)}.")
    found = pal.judged(outfit)
    score = pal.harmony(outfit).score
    present = {g.category for g in outfit}
    strengths = [r for d, r in found if d > 0]
    weak = [r for d, r in found if d < 0]
    if {"top", "bottom"} <= present or "dress" in present:
        strengths.append("the base is complete")
    lead.append(f"Strengths: {'; '.join(strengths[:3])}." if strengths
                else f"Strengths: the {outfit[0].name.lower()} gives the outfit a clear starting point.")
    weakest = pal.weakest_item(outfit)
    large = weakest if weakest is not None and weakest.category in LARGE else None
    top = next((g for g in outfit if g.category in ("top", "dress")), None)
    if large is not None and weak:
        fix = (f"rethink the {large.name.lower()}, since {weak[0]}; a {large.category} in another color or "
               "texture would help")
    elif "outerwear" not in present and top is not None:
        fix = f"add a jacket or coat over the {top.name.lower()} so the outfit looks finished"
    elif large is not None:
        fix = (f"the {large.name.lower()} is the piece to work on: a different cut or texture would give the "
               "outfit more shape")
    else:
        fix = "add a large piece, a top or a jacket, to anchor the small ones"
    small = [c for c in ("footwear", "bag", "accessory") if c not in present]
    extra = f"; {'shoes' if small[0] == 'footwear' else 'a ' + small[0]} would finish it" if small else ""
    lead.append(f"Improvements: {fix}{extra}.")
    marks = ratings(outfit, score)
    verdict = ("a confident, finished outfit" if marks["overall"] >= 8 else
               "a solid base that one well-chosen piece would lift" if marks["overall"] >= 6 else
               "the pieces do not talk to each other yet, and one change would help most")
    lead.append(f"Verdict: {verdict} (color harmony {score:g}/10).")
    lead.append("Ratings: " + ", ".join(f"{k} {v}/10" for k, v in marks.items()) + ".")
    return lead
