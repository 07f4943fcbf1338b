"""The demo catalog bundled with RelookX: ~420 generated products, their drawn images, and a text search.

Everything is generated deterministically from a seed, so the catalog is the same on every machine and
no data file ships with the project. Brands are fictional, `url`s use the `relookx-demo://catalog/<slug>`
scheme (not a real shop: the UI labels these products as demo data and does not open them as links),
and `image` is a local PNG that `product_image` draws on first use under the root given to the source.
"""

from __future__ import annotations

import os
import random
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from relookx.errors import NotFoundError
from relookx.fashion.colors import COLORS, delta_e_matrix, hex_to_lab, hex_to_rgb, lab_array, rgb_to_hex
from relookx.fashion.pieces import color_in
from relookx.garments import CATEGORIES, normalize_category
from relookx.shop.ranking import tokenize
from relookx.shop.types import Product

DEMO_SIZE = 420
DEMO_SEED = 20240917
SHOP_NAME = "RelookX demo catalog"
URL_PREFIX = "relookx-demo://catalog/"
IMAGE_SIZE = 320
BACKGROUND = (244, 243, 240)

# Fictional brand names, made up for the demo catalog.
BRANDS = (
    "Loomwell", "Harbor & Thread", "Kestrel Row", "Ondine Studio", "Brightmoor", "Tallow & Tweed",
    "Velvet Fern", "Cobalt Quay", "Pinecrest Supply", "Marlowe & Fig", "Sunday Stitch", "Quillbrook",
    "Atelier Nordvik", "Fable & Field", "Mossgrove", "Juniper Halt",
)
COLOR_NAMES = (
    "black", "charcoal", "grey", "light grey", "white", "off-white", "cream", "beige", "camel", "khaki",
    "taupe", "brown", "dark brown", "rust", "terracotta", "burgundy", "red", "coral", "orange", "mustard",
    "yellow", "pink", "hot pink", "blush", "mauve", "purple", "lavender", "plum", "navy", "royal blue",
    "light blue", "denim", "teal", "turquoise", "mint", "sage", "green", "dark green", "olive", "cobalt",
    "emerald", "lilac", "peach", "wine", "cognac", "powder pink", "sky blue", "bottle green", "ochre", "stone",
)
_DENIM_COLORS = ("denim", "light blue", "navy", "black", "grey", "white", "ecru")
_FITS: dict[str, tuple[str, ...]] = {
    "top": ("slim", "regular", "relaxed", "oversized", "cropped"),
    "bottom": ("slim", "straight", "relaxed", "wide-leg", "tapered"),
    "dress": ("fitted", "a-line", "wrap", "relaxed"),
    "outerwear": ("regular", "relaxed", "oversized", "tailored"),
}
_DETAILS = (
    "Ribbed trims.", "Made in small batches.", "Pre-washed for softness.", "Tonal stitching.",
    "Two side pockets.", "Recycled trims.", "Garment-dyed.", "Easy care: machine washable.",
    "A wardrobe staple.", "Lined for warmth.", "Lightweight for layering.", "Finished by hand.",
)


@dataclass(frozen=True)
class Template:
    """One kind of product the generator makes: noun, category, drawn shape, materials, price range."""

    noun: str
    category: str
    shape: str
    materials: tuple[str, ...]
    low: float
    high: float
    colors: tuple[str, ...] = ()  # empty: any of COLOR_NAMES


TEMPLATES: tuple[Template, ...] = (
    Template("t-shirt", "top", "tshirt", ("cotton jersey", "organic cotton", "linen blend", "modal"), 9, 60),
    Template("sweater", "top", "sweater", ("merino wool", "cashmere", "cotton knit", "lambswool"), 25, 260),
    Template("shirt", "top", "shirt", ("poplin", "oxford cotton", "linen", "flannel", "chambray"), 19, 140),
    Template("blouse", "top", "shirt", ("silk", "viscose", "crepe", "cotton voile"), 19, 180),
    Template("hoodie", "top", "sweater", ("brushed cotton", "organic cotton", "fleece"), 25, 130),
    Template("polo shirt", "top", "tshirt", ("pique cotton", "merino"), 19, 110),
    Template("turtleneck", "top", "sweater", ("merino wool", "ribbed cotton", "cashmere"), 29, 240),
    Template("tank top", "top", "tank", ("ribbed cotton", "jersey", "linen"), 9, 45),
    Template("jeans", "bottom", "trousers", ("denim", "stretch denim", "rigid denim"), 29, 190, _DENIM_COLORS),
    Template("trousers", "bottom", "trousers", ("wool blend", "twill", "linen", "corduroy"), 29, 220),
    Template("chinos", "bottom", "trousers", ("cotton twill", "stretch cotton"), 25, 120),
    Template("skirt", "bottom", "skirt", ("wool", "satin", "denim", "pleated crepe"), 19, 180),
    Template("shorts", "bottom", "shorts", ("cotton twill", "linen", "denim"), 15, 80),
    Template("joggers", "bottom", "trousers", ("fleece", "jersey"), 19, 90),
    Template("midi dress", "dress", "dress", ("viscose", "cotton poplin", "satin", "jersey"), 29, 260),
    Template("maxi dress", "dress", "dress", ("linen", "chiffon", "viscose"), 35, 290),
    Template("shirt dress", "dress", "dress", ("poplin", "denim", "linen"), 35, 200),
    Template("slip dress", "dress", "dress", ("satin", "silk"), 39, 320),
    Template("jumpsuit", "dress", "jumpsuit", ("crepe", "linen", "denim"), 39, 240),
    Template("overshirt", "outerwear", "jacket", ("corduroy", "wool flannel", "cotton twill", "denim"), 35, 190),
    Template("blazer", "outerwear", "jacket", ("wool", "linen", "velvet", "tweed"), 49, 380),
    Template("trench coat", "outerwear", "coat", ("cotton gabardine", "water-repellent cotton"), 79, 400),
    Template("coat", "outerwear", "coat", ("wool", "cashmere blend", "boiled wool"), 89, 400),
    Template("puffer jacket", "outerwear", "puffer", ("recycled nylon", "matte nylon"), 59, 360),
    Template("bomber jacket", "outerwear", "jacket", ("nylon", "suede", "satin"), 45, 300),
    Template("jacket", "outerwear", "jacket", ("denim", "organic denim"), 39, 180, _DENIM_COLORS),
    Template("cardigan", "outerwear", "sweater", ("wool", "cotton knit", "mohair blend"), 29, 240),
    Template("parka", "outerwear", "coat", ("waxed cotton", "nylon"), 79, 390),
    Template("sneakers", "footwear", "shoe", ("leather", "canvas", "suede"), 35, 220),
    Template("ankle boots", "footwear", "boot", ("leather", "suede"), 59, 340),
    Template("loafers", "footwear", "loafer", ("leather", "patent leather", "suede"), 49, 290),
    Template("sandals", "footwear", "sandal", ("leather", "raffia"), 19, 160),
    Template("heels", "footwear", "heel", ("satin", "leather", "velvet"), 39, 320),
    Template("chelsea boots", "footwear", "boot", ("leather", "suede"), 69, 360),
    Template("scarf", "accessory", "scarf", ("wool", "cashmere", "silk", "modal"), 12, 220),
    Template("belt", "accessory", "belt", ("leather", "suede", "woven canvas"), 12, 140),
    Template("gloves", "accessory", "mitten", ("leather", "wool", "cashmere"), 12, 130),
    Template("sunglasses", "accessory", "sunglasses", ("acetate", "metal"), 15, 260),
    Template("tie", "accessory", "tie", ("silk", "wool", "knitted silk"), 15, 120),
    Template("socks", "accessory", "socks", ("cotton", "merino"), 8, 35),
    Template("tote bag", "bag", "bag", ("canvas", "leather"), 15, 320),
    Template("crossbody bag", "bag", "bag", ("leather", "nylon"), 25, 340),
    Template("backpack", "bag", "backpack", ("nylon", "canvas", "leather"), 29, 300),
    Template("clutch", "bag", "clutch", ("satin", "leather", "raffia"), 19, 260),
    Template("beanie", "headwear", "beanie", ("wool", "cashmere", "ribbed acrylic"), 10, 110),
    Template("baseball cap", "headwear", "cap", ("cotton twill", "corduroy"), 12, 70),
    Template("bucket hat", "headwear", "hat", ("cotton", "nylon", "terry"), 15, 90),
    Template("fedora", "headwear", "hat", ("wool felt",), 39, 220),
    Template("beret", "headwear", "beret", ("wool felt",), 19, 120),
)
_BY_NOUN = {t.noun: t for t in TEMPLATES}

# Classic pieces always in the demo catalog, so common recommendations have an obvious match:
# (color, material, noun, price).
CLASSICS: tuple[tuple[str, str, str, float], ...] = (
    ("burgundy", "corduroy", "overshirt", 69.90), ("burgundy", "merino wool", "sweater", 59.90),
    ("burgundy", "cotton jersey", "t-shirt", 19.90), ("navy", "corduroy", "overshirt", 69.90),
    ("navy", "wool", "blazer", 149.0), ("white", "leather", "sneakers", 89.0),
    ("black", "leather", "chelsea boots", 179.0), ("camel", "wool", "coat", 229.0),
    ("denim", "rigid denim", "jeans", 79.0), ("black", "wool blend", "trousers", 89.0),
    ("cream", "lambswool", "sweater", 74.90), ("olive", "cotton twill", "chinos", 49.90),
    ("grey", "brushed cotton", "hoodie", 45.0), ("black", "leather", "belt", 29.90),
    ("mustard", "wool", "scarf", 24.90), ("camel", "leather", "crossbody bag", 119.0),
    ("black", "satin", "slip dress", 99.0), ("charcoal", "wool", "beanie", 19.90),
    ("rust", "linen", "shirt", 39.90), ("sage", "viscose", "midi dress", 79.0),
)


def template_for(name: str) -> Template | None:
    """The template a generated product name comes from: the longest noun it ends with."""
    lowered = name.lower()
    matches = [t for t in TEMPLATES if lowered.endswith(t.noun)]
    return max(matches, key=lambda t: len(t.noun)) if matches else None


def slugify(text: str) -> str:
    """A URL-safe lowercase slug ("Burgundy corduroy overshirt" -> "burgundy-corduroy-overshirt")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def product_id(product: Product) -> str:
    """The catalog id of a demo product: the slug at the end of its `relookx-demo://` URL."""
    return product.url.removeprefix(URL_PREFIX)


def _round_price(value: float) -> float:
    """A shop-like price: 19.90, 49.90, 129.00."""
    return float(round(value)) if value >= 100 else round(value) - 0.10 if value >= 10 else round(value, 1)


def _make(index: int, template: Template, color: str, material: str, price: float, rng: random.Random,
          root: Path | None) -> Product:
    # "Rigid denim jeans", not "Denim rigid denim jeans": a material that names the color says it once.
    name = f"{material} {template.noun}" if color in material.split() else f"{color} {material} {template.noun}"
    name = name[0].upper() + name[1:]
    slug = f"{slugify(name)}-{index:05d}"
    fits = _FITS.get(template.category)
    fit = f"{rng.choice(fits).capitalize()} fit " if fits else ""
    brand = BRANDS[rng.randrange(len(BRANDS))]
    sale = rng.random() < 0.15
    return Product(
        source="catalog", url=URL_PREFIX + slug, name=name, brand=brand, price=price, currency="EUR",
        regular_price=_round_price(price * 1.3) if sale else None,
        availability="out_of_stock" if rng.random() < 0.14 else "in_stock",
        image=str(root / f"{slug}.png") if root is not None else "", color=color, color_hex=COLORS[color],
        category=template.category, shop=SHOP_NAME, demo=True,
        description=f"{fit}{template.noun} in {color} {material}. {rng.choice(_DETAILS)} Demo product by {brand}.",
        provenance={"all": "RelookX demo catalog (generated)"},
    )


@lru_cache(maxsize=8)
def generate_catalog(size: int = DEMO_SIZE, seed: int = DEMO_SEED, root: Path | None = None) -> tuple[Product, ...]:
    """`size` demo products, the same for the same seed; `root` is where their images are drawn."""
    rng = random.Random(seed)
    products: list[Product] = []
    for color, material, noun, price in CLASSICS[:size]:
        products.append(_make(len(products), _BY_NOUN[noun], color, material, price, rng, root))
    while len(products) < size:
        template = TEMPLATES[len(products) % len(TEMPLATES)]  # round robin: every kind and category
        color = rng.choice(template.colors or COLOR_NAMES)
        price = _round_price(template.low * (template.high / template.low) ** rng.random())
        products.append(_make(len(products), template, color, rng.choice(template.materials), price, rng, root))
    return tuple(products)


# Garment silhouettes on a 100x100 grid: (op, numbers). Ops: "p" filled polygon, "e" filled ellipse,
# "r" filled rounded box, "l" detail line, "h" carrying handle (an arc), "s" sole in the outline shade,
# "m" a metal buckle.
Op = tuple[str, tuple[float, ...]]
_SWEATER = (32, 20, 42, 16, 58, 16, 68, 20, 80, 30, 88, 78, 79, 80, 70, 44, 70, 86, 30, 86, 30, 44, 21, 80, 12, 78,
            20, 30)
_JACKET = (32, 18, 42, 14, 58, 14, 68, 18, 80, 28, 88, 78, 79, 80, 70, 42, 70, 84, 30, 84, 30, 42, 21, 80, 12, 78,
           20, 28)
SHAPES: dict[str, tuple[Op, ...]] = {
    "tshirt": (("p", (30, 22, 42, 16, 50, 20, 58, 16, 70, 22, 86, 36, 76, 46, 70, 40, 70, 86, 30, 86, 30, 40, 24, 46,
                      14, 36)), ("l", (42, 16, 50, 24, 58, 16))),
    "sweater": (("p", _SWEATER), ("l", (42, 16, 50, 22, 58, 16)), ("l", (31, 80, 69, 80)), ("l", (13, 73, 21, 75)),
                ("l", (79, 75, 87, 73))),
    "shirt": (("p", _SWEATER), ("p", (42, 16, 50, 26, 44, 29, 38, 20)), ("p", (58, 16, 50, 26, 56, 29, 62, 20)),
              ("l", (50, 27, 50, 86))),
    "tank": (("p", (36, 14, 42, 14, 44, 28, 56, 28, 58, 14, 64, 14, 66, 32, 70, 44, 70, 86, 30, 86, 30, 44, 34, 32)),),
    "jacket": (("p", _JACKET), ("l", (42, 14, 46, 38, 50, 48)), ("l", (58, 14, 54, 38, 50, 48)),
               ("l", (50, 48, 50, 84)), ("l", (34, 66, 44, 66)), ("l", (56, 66, 66, 66))),
    "puffer": (("p", _JACKET), ("l", (30, 34, 70, 34)), ("l", (30, 50, 70, 50)), ("l", (30, 66, 70, 66)),
               ("l", (50, 14, 50, 84)), ("l", (17, 50, 27, 50)), ("l", (73, 50, 83, 50))),
    "coat": (("p", (32, 14, 42, 10, 58, 10, 68, 14, 80, 24, 88, 74, 79, 76, 71, 40, 72, 92, 28, 92, 29, 40, 21, 76,
                    12, 74, 20, 24)), ("l", (42, 10, 46, 36, 50, 44)), ("l", (58, 10, 54, 36, 50, 44)),
             ("l", (50, 44, 50, 92)), ("l", (29, 56, 71, 56))),
    "trousers": (("p", (32, 10, 68, 10, 72, 90, 55, 90, 50, 32, 45, 90, 28, 90)), ("l", (32, 16, 68, 16)),
                 ("l", (50, 16, 50, 32))),
    "shorts": (("p", (30, 24, 70, 24, 75, 66, 54, 68, 50, 44, 46, 68, 25, 66)), ("l", (30, 30, 70, 30))),
    "skirt": (("p", (36, 18, 64, 18, 78, 82, 22, 82)), ("l", (36, 24, 64, 24)), ("l", (44, 24, 40, 82)),
              ("l", (56, 24, 60, 82))),
    "dress": (("p", (40, 8, 44, 8, 46, 22, 54, 22, 56, 8, 60, 8, 62, 30, 58, 44, 78, 90, 22, 90, 42, 44, 38, 30)),
              ("l", (42, 44, 58, 44))),
    "jumpsuit": (("p", (38, 8, 43, 8, 45, 22, 55, 22, 57, 8, 62, 8, 64, 40, 68, 92, 54, 92, 50, 56, 46, 92, 32, 92,
                        36, 40)), ("l", (36, 40, 64, 40))),
    "shoe": (("p", (10, 74, 12, 44, 24, 36, 38, 36, 46, 48, 66, 52, 84, 58, 92, 66, 92, 74)), ("s", (9, 74, 93, 82)),
             ("l", (38, 42, 44, 50)), ("l", (30, 40, 36, 46)), ("l", (12, 62, 92, 66))),
    "boot": (("p", (24, 18, 48, 18, 48, 54, 64, 56, 82, 62, 86, 72, 22, 72)), ("s", (21, 72, 87, 78)),
             ("l", (24, 26, 48, 26))),
    "loafer": (("p", (10, 74, 14, 56, 38, 50, 66, 52, 86, 60, 92, 74)), ("s", (9, 74, 93, 80)),
               ("l", (44, 54, 62, 56))),
    "sandal": (("p", (12, 72, 88, 72, 88, 78, 12, 78)), ("p", (28, 72, 34, 50, 44, 50, 40, 72)),
               ("p", (54, 72, 58, 48, 70, 48, 68, 72))),
    "heel": (("p", (14, 70, 18, 58, 44, 60, 70, 48, 82, 52, 84, 60, 76, 62, 72, 84, 67, 84, 68, 64, 40, 72)),),
    "bag": (("h", (32, 20, 68, 56)), ("r", (20, 38, 80, 86)), ("l", (20, 50, 80, 50))),
    "backpack": (("h", (38, 10, 62, 30)), ("r", (26, 20, 74, 88)), ("l", (34, 56, 66, 56, 66, 80, 34, 80, 34, 56))),
    "clutch": (("r", (14, 42, 86, 74)), ("l", (14, 42, 50, 60, 86, 42))),
    "beanie": (("p", (26, 70, 26, 50, 30, 36, 40, 26, 50, 24, 60, 26, 70, 36, 74, 50, 74, 70)),
               ("r", (24, 58, 76, 74)), ("e", (44, 14, 56, 26)), ("l", (36, 58, 36, 74)), ("l", (50, 58, 50, 74)),
               ("l", (64, 58, 64, 74))),
    "cap": (("p", (24, 62, 26, 46, 34, 34, 50, 28, 66, 34, 74, 46, 76, 62)), ("p", (70, 56, 92, 60, 90, 66, 70, 64)),
            ("l", (50, 30, 50, 62))),
    "hat": (("e", (12, 56, 88, 72)), ("p", (32, 62, 34, 34, 40, 28, 60, 28, 66, 34, 68, 62)),
            ("l", (33, 52, 67, 52))),
    "beret": (("e", (16, 38, 84, 66)), ("l", (50, 38, 50, 31)), ("l", (22, 58, 78, 58))),
    "scarf": (("r", (26, 14, 74, 28)), ("p", (30, 24, 46, 24, 44, 86, 30, 86)), ("p", (52, 24, 66, 24, 72, 74, 56, 76)),
              ("l", (33, 86, 33, 92)), ("l", (37, 86, 37, 92)), ("l", (41, 86, 41, 92))),
    "belt": (("r", (6, 44, 94, 56)), ("m", (58, 40, 72, 60)), ("e", (80, 49, 82, 51)), ("e", (86, 49, 88, 51))),
    "mitten": (("p", (30, 90, 30, 46, 32, 26, 40, 16, 50, 14, 58, 18, 62, 30, 62, 44, 70, 38, 76, 42, 70, 60, 66, 90)),
               ("l", (32, 76, 66, 76))),
    "sunglasses": (("e", (14, 40, 46, 64)), ("e", (54, 40, 86, 64)), ("l", (46, 48, 54, 48)),
                   ("l", (14, 46, 6, 42)), ("l", (86, 46, 94, 42))),
    "tie": (("p", (46, 8, 54, 8, 56, 16, 52, 20, 62, 80, 50, 92, 38, 80, 48, 20, 44, 16)), ("l", (44, 16, 56, 16))),
    "socks": (("p", (38, 10, 58, 10, 58, 60, 76, 72, 74, 86, 46, 86, 38, 76)), ("l", (38, 20, 58, 20))),
}


def draw_shape(draw: ImageDraw.ImageDraw, shape: str, *, u: float, fill: tuple[int, int, int],
               line: tuple[int, int, int]) -> None:
    """Draw one silhouette of `SHAPES`, `u` pixels per grid unit."""
    width = max(2, round(u * 0.8))
    for op, nums in SHAPES[shape]:
        xy = [v * u for v in nums]
        if op == "p":
            draw.polygon(xy, fill=fill, outline=line, width=width)
        elif op == "e":
            draw.ellipse(xy, fill=fill, outline=line, width=width)
        elif op in ("r", "s"):
            color = fill if op == "r" else line
            draw.rounded_rectangle(xy, radius=3 * u, fill=color, outline=line, width=width)
        elif op == "l":
            draw.line(xy, fill=line, width=width, joint="curve")
        elif op == "h":
            draw.arc(xy, 180, 360, fill=line, width=width * 3)
        elif op == "m":
            draw.rectangle(xy, outline=(150, 150, 150), width=width * 2)


def _outline(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """A darker shade of the fill, or a lighter one for near-black fills, for outlines and details."""
    if hex_to_lab(rgb_to_hex(rgb))[0] < 30:
        return (min(255, rgb[0] + 90), min(255, rgb[1] + 90), min(255, rgb[2] + 90))
    return (int(rgb[0] * 0.62), int(rgb[1] * 0.62), int(rgb[2] * 0.62))


def draw_product(product: Product, *, size: int = IMAGE_SIZE) -> Image.Image:
    """A simple silhouette of the product's garment, filled with its color, on a light background."""
    scale = 2  # drawn at twice the size and scaled down: smooth edges
    img = Image.new("RGB", (size * scale, size * scale), BACKGROUND)
    draw = ImageDraw.Draw(img)
    fill = hex_to_rgb(product.color_hex or "#808080")
    template = template_for(product.name)
    shape = template.shape if template else SHAPES_FOR_CATEGORY.get(product.category, "bag")
    u = size * scale / 100.0
    draw.ellipse([18 * u, 90 * u, 82 * u, 97 * u], fill=(228, 227, 222))  # a soft floor shadow
    draw_shape(draw, shape, u=u, fill=fill, line=_outline(fill))
    return img.resize((size, size), Image.Resampling.LANCZOS)


SHAPES_FOR_CATEGORY = {
    "top": "tshirt", "bottom": "trousers", "dress": "dress", "outerwear": "jacket", "footwear": "shoe",
    "accessory": "scarf", "bag": "bag", "headwear": "hat", "other": "bag",
}


def product_image(product: Product, *, root: Path) -> Path:
    """The product's PNG under `root`, drawn and cached on first use."""
    path = root / f"{product_id(product)}.png"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # Streamlit sessions are threads
        draw_product(product).save(tmp, format="PNG", optimize=False, compress_level=3)
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    return path


@lru_cache(maxsize=1)
def _demo_by_id() -> dict[str, Product]:
    return {product_id(p): p for p in generate_catalog()}


def catalog_image(product_id: str, *, root: Path) -> Path:
    """The image of one demo catalog product (by its id, the URL slug), drawn under `root` on first use."""
    product = _demo_by_id().get(product_id)
    if product is None:
        raise NotFoundError(f"No demo catalog product {product_id!r}.")
    return product_image(product, root=root)


class CatalogSource:
    """The demo catalog as a product source: a fast token/category/color match over all products."""

    name = "catalog"
    CATEGORY_BONUS = 1.5  # a query noun's category counts like a fairly rare word
    COLOR_BONUS = 3.0  # an exact color counts like a rare word; near shades count less
    COLOR_RANGE = 20.0  # CIEDE2000 beyond which a color gets no bonus

    def __init__(self, root: Path, *, size: int = DEMO_SIZE, seed: int = DEMO_SEED,
                 products: Sequence[Product] | None = None, draw_images: bool = True) -> None:
        self.root = root
        self.draw_images = draw_images
        self._products = tuple(products) if products is not None else generate_catalog(size, seed, root)
        postings: dict[str, list[int]] = {}
        for i, p in enumerate(self._products):
            words = f"{p.name} {p.color} {p.category} {p.brand} {p.description}"
            for token in set(tokenize(words)):
                postings.setdefault(token, []).append(i)
        n = len(self._products)
        self._postings = {t: np.array(ix, dtype=np.int32) for t, ix in postings.items()}
        self._idf = {t: float(np.log((n + 1) / (len(ix) + 1)) + 1.0) for t, ix in postings.items()}
        self._cats = np.array([CATEGORIES.index(p.category) if p.category in CATEGORIES else len(CATEGORIES)
                               for p in self._products])
        hexes: dict[str, int] = {}
        self._hex_idx = np.array([hexes.setdefault(p.color_hex, len(hexes)) if p.color_hex else -1
                                  for p in self._products])
        self._labs = lab_array(list(hexes))

    def all_products(self) -> list[Product]:
        """Every product of the catalog (images are drawn only when a product is returned by `search`)."""
        return list(self._products)

    def search(self, query: str, limit: int) -> list[Product]:
        """Up to `limit` products matching the query's words, category and color, best match first."""
        if not query.strip():
            found = list(self._products[:limit])
        else:
            scores = self._scores(query)
            order = np.argsort(-scores, kind="stable")[:limit]
            found = [self._products[i] for i in order.tolist() if scores[i] > 0]
        if self.draw_images:
            for product in found:
                product_image(product, root=self.root)
        return found

    def _scores(self, query: str) -> np.ndarray:
        scores = np.zeros(len(self._products))
        color = color_in(query)
        color_tokens = set(tokenize(color[0])) if color else set()
        for token in dict.fromkeys(tokenize(query)):
            if token not in color_tokens and token in self._postings:
                scores[self._postings[token]] += self._idf[token]
        category = normalize_category(query)
        if category != "other":
            scores[self._cats == CATEGORIES.index(category)] += self.CATEGORY_BONUS
        if color and len(self._labs):
            dist = delta_e_matrix(lab_array([color[1]]), self._labs)[0]
            closeness = np.clip(1.0 - dist / self.COLOR_RANGE, 0.0, 1.0)
            known = self._hex_idx >= 0
            scores[known] += self.COLOR_BONUS * closeness[self._hex_idx[known]]
        return scores
