"""Garment crops: the part of the photo a garment was read from, small enough for a table cell."""

from __future__ import annotations

import io

from PIL import Image

from relookx.vision.base import Box

CROP_SIDE = 256
CROP_QUALITY = 85
MIN_SIDE = 8


def cut(image: Image.Image, box: Box) -> bytes | None:
    """The JPEG bytes of `box` of the photo, at most `CROP_SIDE` px; None for a degenerate box."""
    w, h = image.size
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        return None
    crop = image.crop((x0, y0, x1, y1))
    if crop.mode != "RGB":
        crop = crop.convert("RGB")
    crop.thumbnail((CROP_SIDE, CROP_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    crop.save(buf, "JPEG", quality=CROP_QUALITY, optimize=True)
    return buf.getvalue()
