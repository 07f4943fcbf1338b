"""What a preview needs and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from relookx.fashion.pieces import OutfitItem, Piece

MODES = ("photo", "newlook")  # inpaint the user's own photo, or a new image posed like it


@dataclass
class PreviewRequest:
    """One preview to generate."""

    photo: Image.Image  # the user's photo, RGB
    piece: Piece
    garments: list[OutfitItem] = field(default_factory=list)  # what the photo shows
    profile: dict[str, Any] = field(default_factory=dict)
    mode: str = "photo"
    steps: int = 25
    seed: int = -1
    strength: float = 0.75  # img2img denoising strength
    cfg_scale: float = 7.0
    checkpoint: str | None = None  # a title from /sdapi/v1/sd-models; None keeps the server's
    sampler: str = "DPM++ 2M"


@dataclass
class PreviewResult:
    """A generated (or mocked-up) preview."""

    image: bytes  # encoded image
    format: str  # "png", "jpeg" or "webp"
    backend: str  # "sd-webui" or "mockup"
    mode: str
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. ControlNet silently not applied
    seconds: float = 0.0
    interrupted: bool = False  # stopped before the end (cancelled): unfinished, never saved as a preview
