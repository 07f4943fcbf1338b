"""Test photos of real people, composed in the tests from photos that ship inside PyPI packages.

Drawn figures are not people to a pose model, so the tests of the offline analyzer use two real
photos: Eileen Collins in an orange flight suit (`skimage.data.astronaut()`) and Grace Hopper in a
navy uniform jacket open over a white shirt, with her cap (matplotlib's `grace_hopper.jpg`). They are
recolored, mirrored, cropped and pasted on busy generated backgrounds here.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from relookx.fashion.colors import hex_to_rgb


@functools.cache
def astronaut() -> Image.Image:
    """Eileen Collins, upper body, orange flight suit over a black collar (512 x 512)."""
    from skimage import data

    return Image.fromarray(data.astronaut()).convert("RGB")


@functools.cache
def grace() -> Image.Image:
    """Grace Hopper, head and shoulders: navy jacket open over a white shirt, a navy cap (512 x 600)."""
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return Image.open(f).convert("RGB")


def busy_background(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Many overlapping colored shapes and stripes: a street or a shop, as far as colors go."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", size, tuple(int(c) for c in rng.integers(0, 255, 3)))
    d = ImageDraw.Draw(img)
    w, h = size
    for _ in range(60):
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(10, w // 3)), y0 + int(rng.integers(10, h // 3))
        color = tuple(int(c) for c in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            d.rectangle([x0, y0, x1, y1], fill=color)
        else:
            d.ellipse([x0, y0, x1, y1], fill=color)
    for x in range(0, w, 23):
        d.line([(x, 0), (x + h // 3, h)], fill=tuple(int(c) for c in rng.integers(0, 255, 3)), width=3)
    return img


def recolor_suit(img: Image.Image, target: str) -> Image.Image:
    """The astronaut with her orange suit turned to `target`, shading kept (only strongly orange pixels)."""
    arr = np.asarray(img, dtype=np.float32)
    r, g, b = arr[..., 0], arr[..., 1], arr[..., 2]
    orange = (r > 110) & (r > 1.6 * g) & (g > 1.05 * b) & (r - b > 90)
    lum = arr.mean(axis=2, keepdims=True) / np.float32(np.mean([216, 99, 65]))
    out = arr.copy()
    out[orange] = np.clip(lum[orange] * np.array(hex_to_rgb(target), dtype=np.float32), 0, 255)
    return Image.fromarray(out.astype(np.uint8))


def on_background(person: Image.Image, *, size: tuple[int, int], scale: float = 1.0, x: float = 0.5,
                  seed: int = 0) -> Image.Image:
    """The person photo pasted at the bottom of a busy background (x: its centre, a fraction of the width)."""
    bg = busy_background(size, seed)
    p = person.resize((round(person.width * scale), round(person.height * scale)), Image.Resampling.LANCZOS)
    bg.paste(p, (round(x * size[0] - p.width / 2), size[1] - p.height))
    return bg


def outfit_photo(top: str | None = None, *, mirror: bool = False, size: tuple[int, int] = (512, 512),
                 seed: int = 0) -> Image.Image:
    """The astronaut (suit recolored to `top` when given) on a busy background of `size`."""
    person = astronaut() if top is None else recolor_suit(astronaut(), top)
    if mirror:
        person = ImageOps.mirror(person)
    if size == (512, 512):
        return person
    scale = min(size[0] / 512, size[1] / 512) * 0.9
    return on_background(person, size=size, scale=scale, seed=seed)
