"""What the SD webui's API says, as data: its records, and pure readers of its answers.

Images (base64, format sniffing), a generation's `info` (a JSON string inside the JSON), the extensions
that silently did not run, and which openpose ControlNet model fits a checkpoint. `WebuiClient`
(`relookx.preview.client`) does the HTTP and builds these.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from relookx.errors import ServiceError


class PreviewError(ServiceError):
    """The SD webui failed or refused a request; the message says what to do."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when the webui answered one


@dataclass
class Capabilities:
    """What the webui offers: checkpoints, samplers and the extensions' models (None: not installed)."""

    checkpoints: list[str]
    current_checkpoint: str | None
    samplers: list[str]
    controlnet_version: int | None = None
    controlnet_models: list[str] = field(default_factory=list)
    controlnet_modules: list[str] = field(default_factory=list)
    adetailer_models: list[str] | None = None

    @property
    def has_controlnet(self) -> bool:
        """True when the ControlNet extension answers."""
        return self.controlnet_version is not None

    @property
    def has_adetailer(self) -> bool:
        """True when the ADetailer extension answers."""
        return self.adetailer_models is not None


@dataclass
class GenerationResult:
    """Decoded images of a txt2img/img2img call, its parsed info and what silently did not run."""

    images: list[bytes]
    formats: list[str]  # "png", "jpeg" or "webp", one per image
    info: dict[str, Any]
    parameters: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def image(self) -> bytes:
        """The first image."""
        return self.images[0]

    @property
    def format(self) -> str:
        """The first image's format."""
        return self.formats[0]

    @property
    def seed(self) -> int | None:
        """The seed the webui really used (a -1 request becomes a number)."""
        seed = self.info.get("seed")
        return int(seed) if isinstance(seed, int | float) else None


@dataclass
class Progress:
    """The webui's global progress: idle when job_count is 0."""

    fraction: float
    eta_s: float
    step: int
    steps: int
    job_count: int
    interrupted: bool = False
    text: str = ""
    image: bytes | None = None

    @property
    def busy(self) -> bool:
        """True while a job runs."""
        return self.job_count > 0


def sniff_format(data: bytes) -> str:
    """The image format from its first bytes: "png", "jpeg" or "webp"."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise PreviewError("The webui returned an image in an unknown format (expected PNG, JPEG or WebP).")


def decode_b64(text: str) -> bytes:
    """Bytes of a base64 image, with or without a `data:image/...;base64,` prefix."""
    if text.startswith("data:"):
        text = text.split(",", 1)[-1]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PreviewError(f"The webui returned an image that is not valid base64: {exc}") from exc


def encode_image(image: Image.Image) -> str:
    """Raw base64 PNG of an image, as the webui accepts it."""
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def parse_info(info: Any) -> dict[str, Any]:
    """`info` of a generation: a JSON string inside the JSON answer, decoded a second time."""
    for _ in range(3):  # a proxy may have encoded it once more
        if not isinstance(info, str):
            break
        try:
            info = json.loads(info)
        except ValueError:
            return {"text": info}
    return info if isinstance(info, dict) else {}


def extension_warnings(payload: dict[str, Any], info: dict[str, Any]) -> list[str]:
    """Warnings for ControlNet units or ADetailer requested in `payload` but absent from `info`."""
    scripts = {str(k).lower(): v for k, v in (payload.get("alwayson_scripts") or {}).items()}
    extra = info.get("extra_generation_params") or {}
    warnings: list[str] = []
    cn_args = (scripts.get("controlnet") or {}).get("args") or []
    requested = [u for u in cn_args if isinstance(u, dict) and u.get("enabled") is not False]
    ran = [k for k in extra if re.fullmatch(r"ControlNet \d+", str(k))]
    if requested and len(ran) < len(requested):
        warnings.append(
            f"ControlNet was requested ({len(requested)} unit(s)) but {len(ran)} ran: the pose was not kept. "
            "Check the webui console (model missing or for another SD version, unit not enabled, no image)."
        )
    ad_args = (scripts.get("adetailer") or {}).get("args") or []
    if ad_args and ad_args[0] is not False and "ADetailer model" not in extra:
        warnings.append(
            "ADetailer was requested but did not run: the face was not refined. "
            "Check the ADetailer model name and arguments in the webui console."
        )
    return warnings


def openpose_model(caps: Capabilities, checkpoint: str | None = None) -> str | None:
    """The server's openpose ControlNet model for the checkpoint's family (sd15/sdxl); None if none fits."""
    models = [m for m in caps.controlnet_models if "openpose" in m.lower()]
    if not models:
        return None
    family = model_family(checkpoint or caps.current_checkpoint or "")
    if family is None:
        return sorted(models, key=lambda m: (model_family(m) != "sd15", m))[0]
    # A model of the other family cannot run with this checkpoint: ControlNet would be skipped silently.
    fitting = sorted(m for m in models if model_family(m) == family) + sorted(
        m for m in models if model_family(m) is None)
    return fitting[0] if fitting else None


def model_family(name: str) -> str | None:
    """"sdxl" or "sd15" from a checkpoint or ControlNet model name; None when it does not say."""
    low = name.lower()
    if re.search(r"sdxl|sd_xl|(?<![a-z])xl(?![a-z])|xl[_\-\s.\[]|[a-z]xl\b|pony", low):
        return "sdxl"
    if re.search(r"sd15|sd_15|sd-?1\.?5|v1-5|v1\.5|v11[pfe]_sd15|control_v11p|control_sd15", low):
        return "sd15"
    return None
