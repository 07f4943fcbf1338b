"""Upload memory: the server's upload limit follows the setting, phone-sized pixel limit, reduced decoding."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import tomllib
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from streamlit import config as st_config

from relookx.config import Settings, load_settings
from relookx.errors import UploadError
from relookx.media import MAX_SIDE, prepare_upload
from tests.apphelpers import make_app
from tests.conftest import ROOT, create_user

MB = 1024 * 1024


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (its data is one empty zlib stream): cheap to build."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_pixel_limit_default_is_phone_sized() -> None:
    assert Settings().max_image_pixels == 50_000_000 == load_settings({}, {}).max_image_pixels
    with pytest.raises(UploadError, match=r"10950x10950 pixels \(120 megapixels\); the limit is 50 megapixels"):
        prepare_upload(png_header_only(10950, 10950), filename="bomb.png", max_bytes=20 * MB,
                       max_pixels=Settings().max_image_pixels)


def test_config_toml_upload_limit_is_the_default_setting() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == Settings().max_upload_mb


def test_server_upload_limit_follows_the_setting(data_dir: Path, db: Engine) -> None:
    before = st_config.get_option("server.maxUploadSize")
    try:
        at = make_app(data_dir, user_id=create_user(db, "alice"), RELOOKX_MAX_UPLOAD_MB="7").run()
        assert not at.exception
        assert st_config.get_option("server.maxUploadSize") == 7  # what the upload endpoint enforces
        at = make_app(data_dir, RELOOKX_MAX_UPLOAD_MB="2.5").run()  # signed out: the sign-in page
        assert st_config.get_option("server.maxUploadSize") == 3  # whole megabytes, rounded up
    finally:
        st_config.set_option("server.maxUploadSize", before)


def test_large_rgba_png_is_downscaled_flattened_and_oriented() -> None:
    img = Image.new("RGBA", (9000, 1200), (200, 30, 30, 255))
    img.paste((0, 0, 0, 0), (0, 0, 4500, 1200))  # left half transparent: white once flattened
    buf = io.BytesIO()
    img.save(buf, "PNG")
    prepared = prepare_upload(buf.getvalue(), filename="wide.png", max_bytes=20 * MB, max_pixels=50_000_000)
    assert (prepared.width, prepared.height) == (MAX_SIDE, 546)
    out = Image.open(io.BytesIO(prepared.jpeg))
    assert out.getpixel((100, 270))[0] > 240 and out.getpixel((4000, 270))[1] < 60


def test_large_jpeg_with_orientation_keeps_it_upright() -> None:
    img = Image.new("RGB", (8800, 2000), (20, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif.tobytes())
    prepared = prepare_upload(buf.getvalue(), filename="tall.jpg", max_bytes=20 * MB, max_pixels=50_000_000)
    assert prepared.height == MAX_SIDE and prepared.width < prepared.height


MAKE_SCRIPT = """
import sys
from PIL import Image
w, h, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
Image.new(mode, (w, h), (120, 40, 60, 255)[:len(mode)]).save(sys.argv[4], "PNG")
"""

BUDGET_SCRIPT = """
import resource, sys
from relookx.media import prepare_upload
data = open(sys.argv[1], "rb").read()
vm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
resource.setrlimit(resource.RLIMIT_AS, (vm + int(sys.argv[2]) * 1024 * 1024, resource.RLIM_INFINITY))
try:
    done = prepare_upload(data, filename="big.png", max_bytes=1 << 30, max_pixels=50_000_000)
except MemoryError:
    print("MemoryError")
else:
    print(f"ok {done.width}x{done.height}")
"""


@pytest.mark.parametrize("mode", ["RGBA", "RGB"])
def test_a_50_megapixel_png_fits_in_300_mb(tmp_path: Path, mode: str) -> None:
    """Run in a child whose address space may grow by 300 MB only: every allocation counts, deterministically."""
    path = tmp_path / f"big-{mode}.png"
    subprocess.run([sys.executable, "-c", MAKE_SCRIPT, "7000", "7000", mode, str(path)], check=True,
                   cwd=ROOT, capture_output=True)
    done = subprocess.run([sys.executable, "-c", BUDGET_SCRIPT, str(path), "300"], check=True, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.stdout.strip() == f"ok {MAX_SIDE}x{MAX_SIDE}", done.stdout + done.stderr[-2000:]
