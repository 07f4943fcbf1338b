"""The offline stylist's vocabulary: garment kinds, materials, fits, price bands and occasion tags.

Data, not logic: extending what the offline stylist can recommend means adding rows here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# material: (texture, surface, seasons as letters: p spring, s summer, a autumn, w winter)
MATERIALS: dict[str, tuple[str, str, str]] = {
    "cotton jersey": ("smooth", "matte", "psaw"), "poplin": ("crisp", "matte", "psaw"),
    "oxford cotton": ("crisp", "matte", "psaw"), "linen": ("rough", "matte", "psa"),
    "chambray": ("crisp", "matte", "psa"), "flannel": ("brushed", "matte", "aw"),
    "silk": ("smooth", "shine", "psaw"), "satin": ("smooth", "shine", "psaw"), "crepe": ("smooth", "matte", "psaw"),
    "merino": ("knit", "matte", "paw"), "cashmere": ("knit", "matte", "aw"), "lambswool": ("brushed", "matte", "aw"),
    "mohair": ("brushed", "matte", "aw"), "ribbed cotton": ("knit", "matte", "psaw"),
    "cotton knit": ("knit", "matte", "psa"), "fleece": ("brushed", "matte", "aw"),
    "loopback cotton": ("knit", "matte", "psaw"), "cotton twill": ("crisp", "matte", "psaw"),
    "wool flannel": ("brushed", "matte", "aw"), "wool": ("brushed", "matte", "aw"), "tweed": ("rough", "matte", "aw"),
    "corduroy": ("rough", "matte", "aw"), "denim": ("rough", "matte", "psaw"), "ripstop": ("crisp", "matte", "psa"),
    "velvet": ("brushed", "shine", "aw"), "leather": ("smooth", "shine", "paw"),
    "patent leather": ("smooth", "shine", "psaw"), "suede": ("brushed", "matte", "paw"),
    "canvas": ("rough", "matte", "psa"), "nylon": ("smooth", "shine", "psaw"),
    "quilted nylon": ("smooth", "shine", "w"), "gabardine": ("crisp", "matte", "pa"),
    "waxed cotton": ("crisp", "shine", "paw"), "raffia": ("rough", "matte", "ps"),
    "straw": ("rough", "matte", "ps"), "acetate": ("smooth", "shine", "psaw"), "mesh": ("rough", "matte", "ps"),
    "sequinned": ("rough", "shine", "psaw"), "wool felt": ("brushed", "matte", "aw"),
    "voile": ("smooth", "matte", "ps"),
    "beaded": ("rough", "shine", "psaw"), "enamel": ("smooth", "shine", "psaw"),
    "technical jersey": ("smooth", "matte", "psaw"), "recycled nylon": ("smooth", "shine", "ps"),
}
BOLD = {"satin", "velvet", "sequinned", "patent leather", "suede", "leather", "mohair", "silk", "beaded"}
SEASON_LETTER = {"spring": "p", "summer": "s", "autumn": "a", "winter": "w"}
# category: (low, high) typical price in euros for a mid-market new piece
PRICE_BANDS = {"top": (18, 70), "bottom": (25, 90), "dress": (35, 140), "outerwear": (55, 220),
               "footwear": (40, 150), "accessory": (12, 60), "bag": (25, 150), "headwear": (12, 45),
               "other": (15, 60)}
PREMIUM = {"cashmere": 1.6, "leather": 1.4, "silk": 1.4, "suede": 1.3, "patent leather": 1.3, "mohair": 1.3}
GENERIC_FITS = {"top": ("fitted", "regular", "relaxed", "oversized"), "bottom": ("slim", "straight", "wide-leg"),
                "dress": ("fitted", "relaxed", "A-line"), "outerwear": ("regular", "relaxed", "cropped"),
                "footwear": ("classic", "slim", "chunky-sole"), "accessory": ("classic", "fine", "bold"),
                "bag": ("compact", "structured", "slouchy"), "headwear": ("classic", "soft"), "other": ("relaxed",)}
CATEGORY_WORDS = {"footwear": "pair of shoes", "accessory": "accessory", "headwear": "hat", "other": "piece"}
# Fits that make a piece roomy or slim (proportion balance) and that shape the line (silhouette).
WIDE_FITS = {"oversized", "relaxed", "boxy", "wide-leg", "A-line", "tiered", "slouchy", "baggy", "flared"}
SLIM_FITS = {"fitted", "slim", "cropped", "tapered", "skinny", "straight", "bias-cut"}
SHAPING_FITS = {"high-waisted", "belted", "cropped", "wrap", "A-line", "bias-cut", "fitted", "tailored"}


@dataclass(frozen=True)
class Kind:
    """A garment kind of the vocabulary: noun, category, materials, fits, occasions, seasons."""

    noun: str
    category: str
    materials: tuple[str, ...]
    fits: tuple[str, ...]
    occasions: str  # letters: c casual, w work, e evening, f formal, s sport, b beach
    seasons: str = "psaw"


def _kinds(category: str, rows: Sequence[tuple[str, str, str, str, str]]) -> list[Kind]:
    return [Kind(noun, category, tuple(m.split(",")), tuple(f.split(",")), occ, seas)
            for noun, m, f, occ, seas in rows]


VOCABULARY: list[Kind] = [
    *_kinds("top", (
        ("tee", "cotton jersey,ribbed cotton", "fitted,regular,boxy,oversized", "cbs", "psaw"),
        ("shirt", "poplin,oxford cotton,linen,chambray,flannel", "slim,regular,relaxed,oversized", "cwe", "psaw"),
        ("blouse", "silk,satin,crepe,voile", "fitted,relaxed,cropped,wrap", "wef", "psaw"),
        ("sweater", "merino,cashmere,lambswool,mohair,cotton knit", "fitted,regular,relaxed,oversized,cropped",
         "cw", "paw"),
        ("turtleneck", "merino,cashmere,ribbed cotton", "fitted,regular", "cwe", "aw"),
        ("polo shirt", "cotton knit,ribbed cotton", "slim,regular,relaxed", "cws", "psa"),
        ("tank top", "ribbed cotton,linen,silk", "fitted,relaxed,cropped", "cbes", "ps"),
        ("hoodie", "loopback cotton,fleece", "regular,relaxed,oversized", "cs", "paw"),
        ("camisole", "satin,silk,sequinned", "fitted,relaxed,bias-cut", "e", "psa"))),
    *_kinds("bottom", (
        ("chinos", "cotton twill,corduroy", "slim,straight,tapered,relaxed", "cw", "psaw"),
        ("jeans", "denim", "slim,straight,wide-leg,relaxed,high-waisted", "c", "psaw"),
        ("trousers", "wool flannel,crepe,linen,corduroy,cotton twill",
         "straight,wide-leg,tapered,high-waisted,tailored", "cwef", "psaw"),
        ("midi skirt", "satin,crepe,denim,wool,linen", "A-line,bias-cut,straight,high-waisted", "cwe", "psaw"),
        ("mini skirt", "denim,leather,tweed,corduroy", "A-line,straight", "ce", "psaw"),
        ("cargo pants", "ripstop,cotton twill", "relaxed,straight,tapered", "c", "psa"),
        ("shorts", "linen,cotton twill,denim", "relaxed,tailored,high-waisted", "cb", "ps"),
        ("joggers", "loopback cotton,technical jersey,fleece", "tapered,relaxed", "cs", "psaw"))),
    *_kinds("dress", (
        ("slip dress", "satin,silk,sequinned", "bias-cut,fitted,relaxed", "ef", "psaw"),
        ("shirt dress", "poplin,linen,chambray,denim", "belted,relaxed,A-line", "cw", "psa"),
        ("knit dress", "merino,ribbed cotton,cashmere", "fitted,relaxed", "cw", "aw"),
        ("wrap dress", "crepe,cotton jersey,silk", "wrap,fitted,A-line", "cwe", "psaw"),
        ("sundress", "linen,voile,poplin", "A-line,relaxed,tiered", "cb", "ps"),
        ("jumpsuit", "crepe,linen,denim,cotton twill", "wide-leg,belted,relaxed", "cwe", "psaw"))),
    *_kinds("outerwear", (
        ("overshirt", "corduroy,wool flannel,cotton twill,linen,denim", "relaxed,boxy,regular", "cw", "psaw"),
        ("blazer", "wool,linen,velvet,crepe,tweed", "tailored,double-breasted,relaxed,cropped", "cwef", "psaw"),
        ("trench coat", "gabardine,cotton twill", "belted,relaxed,double-breasted", "cw", "pa"),
        ("denim jacket", "denim", "cropped,regular,oversized", "c", "psa"),
        ("bomber jacket", "nylon,satin,suede", "regular,cropped,oversized", "ce", "pa"),
        ("cardigan", "merino,mohair,cotton knit,cashmere", "cropped,regular,oversized", "cw", "paw"),
        ("overcoat", "wool,cashmere,tweed", "tailored,relaxed,double-breasted,belted", "cwf", "aw"),
        ("puffer jacket", "quilted nylon", "cropped,regular,oversized", "cs", "w"),
        ("biker jacket", "leather,suede", "cropped,fitted,regular", "ce", "pa"),
        ("field jacket", "waxed cotton,ripstop", "regular,relaxed", "c", "pa"),
        ("windbreaker", "nylon,ripstop", "regular,relaxed", "cs", "psa"))),
    *_kinds("footwear", (
        ("sneakers", "leather,suede,canvas", "low-top,high-top,chunky", "cs", "psaw"),
        ("loafers", "leather,suede,patent leather", "penny,chunky-sole,slim", "cwef", "psaw"),
        ("Chelsea boots", "suede,leather", "slim,chunky-sole", "cw", "paw"),
        ("ankle boots", "suede,leather,patent leather", "block-heel,flat,pointed", "cwe", "paw"),
        ("sandals", "leather,raffia", "flat,strappy,platform", "cbe", "ps"),
        ("espadrilles", "canvas,suede", "flat,wedge", "cb", "ps"),
        ("ballet flats", "leather,satin,suede", "square-toe,pointed,round-toe", "cwe", "psa"),
        ("block heels", "satin,patent leather,suede", "slingback,pointed,strappy", "ef", "psaw"),
        ("derby shoes", "leather,suede", "classic,chunky-sole", "wf", "psaw"),
        ("running shoes", "mesh,technical jersey", "lightweight,cushioned", "s", "psaw"))),
    *_kinds("accessory", (
        ("belt", "leather,suede,canvas", "slim,wide,braided", "cwef", "psaw"),
        ("scarf", "silk,wool,cashmere,voile", "square,long,oversized", "cwef", "psaw"),
        ("sunglasses", "acetate", "cat-eye,round,square", "cbe", "psa"),
        ("tie", "silk,cotton knit", "slim,classic", "wf", "psaw"),
        ("gloves", "leather,cashmere,wool", "fitted,cuffed", "cwf", "aw"),
        ("bracelet", "beaded,enamel", "stacked,chunky,fine", "cef", "psaw"),
        ("earrings", "enamel,beaded", "hoop,drop,stud", "cwef", "psaw"))),
    *_kinds("bag", (
        ("tote bag", "canvas,leather", "structured,slouchy,oversized", "cwb", "psaw"),
        ("crossbody bag", "leather,nylon,suede", "compact,structured", "ces", "psaw"),
        ("clutch", "satin,patent leather,beaded", "envelope,box,pleated", "ef", "psaw"),
        ("backpack", "nylon,canvas,leather", "compact,roll-top", "cs", "psaw"),
        ("shoulder bag", "suede,leather", "baguette,half-moon,slouchy", "cwe", "psaw"),
        ("basket bag", "raffia,straw", "round,structured", "cb", "ps"))),
    *_kinds("headwear", (
        ("cap", "cotton twill,corduroy,nylon", "baseball,five-panel", "cs", "psaw"),
        ("beanie", "merino,cashmere,wool", "cuffed,slouchy,fisherman", "cs", "aw"),
        ("bucket hat", "cotton twill,nylon,denim", "soft,structured", "cb", "psa"),
        ("beret", "wool felt,velvet", "classic,slouchy", "ce", "aw"),
        ("fedora", "wool felt,straw", "wide-brim,classic", "cef", "psaw"),
        ("sun hat", "straw,raffia", "wide-brim,packable", "cb", "ps"))),
    *_kinds("other", (
        ("swimsuit", "recycled nylon", "one-piece,high-leg", "bs", "ps"),
        ("pyjama set", "poplin,silk,flannel", "relaxed,classic", "c", "psaw"),
        ("loungewear set", "loopback cotton,cotton knit", "relaxed", "cs", "psaw"))),
]
OCCASION_TAGS = {
    "party": "e", "evening": "e", "date": "e", "date night": "e", "dinner": "e", "cocktail": "e", "club": "e",
    "work": "w", "office": "w", "business": "w", "interview": "w", "meeting": "w", "wedding": "f",
    "formal": "f", "gala": "f", "ceremony": "f", "sport": "s", "gym": "s", "running": "s", "hiking": "s",
    "yoga": "s", "beach": "b", "holiday": "b", "vacation": "b", "pool": "b",
}
OCCASION_WORDS = {"c": "casual", "w": "work", "e": "evening", "f": "formal", "s": "sport", "b": "beach"}
PATTERNS = ("striped", "checked", "micro-check", "pinstriped", "polka-dot", "floral", "houndstooth")
