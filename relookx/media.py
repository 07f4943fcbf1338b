"""Uploaded photos: validation by content, normalisation to clean sRGB JPEG, content-addressed storage.

Accepted: JPEG, PNG, WebP and HEIC/HEIF (what phones and browsers produce). Refused with a clear
message: GIF, BMP, TIFF, AVIF, SVG and everything else. GIF and BMP are rarely photos and TIFF is a
large decoder surface for no benefit, so asking the user to export a JPEG is the better trade.
Animated PNG/WebP are accepted and their first frame is kept.

Every stored photo is re-encoded from pixels, so no EXIF (GPS location, camera serial), ICC or XMP
metadata ever reaches the disk.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import math
import struct
import warnings
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from relookx.errors import UploadError
from relookx.storage.base import Storage

log = logging.getLogger(__name__)

MAX_SIDE = 4096  # bounds storage and analysis time; a 16 MP photo keeps its full resolution
THUMB_SIDE = 320
JPEG_QUALITY = 90
THUMB_QUALITY = 85
ACCEPTED = "JPEG, PNG, WebP or HEIC"

# Pillow format ids we let decode an upload, by the kind `_sniff` reports.
_BAND_ROWS = 128  # output rows resampled at once by _downscale
_PIL_FORMATS = {"JPEG": ("JPEG", "MPO"), "PNG": ("PNG",), "WEBP": ("WEBP",), "HEIF": ("HEIF",)}

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_VIDEO_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"qt  ", b"M4V ", b"3gp4", b"3gp5", b"3g2a"}


@dataclass(frozen=True)
class PreparedPhoto:
    """A validated upload re-encoded as a metadata-free sRGB JPEG, with its thumbnail and hash."""

    jpeg: bytes
    thumb: bytes
    sha256: str
    width: int
    height: int
    source_format: str
    original_size: int
    taken_at: datetime | None = None  # EXIF DateTimeOriginal, read before the metadata is dropped


@functools.cache
def _register_heif() -> None:
    # Imported and registered on first HEIC upload only: the plugin loads libheif, which costs
    # start-up time nobody needs until an iPhone photo arrives.
    import pillow_heif

    pillow_heif.register_heif_opener()


def _sniff(data: bytes) -> tuple[str, str]:
    """Classify bytes by their magic: ("image", FORMAT), ("refused", name) or ("other", description)."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "WEBP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "image", "HEIF"
        if brand in (b"avif", b"avis"):
            return "refused", "an AVIF image"
        if brand in _VIDEO_BRANDS:
            return "other", "a video"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "refused", "a GIF image"
    if head[:2] == b"BM" and len(head) >= 18 and head[14] in (12, 40, 52, 56, 64, 108, 124):
        return "refused", "a BMP image"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "refused", "a TIFF image"
    if head[:4] == b"8BPS":
        return "refused", "a Photoshop document"
    if head[:4] in (b"\x00\x00\x01\x00",):
        return "refused", "an icon file"
    if head[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or head[:4] == b"\xff\x4f\xff\x51":
        return "refused", "a JPEG 2000 image"
    if head.startswith(b"%PDF"):
        return "other", "a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "other", "a ZIP archive (or an Office document)"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "other", "an audio file"
    if head.startswith(b"ID3"):
        return "other", "an audio file"
    text = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "refused", "an SVG drawing"
    if text.startswith((b"<!doctype html", b"<html")):
        return "other", "an HTML page"
    try:
        sample = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the sample's end is still text.
        sample = data[:4096].decode("utf-8", errors="ignore")
        if len(sample) < len(data[:4096]) * 0.5:
            return "other", "binary data of an unknown kind"
    if sample and sum(ch.isprintable() or ch in "\r\n\t" for ch in sample) / len(sample) > 0.95:
        return "other", "text"
    return "other", "binary data of an unknown kind"


def _num(value: float) -> str:
    """A size for a message: "20", "2.5", "0.001" (never a misleading "0")."""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.2g}" if value < 1 else f"{value:.1f}".removesuffix(".0")


def _label(filename: str) -> str:
    return f'"{filename}"' if filename else "The file"


def _to_srgb(img: Image.Image) -> Image.Image:
    """RGB or RGBA in sRGB: applies the embedded ICC profile, widens palettes, greys and 16-bit modes."""
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "RGBA", "L", "CMYK"):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            description = ImageCms.getProfileDescription(src) or ""
            if "srgb" not in description.lower() or img.mode not in ("RGB", "RGBA"):
                out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
                converted = ImageCms.profileToProfile(
                    img, src, ImageCms.createProfile("sRGB"), outputMode=out_mode
                )
                if converted is not None:
                    return converted
            return img if img.mode in ("RGB", "RGBA") else img.convert("RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
            # A broken or mismatched profile (e.g. a grey profile on an RGB image) is common in
            # the wild; the pixels are still usable as if they were sRGB.
            log.info("ignoring unusable ICC profile: %s", exc)
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        arr = np.asarray(img, dtype=np.float64)
        if arr.max(initial=0) > 255:
            arr = arr / 257.0
        grey = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "L")
        return grey.convert("RGB")
    if img.mode == "RGB" or img.mode == "RGBA":
        return img
    return img.convert("RGBA" if has_alpha else "RGB")


def _downscale(img: Image.Image) -> Image.Image:
    """The image with its long side at most MAX_SIDE (Lanczos), resampled in bands of rows.

    Resizing a whole 50 MP image at once costs two more full-size buffers (Pillow premultiplies RGBA into
    a copy, and resamples in two passes); a band at a time, only the small result and one band are extra.
    """
    if max(img.size) <= MAX_SIDE:
        return img
    if img.mode in ("1", "P", "PA"):  # palettes cannot be resampled: widen them first
        img = img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "RGB")
    elif img.mode not in ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F"):  # 16-bit greys: to 32-bit first
        img = img.convert("I")
    w, h = img.size
    scale = MAX_SIDE / max(w, h)
    out_w, out_h = max(1, round(w * scale)), max(1, round(h * scale))
    sy = h / out_h  # source rows per output row
    out = Image.new(img.mode, (out_w, out_h))
    margin = math.ceil(3 * sy) + 2  # the Lanczos window reaches 3 output pixels each side
    for top in range(0, out_h, _BAND_ROWS):
        bottom = min(out_h, top + _BAND_ROWS)
        y0, y1 = top * sy, bottom * sy
        c0, c1 = max(0, math.floor(y0) - margin), min(h, math.ceil(y1) + margin)
        band = img.crop((0, c0, w, c1))
        out.paste(band.resize((out_w, bottom - top), Image.Resampling.LANCZOS, box=(0, y0 - c0, w, y1 - c0)),
                  (0, top))
    out.info = dict(img.info)  # EXIF orientation and ICC profile are applied after
    return out


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode != "RGBA":
        return img.convert("RGB") if img.mode != "RGB" else img
    background = Image.new("RGB", img.size, (255, 255, 255))
    background.paste(img, mask=img.getchannel("A"))
    return background


def _encode_jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # No exif/icc_profile/xmp arguments: Pillow writes metadata only when asked, so none is stored.
    img.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL, _DATETIME = 0x9003, 0x0132


def capture_time(img: Image.Image) -> datetime | None:
    """When the photo was taken (EXIF DateTimeOriginal, else DateTime), as a naive local time; None if absent."""
    try:
        exif = img.getexif()
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError, struct.error):
        return None
    if not isinstance(raw, str):
        return None
    try:  # "YYYY:MM:DD HH:MM:SS", sometimes padded with NULs or spaces
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def prepare_upload(data: bytes, *, filename: str = "", max_bytes: int, max_pixels: int) -> PreparedPhoto:
    """Validate an upload by its content and normalise it; raise `UploadError` saying what is wrong."""
    label = _label(filename)
    size = len(data)
    if size == 0:
        raise UploadError(f"{label} is empty (0 bytes). Please choose the photo again.")
    if size > max_bytes:
        raise UploadError(
            f"{label} is {_num(size / 1048576)} MB; the limit is {_num(max_bytes / 1048576)} MB. "
            "Please upload a smaller photo (e.g. export it at a lower resolution)."
        )
    kind, what = _sniff(data)
    if kind == "refused":
        raise UploadError(
            f"{label} is {what}, which RelookX does not accept. Please upload a {ACCEPTED} photo."
        )
    if kind == "other":
        raise UploadError(f"{label} is not an image: it looks like {what}. Please upload a {ACCEPTED} photo.")
    if what == "HEIF":
        _register_heif()
    bomb_message = (
        f"{label} is too large in pixels for RelookX (limit {_num(max_pixels / 1e6)} megapixels); "
        "it may be a decompression bomb. Please upload a smaller photo."
    )
    damaged_message = f"{label} looks like a {what} image but is damaged or incomplete"
    try:
        # Image.open reads the header only; the pixel count is checked before anything is decoded.
        # Pillow's own bomb guard (a warning from 89 MP, an error from 179 MP) still applies.
        with warnings.catch_warnings():  # Pillow warns from 89 MP: our own limit below says it better
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data), formats=_PIL_FORMATS[what])
        width, height = img.size
        if width * height > max_pixels:
            raise UploadError(
                f"{label} is {width}x{height} pixels ({_num(width * height / 1e6)} megapixels); "
                f"the limit is {_num(max_pixels / 1e6)} megapixels. Please upload a smaller photo."
            )
        if img.format in ("JPEG", "MPO") and max(width, height) > 2 * MAX_SIDE:
            # Decode straight at the smallest DCT scale (1/2, 1/4, 1/8) that still covers MAX_SIDE:
            # the result is downscaled anyway, and a 1/2 scale needs a quarter of the memory.
            scale = MAX_SIDE / max(width, height)
            img.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        img.load()
    except Image.DecompressionBombError:
        raise UploadError(bomb_message) from None
    except UnidentifiedImageError:
        raise UploadError(f"{damaged_message} (it could not be opened). Please upload it again.") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
        log.info("refused damaged upload %r: %s", filename, exc)
        raise UploadError(
            f"{damaged_message} (the {what} data is truncated or corrupt). "
            "Please upload it again or re-export it from your photo app."
        ) from None
    source_format = "JPEG" if img.format == "MPO" else (img.format or what)
    taken_at = capture_time(img)  # the only EXIF field kept (the day the outfit was worn), read before anything
    img = _downscale(img)  # first: orientation, color conversion and flattening then work on the small image
    try:
        img = ImageOps.exif_transpose(img)
    except (OSError, ValueError, SyntaxError, KeyError, TypeError) as exc:
        # Malformed EXIF: keep the pixels as stored rather than refuse the photo.
        log.info("ignoring unreadable EXIF orientation in %r: %s", filename, exc)
    img = _flatten(_to_srgb(img))
    if max(img.size) > MAX_SIDE:
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    img.info.clear()
    jpeg = _encode_jpeg(img, JPEG_QUALITY)
    thumb_img = img.copy()
    thumb_img.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb = _encode_jpeg(thumb_img, THUMB_QUALITY)
    return PreparedPhoto(
        jpeg=jpeg,
        thumb=thumb,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        width=img.width,
        height=img.height,
        source_format=source_format,
        original_size=size,
        taken_at=taken_at,
    )


# The storage moved to relookx.storage; the old name stays for callers written against it.
PhotoStorage = Storage
