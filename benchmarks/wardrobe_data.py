"""Seeded, realistic synthetic wardrobes for benchmarks (plain rows, as the store would return them)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

# (category, weight, typical names, price range)
_KINDS: tuple[tuple[str, int, tuple[str, ...], tuple[float, float]], ...] = (
    ("top", 30, ("t-shirt", "shirt", "blouse", "sweater", "hoodie", "tank top", "polo"), (8, 90)),
    ("bottom", 18, ("jeans", "chinos", "trousers", "skirt", "shorts", "joggers"), (15, 120)),
    ("dress", 6, ("midi dress", "maxi dress", "slip dress", "shirt dress"), (25, 200)),
    ("outerwear", 9, ("trench coat", "denim jacket", "parka", "blazer", "bomber jacket"), (40, 350)),
    ("footwear", 12, ("sneakers", "loafers", "boots", "sandals", "heels"), (30, 250)),
    ("accessory", 10, ("belt", "scarf", "sunglasses", "watch", "necklace"), (5, 150)),
    ("bag", 6, ("tote bag", "backpack", "crossbody bag", "clutch"), (20, 400)),
    ("headwear", 5, ("cap", "beanie", "bucket hat", "fedora"), (10, 60)),
    ("other", 4, ("swimsuit", "pyjamas", "socks"), (5, 50)),
)
_COLORS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("black", ("#000000", "#111111", "#1a1a1a"), 20),
    ("white", ("#ffffff", "#fafafa"), 14),
    ("navy", ("#1f2a44", "#000080"), 10),
    ("grey", ("#808080", "#9e9e9e", "#6b6b6b"), 9),
    ("blue", ("#1e66f5", "#4a90d9"), 8),
    ("beige", ("#d8c3a5", "#e1c699"), 7),
    ("cream", ("#fffdd0", "#f5f0e1"), 5),
    ("brown", ("#7b4b2a", "#8b5a2b"), 5),
    ("red", ("#c92a2a", "#e03131"), 4),
    ("green", ("#2f9e44", "#556b2f"), 4),
    ("olive", ("#708238",), 3),
    ("pink", ("#f783ac", "#ffc0cb"), 3),
    ("burgundy", ("#800020",), 3),
    ("yellow", ("#fcc419",), 2),
    ("camel", ("#c19a6b",), 2),
    ("orange", ("#f76707",), 1),
)
_PATTERNS = ("solid", "solid", "solid", "striped", "checked", "floral", "graphic", "denim")
_MATERIALS = ("cotton", "wool", "denim", "linen", "polyester", "leather", "silk", "cashmere", "viscose")
_FITS = ("regular", "slim", "relaxed", "oversized", "cropped", "")
_OCCASIONS = ("casual", "work", "weekend", "evening", "party", "sport", "travel", "date night",
              "formal", "beach", "office", "wedding")
_JOINERS = (", ", " / ", " and ", ",")


def _context(rng: random.Random) -> str:
    k = rng.choices((0, 1, 2, 3), weights=(8, 35, 40, 17))[0]
    words = rng.sample(_OCCASIONS, k)
    if rng.random() < 0.3:
        words = [w.capitalize() for w in words]
    text = ""
    for i, word in enumerate(words):
        text += (rng.choice(_JOINERS) if i else "") + word
    return text


def make_wardrobe(
    n_garments: int = 5000, n_photos: int = 1000, seed: int = 0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (garment rows, photo rows): photos over one year, most garments seen on a photo."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    photo_times = sorted(start + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(n_photos))
    photos = [{"number": i + 1, "created_at": t, "status": "done"} for i, t in enumerate(photo_times)]
    kind_weights = [k[1] for k in _KINDS]
    color_weights = [c[2] for c in _COLORS]
    garments: list[dict[str, Any]] = []
    for gid in range(1, n_garments + 1):
        category, _, names, (low, high) = rng.choices(_KINDS, weights=kind_weights)[0]
        color_name, hexes, _ = rng.choices(_COLORS, weights=color_weights)[0]
        if photos and rng.random() < 0.9:
            photo = rng.choice(photos)
            number: int | None = photo["number"]
            created = photo["created_at"] + timedelta(seconds=rng.uniform(5, 120))
            source = "mistral" if rng.random() < 0.7 else "offline"
        else:
            number = None
            created = start + timedelta(seconds=rng.uniform(0, 365 * 86400))
            source = "manual"
        garments.append(
            {
                "id": gid,
                "photo_number": number,
                "name": f"{color_name} {rng.choice(names)}",
                "category": category,
                "color_name": color_name,
                "color_hex": rng.choice(hexes),
                "pattern": rng.choice(_PATTERNS),
                "material": rng.choice(_MATERIALS),
                "fit": rng.choice(_FITS),
                "price": round(rng.uniform(low, high), 2) if rng.random() < 0.65 else None,
                "context": _context(rng),
                "source": source,
                "created_at": created,
            }
        )
    return garments, photos
