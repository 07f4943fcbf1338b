"""Synthetic outfit photos for tests: a simple standing person drawn with Pillow."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image, ImageDraw


def make_outfit_photo(
    *,
    top: str = "#c0392b",
    bottom: str = "#1f3a93",
    shoes: str = "#111111",
    skin: str = "#e0b899",
    background: str = "#f2f2f2",
    size: tuple[int, int] = (600, 900),
    dress: bool = False,
    noise: float = 3.0,
    seed: int = 0,
) -> Image.Image:
    """Draw a front-facing person (head, torso and arms, legs, shoes) centred on a plain background.

    With `dress=True` the torso and a skirt down to the knees are drawn in the `top` color and only
    the shins show below it. `noise` adds deterministic Gaussian noise (standard deviation in 0..255
    units) so the photo is not perfectly flat, like a real one.
    """
    w, h = size
    img = Image.new("RGB", size, background)
    d = ImageDraw.Draw(img)
    # The figure fills ~84% of the height; every part is proportional to it.
    fig_h = 0.84 * h
    top_y = 0.08 * h
    cx = w / 2
    u = fig_h / 8.0  # one "head" unit, the classic figure-drawing proportion
    s = min(u, 0.9 * w / 3.2)  # horizontal unit, so wide and narrow canvases both fit the figure

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [round(x0), round(y0), round(x1), round(y1)]

    head_top = top_y
    head_bot = top_y + u
    d.ellipse(box(cx - 0.36 * s, head_top, cx + 0.36 * s, head_bot), fill=skin)
    d.rectangle(box(cx - 0.14 * s, head_bot - 0.1 * u, cx + 0.14 * s, head_bot + 0.3 * u), fill=skin)

    shoulder_y = head_bot + 0.25 * u
    waist_y = shoulder_y + 2.75 * u
    torso_half = 0.62 * s
    arm_w = 0.26 * s
    # Arms hang beside the torso in the top color; the hands are skin.
    for side in (-1, 1):
        x_in = cx + side * torso_half
        x_out = cx + side * (torso_half + arm_w)
        xa, xb = sorted((x_in, x_out))
        d.rectangle(box(xa, shoulder_y + 0.1 * u, xb, waist_y + 0.2 * u), fill=top)
        d.ellipse(box(xa, waist_y + 0.1 * u, xb, waist_y + 0.7 * u), fill=skin)
    d.rounded_rectangle(
        box(cx - torso_half, shoulder_y, cx + torso_half, waist_y), radius=round(0.2 * s), fill=top
    )

    feet_y = top_y + fig_h - 0.3 * u
    leg_gap = 0.06 * s
    leg_w = 0.46 * s
    if dress:
        knee_y = waist_y + 1.8 * u
        d.polygon(
            [(cx - torso_half, waist_y - 0.3 * u), (cx + torso_half, waist_y - 0.3 * u),
             (cx + torso_half + 0.25 * s, knee_y), (cx - torso_half - 0.25 * s, knee_y)],
            fill=top,
        )
        for side in (-1, 1):
            x0 = cx + side * leg_gap if side > 0 else cx - leg_gap - 0.3 * s
            d.rectangle(box(x0, knee_y, x0 + 0.3 * s, feet_y), fill=skin)
    else:
        for side in (-1, 1):
            x0 = cx + leg_gap if side > 0 else cx - leg_gap - leg_w
            d.rectangle(box(x0, waist_y - 0.05 * u, x0 + leg_w, feet_y), fill=bottom)
    for side in (-1, 1):
        x0 = cx + leg_gap if side > 0 else cx - leg_gap - leg_w - 0.12 * s
        d.rounded_rectangle(
            box(x0, feet_y - 0.05 * u, x0 + leg_w + 0.12 * s, feet_y + 0.35 * u),
            radius=round(0.08 * s), fill=shoes,
        )

    if noise > 0:
        rng = np.random.default_rng(seed)
        arr = np.asarray(img, dtype=np.float32)
        arr += rng.normal(0.0, noise, arr.shape).astype(np.float32)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    return img


def to_bytes(img: Image.Image, fmt: str = "JPEG", **save_kwargs: Any) -> bytes:
    """Encode an image in the given format and return the bytes."""
    buf = io.BytesIO()
    img.save(buf, fmt, **save_kwargs)
    return buf.getvalue()
