"""Upload validation, normalisation and content-addressed photo storage."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from relookx.errors import NotFoundError, UploadError
from relookx.media import PreparedPhoto, prepare_upload
from relookx.storage import LocalStorage
from tests.imagegen import make_outfit_photo, to_bytes

MB = 1024 * 1024
LIMITS = {"max_bytes": 20 * MB, "max_pixels": 50_000_000}


def prepare(data: bytes, filename: str = "photo.jpg", **limits: int) -> PreparedPhoto:
    return prepare_upload(data, filename=filename, **{**LIMITS, **limits})


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _s15(v: float) -> bytes:
    return struct.pack(">i", round(v * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)


def swapped_rg_icc() -> bytes:
    """A minimal ICC v2 RGB profile whose red and green primaries are swapped (sRGB's, D50)."""
    desc_text = b"RG swapped\0"
    desc = (b"desc\0\0\0\0" + struct.pack(">I", len(desc_text)) + desc_text
            + b"\0" * 8 + b"\0\0\0" + b"\0" * 67)
    gamma = b"curv\0\0\0\0" + struct.pack(">I", 1) + struct.pack(">H", 0x0233) + b"\0\0"
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    tags = [(b"desc", desc), (b"wtpt", _xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", _xyz(*green)),
            (b"gXYZ", _xyz(*red)), (b"bXYZ", _xyz(*blue)), (b"rTRC", gamma), (b"gTRC", gamma),
            (b"bTRC", gamma)]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 24 + struct.pack(">I", 0)
              + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def png_with_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size, followed by one tiny (useless) IDAT chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(
        b"IEND", b"")


@pytest.fixture(scope="module")
def outfit() -> Image.Image:
    return make_outfit_photo(size=(300, 450))


@pytest.mark.parametrize(("fmt", "source"), [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WEBP")])
def test_accepted_formats(outfit: Image.Image, fmt: str, source: str) -> None:
    data = to_bytes(outfit, fmt)
    p = prepare(data, f"outfit.{fmt.lower()}")
    assert (p.source_format, p.width, p.height, p.original_size) == (source, 300, 450, len(data))
    img = decode(p.jpeg)
    assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (300, 450))
    thumb = decode(p.thumb)
    assert thumb.format == "JPEG" and max(thumb.size) == 320 and thumb.size[0] == 213


def test_heic_accepted(outfit: Image.Image) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    data = to_bytes(outfit, "HEIF")
    p = prepare(data, "IMG_0001.HEIC")
    assert (p.source_format, p.width, p.height) == ("HEIF", 300, 450)
    r, g, b = decode(p.jpeg).convert("RGB").getpixel((150, 150))  # the red top
    assert r > 150 and g < 100 and b < 100


def test_validation_is_by_content_not_name(outfit: Image.Image) -> None:
    p = prepare(to_bytes(outfit, "PNG"), "holiday.jpg")
    assert p.source_format == "PNG"
    with pytest.raises(UploadError, match="not an image"):
        prepare(b"%PDF-1.7\n%binary\n1 0 obj\n", "photo.jpg")


def test_exif_orientation_applied() -> None:
    img = Image.new("RGB", (200, 100), "white")
    img.paste((255, 0, 0), (0, 0, 100, 100))  # left half red
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise for display
    p = prepare(to_bytes(img, "JPEG", exif=exif.tobytes()))
    assert (p.width, p.height) == (100, 200)
    out = decode(p.jpeg).convert("RGB")
    assert out.getpixel((50, 20))[1] < 80  # the red half is now on top
    assert out.getpixel((50, 180))[1] > 200


def test_exif_and_gps_are_stripped() -> None:
    img = make_outfit_photo(size=(120, 180))
    exif = img.getexif()
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    exif[0x8825] = gps
    data = to_bytes(img, "JPEG", exif=exif.tobytes(), icc_profile=swapped_rg_icc())
    assert "exif" in decode(data).info
    p = prepare(data)
    out = decode(p.jpeg)
    assert "exif" not in out.info and "icc_profile" not in out.info and "xmp" not in out.info
    assert len(out.getexif()) == 0
    assert b"PhoneMaker" not in p.jpeg and b"Exif" not in p.jpeg


def test_icc_profile_converted_to_srgb() -> None:
    img = Image.new("RGB", (64, 64), (200, 30, 30))
    p = prepare(to_bytes(img, "PNG", icc_profile=swapped_rg_icc()))
    r, g, b = decode(p.jpeg).convert("RGB").getpixel((32, 32))
    # Under the swapped profile the stored "red" channel means green: the sRGB result is green.
    assert g > 150 and r < 90 and b < 90


def test_broken_icc_profile_falls_back_to_plain_pixels() -> None:
    img = Image.new("RGB", (64, 64), (200, 30, 30))
    p = prepare(to_bytes(img, "PNG", icc_profile=b"definitely not a profile"))
    r, g, b = decode(p.jpeg).convert("RGB").getpixel((32, 32))
    assert r > 180 and g < 60 and b < 60


def test_alpha_flattened_on_white() -> None:
    img = Image.new("RGBA", (80, 80), (0, 0, 0, 0))
    img.paste((0, 0, 255, 255), (20, 20, 60, 60))
    out = decode(prepare(to_bytes(img, "PNG"), "logo.png").jpeg)
    assert out.mode == "RGB"
    assert min(out.getpixel((5, 5))) > 245
    assert out.getpixel((40, 40))[2] > 240 and out.getpixel((40, 40))[0] < 20


def test_palette_grey_and_16bit_modes() -> None:
    for img in (Image.new("P", (40, 40), 3), Image.new("L", (40, 40), 128),
                Image.new("I;16", (40, 40), 40000), Image.new("LA", (40, 40), (10, 255))):
        p = prepare(to_bytes(img, "PNG"), "mode.png")
        assert decode(p.jpeg).mode == "RGB"
    grey16 = decode(prepare(to_bytes(Image.new("I;16", (40, 40), 40000), "PNG")).jpeg)
    assert abs(grey16.getpixel((20, 20))[0] - 40000 / 257) < 3


def test_long_side_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("relookx.media.MAX_SIDE", 500)
    p = prepare(to_bytes(Image.new("RGB", (1200, 600), "navy"), "PNG"))
    assert (p.width, p.height) == (500, 250)


def test_deterministic_hash(outfit: Image.Image) -> None:
    data = to_bytes(outfit, "PNG")
    a, b = prepare(data), prepare(data, "other-name.png")
    assert a.sha256 == b.sha256 and a.jpeg == b.jpeg and len(a.sha256) == 64
    assert prepare(to_bytes(make_outfit_photo(size=(300, 450), top="#00ff00"), "PNG")).sha256 != a.sha256


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r'"bad\.jpg" is empty'),
        (b"Dear stylist,\nplease find my outfit.\n" * 5, r'"bad\.jpg" is not an image: it looks like text'),
        (b"%PDF-1.4\n" + bytes(range(256)) * 4, r'"bad\.jpg" is not an image: it looks like a PDF'),
        (b"PK\x03\x04" + b"\0" * 100, "ZIP archive"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
        (bytes(range(256)) * 8, "not an image"),
    ],
)
def test_refused_content(data: bytes, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        prepare(data, "bad.jpg")


@pytest.mark.parametrize(("fmt", "word"), [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
def test_refused_image_formats(outfit: Image.Image, fmt: str, word: str) -> None:
    with pytest.raises(UploadError, match=rf'"pic" is a {word} image, which RelookX does not accept.*JPEG'):
        prepare(to_bytes(outfit, fmt), "pic")


def test_truncated_jpeg(outfit: Image.Image) -> None:
    data = to_bytes(outfit, "JPEG")
    with pytest.raises(UploadError, match=r'"cut\.jpg" looks like a JPEG image but is damaged or incomplete'):
        prepare(data[: len(data) // 2], "cut.jpg")


def test_corrupt_png_header() -> None:
    data = bytearray(to_bytes(Image.new("RGB", (50, 50), "red"), "PNG"))
    data[20:40] = b"\xff" * 20
    with pytest.raises(UploadError, match="damaged or incomplete"):
        prepare(bytes(data), "broken.png")


def test_oversize_file_names_size_and_limit(outfit: Image.Image) -> None:
    data = to_bytes(outfit, "PNG")
    with pytest.raises(UploadError, match=r'"big\.png" is 0\.\d+ MB; the limit is 0\.0095 MB'):
        prepare(data, "big.png", max_bytes=10_000)
    with pytest.raises(UploadError, match=r"is 25 MB; the limit is 20 MB"):
        prepare(b"\xff\xd8\xff" + b"\0" * (25 * MB - 3), "huge.jpg")


def test_pixel_limit_checked_before_decoding() -> None:
    message = r'"wide\.png" is 3000x2000 pixels \(6 megapixels\); the limit is 1 megapixels'
    with pytest.raises(UploadError, match=message):
        prepare(to_bytes(Image.new("RGB", (3000, 2000), "white"), "PNG"), "wide.png", max_pixels=1_000_000)
    # A header that claims 8000x8000 over 16 bytes of pixel data: refused from the header alone
    # (decoding it would have failed as truncated instead).
    with pytest.raises(UploadError, match=r"8000x8000 pixels \(64 megapixels\)"):
        prepare(png_with_header_only(8000, 8000), "bomb.png", max_pixels=1_000_000)


def test_pillow_bomb_guard_is_reported_too() -> None:
    # Pillow refuses 30000x30000 in Image.open itself (over 2x its MAX_IMAGE_PIXELS).
    with pytest.raises(UploadError, match="decompression bomb"):
        prepare(png_with_header_only(30000, 30000), "bomb.png", max_pixels=10**12)


def test_storage_save_read_delete(tmp_path: Path, outfit: Image.Image) -> None:
    storage = LocalStorage(tmp_path)
    p = prepare(to_bytes(outfit, "PNG"))
    key = storage.save(p)
    assert key == p.sha256 and storage.exists(key)
    assert storage.photo_path(key) == tmp_path / "photos" / key[:2] / f"{key}.jpg"
    assert storage.thumb_path(key) == tmp_path / "thumbs" / key[:2] / f"{key}.jpg"
    assert storage.read(key) == p.jpeg and storage.read_thumb(key) == p.thumb
    img = storage.open_image(key)
    assert (img.mode, img.size) == ("RGB", (300, 450))
    mtime = storage.photo_path(key).stat().st_mtime_ns
    assert storage.save(p) == key  # idempotent: nothing rewritten
    assert storage.photo_path(key).stat().st_mtime_ns == mtime
    assert not list(tmp_path.rglob(".tmp-*"))
    storage.delete(key)
    assert not storage.exists(key) and not storage.thumb_path(key).exists()
    storage.delete(key)  # deleting twice is fine
    with pytest.raises(NotFoundError):
        storage.read(key)


def test_storage_refuses_bad_keys(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    for key in ("../../etc/passwd", "", "ABC", "g" * 64):
        with pytest.raises(ValueError):
            storage.photo_path(key)
