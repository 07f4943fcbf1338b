"""Bytes sent to the vision model for one 12-megapixel phone photo (target: request <= 300 KB).

Generates a 4000x3000 outfit photo with lighting gradients, fabric-like texture and sensor noise,
saves it as a phone-quality JPEG (quality 92, with EXIF), then runs `MistralAnalyzer` against the
local Mistral-compatible test server and reads the size of the JSON request body it received.

Run from the repository root: `.venv/bin/python benchmarks/vision_payload.py`.
"""

from __future__ import annotations

import base64
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx.config import Settings  # noqa: E402
from relookx.llm import make_client  # noqa: E402
from relookx.vision.mistral import MAX_SIDE, MistralAnalyzer  # noqa: E402
from tests.imagegen import make_outfit_photo  # noqa: E402
from tests.mistral_server import MistralServer  # noqa: E402

TARGET_BYTES = 300_000
SIZE = (4000, 3000)
ANSWER = {"garments": [{
    "name": "Red crew-neck T-shirt", "category": "top", "color_name": "red", "color_hex": "#c0392b",
    "pattern": "solid", "material": "cotton", "fit": "regular", "estimated_price": "$15 - $25",
    "price": None, "context": "casual", "description": "A plain red tee.", "confidence": 0.9,
}]}


def phone_photo(seed: int = 7) -> Image.Image:
    """A 12 MP photo that compresses like a real one: figure, lighting, texture, sensor noise."""
    rng = np.random.default_rng(seed)
    base = make_outfit_photo(size=SIZE, background="#d9d4cc", noise=0.0)
    arr = np.asarray(base, dtype=np.float32)
    h, w = arr.shape[:2]
    # Vignetting and a warm light from the upper left.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.08 - 0.25 * (((xx / w - 0.3) ** 2 + (yy / h - 0.2) ** 2) ** 0.5)
    arr *= light[..., None]
    # Fabric folds and background texture: low-frequency noise scaled up, then fine grain.
    coarse = rng.normal(0.0, 1.0, (h // 40, w // 40)).astype(np.float32)
    folds = np.asarray(Image.fromarray(coarse, mode="F").resize((w, h), Image.Resampling.BICUBIC))
    arr += 10.0 * folds[..., None]
    arr += rng.normal(0.0, 5.0, arr.shape).astype(np.float32)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def main() -> int:
    """Build the photo, send it through the analyzer, print the table; 1 if over the target."""
    t0 = time.perf_counter()
    photo = phone_photo()
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Phone Maker", "Phone 15", 1  # Make, Model, Orientation
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=92, exif=exif)
    raw = buf.getvalue()
    generated_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp, MistralServer() as server:
        settings = Settings(mistral_api_key="benchmark-key", mistral_server_url=server.url,
                            mistral_timeout_s=10, mistral_retry_budget_s=1, data_dir=Path(tmp))
        analyzer = MistralAnalyzer(make_client(settings), model="mistral-small-latest", timeout_s=10)
        server.queue(ANSWER)
        loaded = Image.open(io.BytesIO(raw))
        loaded.load()
        t1 = time.perf_counter()
        result = analyzer.analyze(loaded)
        analyze_s = time.perf_counter() - t1
        (request,) = server.chat_requests

    url = next(p["image_url"] for p in request.content_parts if p["type"] == "image_url")
    url = url["url"] if isinstance(url, dict) else url
    sent_jpeg = base64.b64decode(url.split(",", 1)[1])
    sent = Image.open(io.BytesIO(sent_jpeg))
    naive = len(raw) * 4 // 3  # the original file as base64, what a naive client would send

    def kb(n: int) -> str:
        return f"{n / 1000:,.0f} KB"

    rows = [
        ("photo (phone JPEG q92)", f"{SIZE[0]}x{SIZE[1]}", kb(len(raw)), f"~{SIZE[0] * SIZE[1] // 784:,}"),
        ("naive: photo as base64", f"{SIZE[0]}x{SIZE[1]}", kb(naive), "(model caps at ~1540 px)"),
        ("sent JPEG (q85, no EXIF)", f"{sent.size[0]}x{sent.size[1]}", kb(len(sent_jpeg)),
         f"~{sent.size[0] * sent.size[1] // 784:,}"),
        ("request body (JSON)", "", kb(request.size), ""),
    ]
    print(f"Vision payload for one {SIZE[0] * SIZE[1] / 1e6:.0f} MP photo (long side sent: {MAX_SIDE} px)")
    print(f"{'what':<28}{'pixels':>12}{'bytes':>12}{'image tokens':>28}")
    print("-" * 80)
    for what, pixels, size, tokens in rows:
        print(f"{what:<28}{pixels:>12}{size:>12}{tokens:>28}")
    print("-" * 80)
    print(f"request / photo file: {request.size / len(raw):.1%}; EXIF sent: {bool(sent.getexif())}")
    print(f"downscale + encode + call: {analyze_s * 1000:.0f} ms (photo generated in {generated_s:.1f} s); "
          f"garments parsed: {len(result.garments)}")
    ok = request.size <= TARGET_BYTES
    print(f"target: request <= {kb(TARGET_BYTES)}: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
