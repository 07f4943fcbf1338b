"""Colors: the named-color table, the everyday garment palette, hex/RGB/HSL/Lab conversions and CIEDE2000.

`COLORS` maps CSS and fashion color names to "#rrggbb"; `hex_to_name` picks the nearest everyday name
from a curated palette with the CIEDE2000 distance, and `is_neutral` tells the colors that pair with anything.
`relookx.garments` re-exports every public name here.
"""

from __future__ import annotations

import colorsys
import math
import re
from collections.abc import Sequence

import numpy as np

__all__ = [
    "COLORS", "color_to_hex", "delta_e", "hex_to_hsl", "hex_to_lab", "hex_to_name", "hex_to_rgb",
    "is_neutral", "normalize_hex", "rgb_to_hex", "lab_array", "lab_to_hex", "delta_e_matrix",
]

# The 148 CSS named colors.
_CSS_COLORS: dict[str, str] = {
    "aliceblue": "#f0f8ff", "antiquewhite": "#faebd7", "aqua": "#00ffff", "aquamarine": "#7fffd4",
    "azure": "#f0ffff", "beige": "#f5f5dc", "bisque": "#ffe4c4", "black": "#000000",
    "blanchedalmond": "#ffebcd", "blue": "#0000ff", "blueviolet": "#8a2be2", "brown": "#a52a2a",
    "burlywood": "#deb887", "cadetblue": "#5f9ea0", "chartreuse": "#7fff00", "chocolate": "#d2691e",
    "coral": "#ff7f50", "cornflowerblue": "#6495ed", "cornsilk": "#fff8dc", "crimson": "#dc143c",
    "cyan": "#00ffff", "darkblue": "#00008b", "darkcyan": "#008b8b", "darkgoldenrod": "#b8860b",
    "darkgray": "#a9a9a9", "darkgreen": "#006400", "darkgrey": "#a9a9a9", "darkkhaki": "#bdb76b",
    "darkmagenta": "#8b008b", "darkolivegreen": "#556b2f", "darkorange": "#ff8c00",
    "darkorchid": "#9932cc", "darkred": "#8b0000", "darksalmon": "#e9967a", "darkseagreen": "#8fbc8f",
    "darkslateblue": "#483d8b", "darkslategray": "#2f4f4f", "darkslategrey": "#2f4f4f",
    "darkturquoise": "#00ced1", "darkviolet": "#9400d3", "deeppink": "#ff1493", "deepskyblue": "#00bfff",
    "dimgray": "#696969", "dimgrey": "#696969", "dodgerblue": "#1e90ff", "firebrick": "#b22222",
    "floralwhite": "#fffaf0", "forestgreen": "#228b22", "fuchsia": "#ff00ff", "gainsboro": "#dcdcdc",
    "ghostwhite": "#f8f8ff", "gold": "#ffd700", "goldenrod": "#daa520", "gray": "#808080",
    "green": "#008000", "greenyellow": "#adff2f", "grey": "#808080", "honeydew": "#f0fff0",
    "hotpink": "#ff69b4", "indianred": "#cd5c5c", "indigo": "#4b0082", "ivory": "#fffff0",
    "khaki": "#f0e68c", "lavender": "#e6e6fa", "lavenderblush": "#fff0f5", "lawngreen": "#7cfc00",
    "lemonchiffon": "#fffacd", "lightblue": "#add8e6", "lightcoral": "#f08080", "lightcyan": "#e0ffff",
    "lightgoldenrodyellow": "#fafad2", "lightgray": "#d3d3d3", "lightgreen": "#90ee90",
    "lightgrey": "#d3d3d3", "lightpink": "#ffb6c1", "lightsalmon": "#ffa07a", "lightseagreen": "#20b2aa",
    "lightskyblue": "#87cefa", "lightslategray": "#778899", "lightslategrey": "#778899",
    "lightsteelblue": "#b0c4de", "lightyellow": "#ffffe0", "lime": "#00ff00", "limegreen": "#32cd32",
    "linen": "#faf0e6", "magenta": "#ff00ff", "maroon": "#800000", "mediumaquamarine": "#66cdaa",
    "mediumblue": "#0000cd", "mediumorchid": "#ba55d3", "mediumpurple": "#9370db",
    "mediumseagreen": "#3cb371", "mediumslateblue": "#7b68ee", "mediumspringgreen": "#00fa9a",
    "mediumturquoise": "#48d1cc", "mediumvioletred": "#c71585", "midnightblue": "#191970",
    "mintcream": "#f5fffa", "mistyrose": "#ffe4e1", "moccasin": "#ffe4b5", "navajowhite": "#ffdead",
    "navy": "#000080", "oldlace": "#fdf5e6", "olive": "#808000", "olivedrab": "#6b8e23",
    "orange": "#ffa500", "orangered": "#ff4500", "orchid": "#da70d6", "palegoldenrod": "#eee8aa",
    "palegreen": "#98fb98", "paleturquoise": "#afeeee", "palevioletred": "#db7093",
    "papayawhip": "#ffefd5", "peachpuff": "#ffdab9", "peru": "#cd853f", "pink": "#ffc0cb",
    "plum": "#dda0dd", "powderblue": "#b0e0e6", "purple": "#800080", "rebeccapurple": "#663399",
    "red": "#ff0000", "rosybrown": "#bc8f8f", "royalblue": "#4169e1", "saddlebrown": "#8b4513",
    "salmon": "#fa8072", "sandybrown": "#f4a460", "seagreen": "#2e8b57", "seashell": "#fff5ee",
    "sienna": "#a0522d", "silver": "#c0c0c0", "skyblue": "#87ceeb", "slateblue": "#6a5acd",
    "slategray": "#708090", "slategrey": "#708090", "snow": "#fffafa", "springgreen": "#00ff7f",
    "steelblue": "#4682b4", "tan": "#d2b48c", "teal": "#008080", "thistle": "#d8bfd8", "tomato": "#ff6347",
    "turquoise": "#40e0d0", "violet": "#ee82ee", "wheat": "#f5deb3", "white": "#ffffff",
    "whitesmoke": "#f5f5f5", "yellow": "#ffff00", "yellowgreen": "#9acd32",
}

# Names people and vision models use for clothes that CSS lacks.
_FASHION_COLORS: dict[str, str] = {
    "burgundy": "#800020", "cream": "#f2e6c9", "charcoal": "#3d3f44", "camel": "#c19a6b",
    "mustard": "#d1a024", "rust": "#b7410e", "mint": "#aadfc4", "blush": "#efcfca", "taupe": "#8b7d70",
    "denim": "#4f6d8f", "wine": "#722f37", "emerald": "#50c878", "sage": "#9caf88",
    "terracotta": "#e2725b", "off-white": "#f3efe4", "nude": "#e3bc9a", "mauve": "#ae8a9c",
    "lilac": "#c8a2c8", "mocha": "#967969", "cognac": "#9a463d", "oatmeal": "#e0d5c1", "stone": "#c2b8a3",
    "sand": "#d8c8a8", "ecru": "#c2b280", "champagne": "#f7e7ce", "cobalt": "#0047ab",
    "baby blue": "#89cff0", "petrol": "#005f6a", "bottle green": "#006a4e", "army green": "#4b5320",
    "khaki green": "#8a865d", "jade": "#00a86b", "peach": "#ffcba4", "apricot": "#fbceb1",
    "dusty pink": "#d4a5a5", "rose": "#e8a3b3", "aubergine": "#3d0c45", "eggplant": "#614051",
    "periwinkle": "#ccccff", "oxblood": "#4a0000", "brick": "#a33b2a", "cherry": "#d2042d",
    "scarlet": "#ff2400", "ochre": "#cc7722", "saffron": "#f4c430", "lemon": "#fff44f",
    "bronze": "#cd7f32", "copper": "#b87333", "espresso": "#4b3621", "caramel": "#b9773d",
    "heather grey": "#9a9a9a", "graphite": "#383838", "slate": "#708090", "powder pink": "#ffd1dc",
    "ice blue": "#d6ecf3", "navy blue": "#202a44", "dark brown": "#4a3224", "light grey": "#d3d3d3",
    "fuchsia pink": "#d0208f", "neon green": "#39ff14", "neon yellow": "#dfff11", "sky blue": "#87ceeb",
    "royal blue": "#4169e1", "light blue": "#add8e6", "dark green": "#006400", "hot pink": "#ff69b4",
    "pale pink": "#f9d5d8", "leopard": "#c8a165", "multicolor": "#808080",
}

# The everyday palette `hex_to_name` chooses from: names a person would use for a garment. Where the
# CSS value of a name is far from what that word means for clothes (CSS "khaki" is a pale yellow,
# "brown" a brick red, "navy" a saturated blue) the palette's shade wins in `COLORS` too, so that
# `hex_to_name(color_to_hex(name)) == name` for every palette name.
_PALETTE: dict[str, str] = {
    "black": "#000000", "charcoal": "#3d3f44", "grey": "#808080", "light grey": "#d3d3d3",
    "white": "#ffffff", "off-white": "#f3efe4", "cream": "#f2e6c9", "beige": "#d8c3a5",
    "camel": "#c19a6b", "khaki": "#c3b091", "taupe": "#8b7d70", "brown": "#6f4e37",
    "dark brown": "#4a3224", "rust": "#b7410e", "terracotta": "#e2725b", "burgundy": "#800020",
    "red": "#ff0000", "coral": "#ff7f50", "orange": "#ffa500", "mustard": "#d1a024",
    "yellow": "#ffff00", "pink": "#ffc0cb", "hot pink": "#ff69b4", "blush": "#efcfca",
    "mauve": "#ae8a9c", "purple": "#800080", "lavender": "#b5a3d6", "plum": "#5e2750",
    "navy": "#202a44", "royal blue": "#4169e1", "blue": "#0000ff", "light blue": "#add8e6",
    "denim": "#4f6d8f", "teal": "#008080", "turquoise": "#40e0d0", "mint": "#aadfc4",
    "sage": "#9caf88", "green": "#008000", "dark green": "#006400", "olive": "#6b6b3a",
}

COLORS: dict[str, str] = {**_CSS_COLORS, **_FASHION_COLORS, **_PALETTE}


def _color_key(name: str) -> str:
    return re.sub(r"[\s\-_'.]+", "", name.strip().lower()).replace("gray", "grey")


# Lookups ignore case, spaces, hyphens and grey/gray; palette names win over CSS spellings
# ("light blue" over "lightblue") because they are inserted last.
_COLOR_INDEX: dict[str, str] = {_color_key(name): hex_ for name, hex_ in COLORS.items()}

_HEX_RE = re.compile(r"#?([0-9a-f]{6}|[0-9a-f]{3})")
_RGB_RE = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+%?\s*)?\)")


def normalize_hex(text: str | None) -> str | None:
    """Turn "#ABC", "abc123", "#AABBCC" or "rgb(1, 2, 3)" into "#rrggbb"; None when it is not a color."""
    if not text:
        return None
    s = text.strip().lower()
    m = _HEX_RE.fullmatch(s)
    if m:
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return f"#{digits}"
    m = _RGB_RE.fullmatch(s)
    if m:
        channels = [int(g) for g in m.groups()]
        if all(0 <= c <= 255 for c in channels):
            return rgb_to_hex((channels[0], channels[1], channels[2]))
    return None


def color_to_hex(name: str | None) -> str | None:
    """The "#rrggbb" of a color name ("Light Blue", "off white", "navy") or hex string; None if unknown."""
    if not name:
        return None
    as_hex = normalize_hex(name)
    if as_hex:
        return as_hex
    key = _color_key(name)
    if key in _COLOR_INDEX:
        return _COLOR_INDEX[key]
    # "dark navy blue", "pale sage green": try the longest known tail, then any known word.
    words = re.sub(r"[\-_]+", " ", name.strip().lower()).split()
    for i in range(1, len(words)):
        tail = _color_key("".join(words[i:]))
        if tail in _COLOR_INDEX:
            return _COLOR_INDEX[tail]
    return None


def hex_to_rgb(hex_: str) -> tuple[int, int, int]:
    """Convert "#rrggbb" (or any form `normalize_hex` accepts) to an (r, g, b) tuple of 0..255 ints."""
    norm = normalize_hex(hex_)
    if norm is None:
        raise ValueError(f"Not a hex color: {hex_!r}")
    return int(norm[1:3], 16), int(norm[3:5], 16), int(norm[5:7], 16)


def rgb_to_hex(rgb: tuple[float, float, float]) -> str:
    """An (r, g, b) tuple of 0..255 numbers to "#rrggbb" (values are rounded and clamped)."""
    r, g, b = (min(255, max(0, round(c))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def hex_to_hsl(hex_: str) -> tuple[float, float, float]:
    """Hue in degrees (0..360), saturation and lightness (0..1) of a hex color."""
    r, g, b = (c / 255.0 for c in hex_to_rgb(hex_))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360.0, s, lightness


def _srgb_to_linear(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def hex_to_lab(hex_: str) -> tuple[float, float, float]:
    """CIELAB (D65) coordinates of a hex color."""
    r, g, b = (_srgb_to_linear(c) for c in hex_to_rgb(hex_))
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1.0 / 3.0) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)


def _ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    # CIEDE2000 (Sharma, Wu & Dalal 2005): unlike plain Euclidean Lab distance it does not
    # exaggerate differences between saturated colors, which matters for naming garments.
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2.0
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360.0 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360.0 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dhp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    else:
        hbp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hbp - 30)) + 0.24 * math.cos(math.radians(2 * hbp))
         + 0.32 * math.cos(math.radians(3 * hbp + 6)) - 0.20 * math.cos(math.radians(4 * hbp - 63)))
    d_theta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp**7 / (cbp**7 + 25.0**7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc = 1 + 0.045 * cbp
    sh = 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh))


def delta_e(hex_a: str, hex_b: str) -> float:
    """Perceptual distance (CIEDE2000) between two hex colors: ~1 is barely visible, >10 clearly different."""
    return _ciede2000(hex_to_lab(hex_a), hex_to_lab(hex_b))


# Extra anchors for palette names whose single value covers too little: the pure CSS primaries
# (kept in `COLORS` because that is what "red" means in code) are far from the deep reds, blues and
# greens of real fabric.
_EXTRA_ANCHORS: tuple[tuple[str, str], ...] = (
    ("red", "#c62828"), ("blue", "#1e4fa0"), ("green", "#2e7d32"), ("brown", "#8b5a2b"),
    ("purple", "#6a3d9a"), ("yellow", "#f4d03f"), ("orange", "#f28c28"), ("pink", "#f06292"),
)

_PALETTE_LAB: tuple[tuple[str, tuple[float, float, float]], ...] = tuple(
    (name, hex_to_lab(hex_)) for name, hex_ in (*_PALETTE.items(), *_EXTRA_ANCHORS)
)


def hex_to_name(hex_: str) -> str:
    """The nearest everyday color name ("navy", "camel", "light blue") for a hex color."""
    lab = hex_to_lab(hex_)
    return min(_PALETTE_LAB, key=lambda anchor: _ciede2000(lab, anchor[1]))[0]


# Colors that pair with almost anything, as stylists use the word: greys, black and white, plus the
# classic "fashion neutrals" of low-saturation browns and dark blues.
_NEUTRAL_NAMES = frozenset({
    "black", "charcoal", "grey", "light grey", "white", "off-white", "cream", "beige", "camel", "khaki",
    "taupe", "brown", "dark brown", "navy", "denim",
})


def is_neutral(hex_: str) -> bool:
    """True for neutrals: near-greys, near-black/white, and beige/camel/brown/navy/denim shades."""
    lightness, a, b = hex_to_lab(hex_)
    chroma = math.hypot(a, b)
    if chroma < 12 or lightness < 12 or lightness > 96:
        return True
    return hex_to_name(hex_) in _NEUTRAL_NAMES


# --- vectorised: many colors at once (numpy) ---------------------------------------------------------

def lab_array(hexes: Sequence[str]) -> np.ndarray:
    """CIELAB (D65) coordinates of many "#rrggbb" colors as an (n, 3) array."""
    if not hexes:
        return np.zeros((0, 3))
    rgb = np.array([[int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)] for h in hexes], dtype=float) / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    eps = (6 / 29) ** 3
    f = np.where(xyz > eps, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def lab_to_hex(labs: np.ndarray, *, drop_out_of_gamut: bool = False) -> list[str]:
    """"#rrggbb" of many CIELAB (D65) colors; out-of-gamut colors are clipped to sRGB, or dropped."""
    fy = (labs[:, 0] + 16) / 116
    f = np.stack([fy + labs[:, 1] / 500, fy, fy - labs[:, 2] / 200], axis=1)
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * np.array([0.95047, 1.0, 1.08883])
    m = np.array([[3.2404542, -1.5371385, -0.4985314], [-0.9692660, 1.8760108, 0.0415560],
                  [0.0556434, -0.2040259, 1.0572252]])
    lin = xyz @ m.T
    if drop_out_of_gamut:
        lin = lin[((lin >= -1e-4) & (lin <= 1 + 1e-4)).all(axis=1)]
    lin = np.clip(lin, 0.0, 1.0)
    rgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in np.rint(rgb * 255).astype(int).tolist()]


def delta_e_matrix(lab1: np.ndarray, lab2: np.ndarray, *, kl: float = 1.0) -> np.ndarray:
    """CIEDE2000 between every row of lab1 (n, 3) and of lab2 (m, 3): an (n, m) array.

    `kl` is the standard's lightness weighting factor (2 discounts lightness, as for textiles).
    """
    l1, a1, b1 = (lab1[:, i][:, None] for i in range(3))
    l2, a2, b2 = (lab2[:, i][None, :] for i in range(3))
    return delta_e_broadcast(l1, a1, b1, l2, a2, b2, kl=kl)


def delta_e_broadcast(l1: np.ndarray, a1: np.ndarray, b1: np.ndarray, l2: np.ndarray, a2: np.ndarray,
                      b2: np.ndarray, *, kl: float = 1.0) -> np.ndarray:
    """CIEDE2000 of Lab coordinates given as arrays that broadcast together (e.g. (n, 1) against (1, m))."""
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where(c1p == 0, 0.0, np.degrees(np.arctan2(b1, a1p)) % 360)
    h2p = np.where(c2p == 0, 0.0, np.degrees(np.arctan2(b2, a2p)) % 360)
    prod = c1p * c2p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(prod == 0, 0.0, dh)
    dhp = 2 * np.sqrt(prod) * np.sin(np.radians(dh) / 2)
    lbp, cbp, hsum = (l1 + l2) / 2, (c1p + c2p) / 2, h1p + h2p
    hbp = np.where(np.abs(h1p - h2p) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2))
    hbp = np.where(prod == 0, hsum, hbp)
    t = (1 - 0.17 * np.cos(np.radians(hbp - 30)) + 0.24 * np.cos(np.radians(2 * hbp))
         + 0.32 * np.cos(np.radians(3 * hbp + 6)) - 0.20 * np.cos(np.radians(4 * hbp - 63)))
    rc = 2 * np.sqrt(cbp**7 / (cbp**7 + 25.0**7))
    rt = -np.sin(np.radians(2 * 30 * np.exp(-(((hbp - 275) / 25) ** 2)))) * rc
    sl = 1 + 0.015 * (lbp - 50) ** 2 / np.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    dl, dc, dhh = (l2 - l1) / (kl * sl), (c2p - c1p) / sc, dhp / sh
    distances: np.ndarray = np.sqrt(dl**2 + dc**2 + dhh**2 + rt * dc * dhh)
    return distances
