"""The analyzer interface and the garment record both analyzers return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image


@dataclass
class GarmentDraft:
    """One garment seen on a photo, before it is stored.

    `category` is one of `relookx.garments.CATEGORIES`; `color_hex` is `#rrggbb`;
    `price` is a number in the user's currency (or None); `confidence` is 0..1.
    """

    name: str
    category: str
    color_name: str
    color_hex: str
    pattern: str = ""
    material: str = ""
    fit: str = ""
    price: float | None = None
    price_text: str = ""
    context: str = ""
    description: str = ""
    confidence: float = 0.5
    crop_key: str = ""  # the stored crop of the garment's region (relookx.storage, kind "crop")


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the analysed photo (end exclusive)


@dataclass
class AnalysisResult:
    """What an analyzer returns for one photo.

    `boxes` is empty or has one entry per garment: the garment's region on the photo (None when
    unknown), from which `relookx.photos` cuts and stores the garment's crop. No garments means the
    analyzer found no person or no clothing; `notes` then say why.
    """

    garments: list[GarmentDraft]
    analyzer: str  # "offline" or "mistral"
    model: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    boxes: list[Box | None] = field(default_factory=list)


class OutfitAnalyzer(Protocol):
    """Turns one normalised RGB photo into garments."""

    name: str

    def analyze(self, image: Image.Image) -> AnalysisResult:
        """Analyse the photo; raise `AnalysisError` with a clear message on failure."""
        ...
