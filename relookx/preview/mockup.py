"""The offline mock-up: the user's photo tinted where the piece goes, beside a labelled swatch panel."""

from __future__ import annotations

import io
import logging
import time
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from relookx.fashion.colors import color_to_hex, hex_to_rgb, normalize_hex
from relookx.fashion.pieces import Piece
from relookx.preview.masks import build_mask, region_for
from relookx.preview.types import PreviewRequest, PreviewResult

log = logging.getLogger(__name__)

MOCKUP_LABEL = "MOCK-UP — not a generated image"
CONNECT_HINT = "Connect a Stable Diffusion webui (RELOOKX_SD_URL or RELOOKX_SSH_HOST) for a real preview"
MAX_SIDE = 1024  # the photo is downscaled to fit in this square first
MIN_HEIGHT = 720  # tiny photos are enlarged so the panel's text stays readable
PANEL_RATIO = 0.4  # panel width as a share of the photo's width
TINT_STRENGTH = 0.92  # how far the region moves to the piece's colour (the rest keeps a hint of the original)
_KEEP_AFTER_BACKGROUND = 0.1  # share of the mask that must remain after removing background pixels
_KEEP_AFTER_SKIN = 0.5  # ... and after removing skin pixels
_KEEP_AFTER_COLOUR = 0.6  # ... and after keeping only the region's main colour
_CHROMA_MATCH = 0.08  # chromaticity distance within which a pixel belongs to the main colour
_INK = (33, 33, 33)
_MUTED = (105, 105, 105)
_PANEL_BG = (250, 248, 245)
_DASHES = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def make_mockup(request: PreviewRequest, *, mask: Image.Image | None = None) -> PreviewResult:
    """Compose a labelled mock-up of the user's photo wearing `request.piece` (PNG, no webui needed)."""
    start = time.perf_counter()
    piece = request.piece
    photo, scale = _fit(request.photo)
    color_hex, color_warning = _piece_hex(piece)
    rgb = hex_to_rgb(color_hex)
    region = region_for(piece.category, piece.name)
    if mask is None:
        mask, notes = build_mask(None, piece.category, photo.size, piece_name=piece.name)
        mask_source = "proportional"
    else:
        notes = []
        mask_source = "given"
    mask = mask.convert("L").resize(photo.size, Image.Resampling.BILINEAR)
    mask, refinements = _refine(photo, mask, region)
    soft = mask.filter(ImageFilter.GaussianBlur(max(1.0, 0.0025 * max(photo.size))))  # feathered edges
    tinted, coverage = _tint(photo, soft, rgb)
    _draw_badge(tinted)
    panel = _draw_panel(piece, color_hex, max(round(PANEL_RATIO * photo.width), round(0.36 * photo.height)),
                        photo.height)
    canvas = Image.new("RGB", (photo.width + panel.width, photo.height), _PANEL_BG)
    canvas.paste(tinted, (0, 0))
    canvas.paste(panel, (photo.width, 0))
    buf = io.BytesIO()
    canvas.save(buf, "PNG", compress_level=3)  # photos hardly compress: favour speed
    params: dict[str, Any] = {
        "region": region, "category": piece.category, "color_hex": color_hex, "color_rgb": list(rgb),
        "tint": "luminance-preserving recolour", "tint_strength": TINT_STRENGTH, "mask_source": mask_source,
        "mask_coverage": round(coverage, 4), "refinements": refinements, "mask_notes": list(notes),
        "photo_size": list(photo.size), "scale": round(scale, 4), "size": list(canvas.size),
    }
    seconds = time.perf_counter() - start
    log.debug("mock-up of %s (%s) in %.3fs", piece.name, region, seconds)
    return PreviewResult(image=buf.getvalue(), format="png", backend="mockup", mode=request.mode,
                         params=params, warnings=color_warning, seconds=seconds)


def _fit(photo: Image.Image) -> tuple[Image.Image, float]:
    """The photo in RGB, downscaled to fit MAX_SIDE (or enlarged to MIN_HEIGHT when tiny), and the scale."""
    img = photo if photo.mode == "RGB" else photo.convert("RGB")  # never modified below
    w, h = img.size
    scale = min(MAX_SIDE / w, MAX_SIDE / h, 1.0)
    if h * scale < MIN_HEIGHT:
        scale = min(MIN_HEIGHT / h, MAX_SIDE / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size == img.size:
        return img, 1.0
    # reducing_gap first shrinks by an integer factor (fast on huge photos), then resamples properly.
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0), scale


def _piece_hex(piece: Piece) -> tuple[str, list[str]]:
    """The piece's colour as "#rrggbb" (from its hex, else its colour name), and a warning if neither works."""
    found = normalize_hex(piece.color_hex) or color_to_hex(piece.color_name)
    if found:
        return found, []
    return "#808080", [f"The piece's colour ({piece.color_hex!r}, {piece.color_name!r}) is unknown: shown in grey."]


def _rows(keep: np.ndarray, start: float, stop: float) -> np.ndarray:
    """`keep` limited to a band of its rows, as shares of its height (0 = top row, 1 = bottom row)."""
    rows = np.flatnonzero(keep.any(axis=1))
    if rows.size == 0:
        return keep
    top, height = rows[0], rows[-1] + 1 - rows[0]
    band = np.zeros_like(keep)
    band[top + int(start * height): top + int(np.ceil(stop * height))] = True
    kept: np.ndarray = keep & band
    return kept


def _refine(photo: Image.Image, mask: Image.Image, region: str) -> tuple[Image.Image, list[str]]:
    """Narrow a (box-shaped) mask to the garment: drop background, skin, and other garments' colours."""
    arr = np.asarray(photo, dtype=np.float32)
    keep = np.asarray(mask) > 127
    done = []
    ycc = np.asarray(photo.filter(ImageFilter.BoxBlur(2)).convert("YCbCr"), dtype=np.int16)  # less noise
    cb, cr = ycc[..., 1], ycc[..., 2]
    # Chromaticity (r and g shares of r+g+b) ignores brightness, so a fold's shadow matches its garment.
    chroma = arr[..., :2] / (arr.sum(axis=2, keepdims=True) + 1.0)
    box = keep
    allowed = np.ones_like(keep)  # where the mask may grow back to: not background, not skin

    def not_background(_: np.ndarray) -> np.ndarray:
        return _background_distance(arr) > 28

    def not_skin(_: np.ndarray) -> np.ndarray:
        return ~((cb >= 77) & (cb <= 124) & (cr >= 138) & (cr <= 173))

    def main_colour(kept: np.ndarray) -> np.ndarray:
        # Shoes are the lowest thing in the feet region (the trouser hems are above them).
        dominant = np.median(chroma[_rows(kept, 0.6, 1.0) if region == "feet" else kept], axis=0)
        close: np.ndarray = np.sqrt(((chroma - dominant) ** 2).sum(axis=2)) < _CHROMA_MATCH
        return close

    # A box around a person is mostly background, so little needs to remain after removing it; a
    # garment the colour of skin, or a patterned one, would mostly vanish, so then that step is skipped.
    for name, test, least in (("background", not_background, _KEEP_AFTER_BACKGROUND),
                              ("skin", not_skin, _KEEP_AFTER_SKIN),
                              ("other colours", main_colour, 0.2 if region == "feet" else _KEEP_AFTER_COLOUR)):
        area = int(keep.sum())
        if not area:
            break
        refined = keep & test(keep)
        kept = int(refined.sum())
        if area * least <= kept < area:
            keep = refined
            done.append(f"without {name} ({100 * (area - kept) / area:.0f}%)")
            if name != "other colours":
                allowed &= test(keep)
        if name == "background" and region == "head":
            keep = _rows(keep, 0.0, 0.4)  # a hat sits on the crown, not over the face
            done.append("crown only")
    if not done:
        return mask, []
    # A 5x5 majority vote (box blur, then threshold) removes speckles, like a median filter but faster;
    # then the garment grows back by 2 px over its anti-aliased edge, but not onto background or skin.
    cleaned = Image.fromarray((keep * 255).astype(np.uint8), "L").filter(ImageFilter.BoxBlur(2))
    cleaned = cleaned.point(lambda v: 255 if v >= 128 else 0).filter(ImageFilter.BoxBlur(2))
    grown = (np.asarray(cleaned) >= 40) & box & allowed
    return Image.fromarray((grown * 255).astype(np.uint8), "L"), done


def _background_distance(arr: np.ndarray) -> np.ndarray:
    """Each pixel's RGB distance to the background, modelled from the photo's left and right edges.

    The background of each row is taken to shade linearly from its left edge to its right edge (lit
    from one side, a vignette), and also compared with the median of the whole border.
    """
    h, w, _ = arr.shape
    edge = max(1, w // 50)
    left = np.median(arr[:, :edge], axis=1)[:, None, :]
    right = np.median(arr[:, -edge:], axis=1)[:, None, :]
    t = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
    row_model = left * (1.0 - t) + right * t
    border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    overall = np.median(border, axis=0)
    to_rows = np.sqrt(((arr - row_model) ** 2).sum(axis=2))
    to_border = np.sqrt(((arr - overall) ** 2).sum(axis=2))
    distance: np.ndarray = np.minimum(to_rows, to_border)
    return distance


def _tint(photo: Image.Image, soft: Image.Image, rgb: tuple[int, int, int]) -> tuple[Image.Image, float]:
    """Recolour the masked region to `rgb` keeping its shading; return the image and the mask's coverage."""
    arr = np.asarray(photo, dtype=np.float32)
    alpha = np.asarray(soft, dtype=np.float32) / 255.0
    weight = float(alpha.sum())
    if weight < 1.0:
        return photo.copy(), 0.0
    luma = arr @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    middle = float(np.median(luma[alpha > 0.5])) if (alpha > 0.5).any() else float((luma * alpha).sum() / weight)
    # Folds, shadows and texture are the region's luminance around its median: add them to the new colour.
    shading = np.clip(luma - middle, -100.0, 70.0)[..., None]  # highlights past +70 are not the garment
    recoloured = np.clip(np.array(rgb, dtype=np.float32) + shading, 0.0, 255.0)
    recoloured = TINT_STRENGTH * recoloured + (1.0 - TINT_STRENGTH) * arr
    a = alpha[..., None]
    out = arr * (1.0 - a) + recoloured * a
    coverage = weight / alpha.size
    return Image.fromarray(np.round(out).astype(np.uint8), "RGB"), coverage


def _font(size: int) -> Font:
    """Pillow's built-in font at `size` px (the old bitmap font on Pillow < 10.1)."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def _printable(text: str, font: Font) -> str:
    """`text` with typographic dashes and quotes made ASCII, and glyphs the font lacks replaced by '?'."""
    text = text.translate(_DASHES)
    if not isinstance(font, ImageFont.FreeTypeFont):
        return text.encode("latin-1", "replace").decode("latin-1")
    missing = bytes(font.getmask("\ue000"))
    return "".join(
        ch if ch.isascii() or bytes(font.getmask(ch)) != missing else "?" for ch in text
    )


def _wrap(text: str, font: Font, width: float) -> list[str]:
    """Greedy word wrap of `text` to `width` pixels; overlong words are cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while font.getlength(word) > width and len(word) > 1:
            cut = max(1, max(i for i in range(1, len(word) + 1) if font.getlength(word[:i]) <= width or i == 1))
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _draw_badge(img: Image.Image) -> None:
    """A small "MOCK-UP" badge in the photo's top-left corner."""
    size = max(12, round(img.height / 38))
    font = _font(size)
    pad = round(size * 0.5)
    x0 = y0 = round(size * 0.7)
    text = "MOCK-UP"
    width = font.getlength(text)
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rounded_rectangle((x0, y0, x0 + width + 2 * pad, y0 + size + 2 * pad), radius=pad,
                           fill=(20, 20, 20, 190))
    draw.text((x0 + pad, y0 + pad + size * 0.05), text, font=font, fill=(255, 255, 255, 255))
    img.paste(Image.alpha_composite(img.convert("RGBA"), overlay).convert("RGB"))


def _line_height(font: Font, gap: float = 1.3) -> float:
    """The distance between two lines of `font`."""
    size = font.size if isinstance(font, ImageFont.FreeTypeFont) else 10
    return size * gap


def _draw_lines(draw: ImageDraw.ImageDraw, lines: list[str], font: Font, xy: tuple[float, float],
                fill: tuple[int, int, int], gap: float = 1.3) -> float:
    """Draw `lines` downwards from `xy`; return the y below the last one."""
    x, y = xy
    for line in lines:
        draw.text((x, y), line, font=font, fill=fill)
        y += _line_height(font, gap)
    return y


def _draw_panel(piece: Piece, color_hex: str, width: int, height: int) -> Image.Image:
    """The side panel: the mock-up label, a swatch of the piece's colour, its details and how to connect."""
    panel = Image.new("RGB", (width, height), _PANEL_BG)
    draw = ImageDraw.Draw(panel)
    pad = round(width * 0.08)
    inner = width - 2 * pad
    title, body, small = (_font(max(n, round(width / d))) for n, d in ((16, 12), (13, 16), (11, 20)))

    def wrap(text: str, font: Font, room: float = inner) -> list[str]:
        return _wrap(_printable(text, font), font, room)

    draw.line((0, 0, 0, height), fill=(215, 210, 205), width=2)
    # The label, white on dark, so nobody mistakes the mock-up for a generated image.
    label = wrap(MOCKUP_LABEL, body, inner - pad)
    label_h = round(len(label) * _line_height(body) + pad * 0.7)
    draw.rounded_rectangle((pad, pad, width - pad, pad + label_h), radius=round(pad * 0.4), fill=(40, 40, 40))
    _draw_lines(draw, label, body, (pad * 1.5, pad * 1.4), (255, 255, 255))
    y: float = pad + label_h + pad
    swatch_h = round(min(inner * 0.55, height * 0.22))
    draw.rounded_rectangle((pad, y, width - pad, y + swatch_h), radius=round(pad * 0.3), fill=color_hex,
                           outline=(190, 185, 180), width=2)
    y += swatch_h + pad * 0.8
    y = _draw_lines(draw, wrap(piece.name or "Recommended piece", title), title, (pad, y), _INK, gap=1.2)
    y = _draw_lines(draw, wrap(f"{piece.category} · {piece.color_name or color_hex}", body), body,
                    (pad, y + pad * 0.2), _MUTED)
    if piece.price is not None:
        y = _draw_lines(draw, wrap(f"about {piece.price:,.0f}", body), body, (pad, y), _INK)
    hint = wrap(CONNECT_HINT, small)
    hint_y = height - pad - len(hint) * _line_height(small)
    room = int((hint_y - pad - y) // _line_height(small))
    if piece.reason and room > 0:
        why = wrap(piece.reason, small)
        if len(why) > room:
            why = why[:room]
            why[-1] = why[-1].rstrip(".,;: ") + "..."
        _draw_lines(draw, why, small, (pad, y + pad * 0.5), _MUTED)
    draw.line((pad, hint_y - pad * 0.4, width - pad, hint_y - pad * 0.4), fill=(215, 210, 205), width=1)
    _draw_lines(draw, hint, small, (pad, hint_y), _MUTED)
    return panel
