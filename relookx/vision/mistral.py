"""The Mistral analyzer: one vision chat call with a strict JSON schema per photo.

The photo is downscaled on the client (at most `MAX_SIDE` px on the long side) and sent as a
JPEG data URL: current models read about 1540 px at most and bill about W*H/784 tokens, so a
12-megapixel phone photo would cost far more and say nothing more.
"""

from __future__ import annotations

import base64
import io
import logging
import time
from collections.abc import Callable
from typing import Any

from mistralai.client import Mistral
from PIL import Image
from pydantic import BaseModel, Field

from relookx import llm
from relookx.errors import AnalysisError
from relookx.garments import CATEGORIES, normalize_garment
from relookx.vision.base import AnalysisResult, Box, GarmentDraft

log = logging.getLogger(__name__)

MAX_SIDE = 1024
JPEG_QUALITY = 85

INSTRUCTIONS = f"""You are a fashion expert cataloguing a wardrobe from one outfit photo.
List every garment, shoe and accessory the person wears that is clearly visible, one entry each.
For each item give:
- name: a short shop-style name, e.g. "navy slim-fit chinos";
- category: one of {", ".join(CATEGORIES)};
- color_name: its main color in plain words; color_hex: that color as #rrggbb;
- pattern (solid, striped, checked, floral, ...), material (cotton, denim, wool, leather, ...), fit
  (slim, regular, oversized, ...), as far as the photo shows them;
- estimated_price: a typical new retail price range in US dollars, like "$40 - $60";
- price: one number, your best single estimate in US dollars, or null if you cannot tell;
- context: the occasion it suits (casual, office, evening, sport, ...);
- description: one sentence a shopper would recognise it by;
- confidence: 0 to 1, how sure you are about this item.
If there is no person or no clothing on the photo, return an empty list.
Answer only with JSON that matches the schema."""


class GarmentOut(BaseModel):
    """One garment as the model reports it."""

    name: str
    category: str = Field(json_schema_extra={"enum": list(CATEGORIES)})
    color_name: str
    color_hex: str = Field(description="#rrggbb")
    pattern: str
    material: str
    fit: str
    estimated_price: str = Field(description='new retail price range, e.g. "$40 - $60"')
    price: float | None
    context: str = Field(description="occasion, e.g. casual, office, evening")
    description: str
    confidence: float = Field(description="0 to 1")


class OutfitOut(BaseModel):
    """The model's whole answer for one photo."""

    garments: list[GarmentOut]


def downscale(image: Image.Image, max_side: int = MAX_SIDE) -> Image.Image:
    """The photo as RGB with its long side at most `max_side` px (aspect kept, never upscaled)."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    w, h = rgb.size
    scale = max_side / max(w, h)
    if scale >= 1:
        return rgb
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return rgb.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode_image(image: Image.Image, *, max_side: int = MAX_SIDE, quality: int = JPEG_QUALITY) -> str:
    """A `data:image/jpeg;base64,...` URL of the downscaled photo (no EXIF or ICC metadata)."""
    buf = io.BytesIO()
    downscale(image, max_side).save(buf, format="JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def build_messages(image: Image.Image) -> list[dict[str, Any]]:
    """The chat messages sent for one photo: the instructions and the image."""
    return [{
        "role": "user",
        "content": [
            {"type": "text", "text": INSTRUCTIONS},
            {"type": "image_url", "image_url": encode_image(image)},
        ],
    }]


def to_draft(item: GarmentOut) -> GarmentDraft:
    """Map one model item to a `GarmentDraft` through `normalize_garment` (category, hex, price)."""
    return normalize_garment(GarmentDraft(
        name=item.name,
        category=item.category,
        color_name=item.color_name,
        color_hex=item.color_hex,
        pattern=item.pattern,
        material=item.material,
        fit=item.fit,
        price=item.price,  # None: normalize_garment parses estimated_price instead
        price_text=item.estimated_price,
        context=item.context,
        description=item.description,
        confidence=item.confidence,
    ))


class MistralAnalyzer:
    """Analyses outfit photos with a Mistral vision model."""

    name = "mistral"

    def __init__(self, client: Mistral, *, model: str, timeout_s: float,
                 locate: Callable[[Image.Image], dict[str, Box]] | None = None) -> None:
        self.client = client
        self.model = model
        self.timeout_s = timeout_s
        self.locate = locate  # where each garment category sits on the photo (for the garments' crops)

    def analyze(self, image: Image.Image) -> AnalysisResult:
        """Analyse the photo; raise `AnalysisError` with a clear message on failure."""
        started = time.monotonic()
        try:
            messages = build_messages(image)
        except (OSError, ValueError) as exc:
            raise AnalysisError(f"Could not prepare the photo for Mistral: {exc}") from exc
        answer = llm.complete_json(
            self.client,
            model=self.model,
            messages=messages,
            schema=OutfitOut,
            timeout_s=self.timeout_s,
            error_cls=AnalysisError,
        )
        garments = [to_draft(item) for item in answer.garments]
        seconds = time.monotonic() - started
        notes = [] if garments else ["Mistral found no person or no garments on this photo."]
        if max(image.size) > MAX_SIDE:
            notes.append(f"Sent downscaled to {MAX_SIDE} px on the long side.")
        boxes: list[Box | None] = []
        if garments and self.locate is not None:
            # The same pose regions as the offline analyzer, matched by category: both analyzers' garments
            # get the same crops.
            found = self.locate(image)
            layered = {"top", "outerwear"} <= {g.category for g in garments}
            boxes = [found.get("top_inner" if layered and g.category == "top" and "top_inner" in found
                               else g.category) for g in garments]
        log.info("Mistral %s found %d garments in %.2f s", self.model, len(garments), seconds)
        return AnalysisResult(garments=garments, analyzer=self.name, model=self.model,
                              seconds=seconds, notes=notes, boxes=boxes)
