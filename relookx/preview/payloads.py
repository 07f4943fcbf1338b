"""Request bodies for the two preview modes: inpaint the user's photo, or a new look posed like it."""

from __future__ import annotations

from typing import Any

from PIL import Image

from relookx.preview.prompts import build_prompts
from relookx.preview.types import PreviewRequest
from relookx.preview.wire import encode_image

MAX_SIDE = 768  # long side of the generated image: SD1.5 and SDXL both handle it on a modest GPU
POSE_MODULE = "openpose_full"


def target_size(size: tuple[int, int], *, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """The photo's size capped to `max_side` on its long side and rounded to multiples of 8."""
    w, h = size
    scale = min(1.0, max_side / max(w, h))
    return max(64, round(w * scale / 8) * 8), max(64, round(h * scale / 8) * 8)


def controlnet_unit(model: str, *, image: Image.Image | None = None) -> dict[str, Any]:
    """An openpose ControlNet unit: string enums and `enabled: True`, or the webui skips it silently."""
    unit: dict[str, Any] = {
        "enabled": True, "module": POSE_MODULE, "model": model, "weight": 1.0, "resize_mode": "Crop and Resize",
        "control_mode": "Balanced", "pixel_perfect": True, "processor_res": 512, "guidance_start": 0.0,
        "guidance_end": 1.0, "save_detected_map": False,
    }
    if image is not None:  # img2img uses init_images[0] when the unit has no image
        unit["image"] = encode_image(image)
    return unit


def adetailer_args(model: str) -> list[Any]:
    """ADetailer's args: enable and skip_img2img first, then one dict per tab with only known keys."""
    return [True, False, {"ad_model": model, "ad_confidence": 0.3, "ad_denoising_strength": 0.4}]


def extension_notes(*, controlnet_model: str | None, adetailer_model: str | None) -> list[str]:
    """What the preview goes without because the webui lacks an extension or a model."""
    notes = []
    if not controlnet_model:
        notes.append("The webui has no ControlNet openpose model for this checkpoint: the pose is not enforced.")
    if not adetailer_model:
        notes.append("ADetailer is not installed on the webui: the face is not refined.")
    return notes


def _common(request: PreviewRequest, size: tuple[int, int], *, controlnet: dict[str, Any] | None,
            adetailer_model: str | None) -> dict[str, Any]:
    positive, negative = build_prompts(request)
    payload: dict[str, Any] = {
        "prompt": positive, "negative_prompt": negative, "seed": request.seed, "steps": request.steps,
        "cfg_scale": request.cfg_scale, "sampler_name": request.sampler, "width": size[0], "height": size[1],
        "batch_size": 1, "n_iter": 1, "send_images": True, "save_images": False,
    }
    if request.checkpoint:
        payload["override_settings"] = {"sd_model_checkpoint": request.checkpoint}
        payload["override_settings_restore_afterwards"] = True
    scripts: dict[str, Any] = {}
    if controlnet is not None:
        scripts["controlnet"] = {"args": [controlnet]}
    if adetailer_model:
        scripts["ADetailer"] = {"args": adetailer_args(adetailer_model)}
    if scripts:
        payload["alwayson_scripts"] = scripts
    return payload


def inpaint_payload(request: PreviewRequest, mask: Image.Image, *, controlnet_model: str | None,
                    adetailer_model: str | None) -> dict[str, Any]:
    """img2img body that repaints only the mask's white region of the user's photo."""
    size = target_size(request.photo.size)
    photo = request.photo.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    small_mask = mask.convert("L").resize(size, Image.Resampling.BILINEAR)
    unit = controlnet_unit(controlnet_model) if controlnet_model else None
    payload = _common(request, size, controlnet=unit, adetailer_model=adetailer_model)
    payload.update({
        "init_images": [encode_image(photo)], "mask": encode_image(small_mask),
        "denoising_strength": request.strength, "inpainting_fill": 1, "inpaint_full_res": False,
        "inpaint_full_res_padding": 32, "mask_blur": 8, "inpainting_mask_invert": 0, "resize_mode": 0,
    })
    return payload


def newlook_payload(request: PreviewRequest, *, controlnet_model: str | None,
                    adetailer_model: str | None) -> dict[str, Any]:
    """txt2img body for the whole new outfit, posed like the photo by ControlNet openpose."""
    size = target_size(request.photo.size)
    photo = request.photo.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    unit = controlnet_unit(controlnet_model, image=photo) if controlnet_model else None
    return _common(request, size, controlnet=unit, adetailer_model=adetailer_model)
