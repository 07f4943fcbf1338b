"""Generate a preview: the SD webui (directly or through the SSH tunnel) when configured, else a mock-up.

In "photo" mode the webui detects the pose, a mask covers the piece's body region, and only that region
of the user's own photo is inpainted (img2img + ControlNet openpose + ADetailer on the face). In
"newlook" mode a new image is generated from a prompt, posed like the photo by ControlNet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy.engine import Engine

from relookx import history, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.fashion.colors import hex_to_name
from relookx.fashion.pieces import Piece, piece_of, to_item
from relookx.models import Preview
from relookx.preview.client import WebuiClient
from relookx.preview.masks import build_mask
from relookx.preview.mockup import make_mockup
from relookx.preview.payloads import inpaint_payload, newlook_payload
from relookx.preview.types import MODES, PreviewRequest, PreviewResult
from relookx.preview.wire import GenerationResult
from relookx.storage import ObjectRef, Storage, refs
from relookx.storage.base import sha256

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
POLL_S = 0.5


def webui_client(settings: Settings) -> WebuiClient | None:
    """A client of the configured webui (through the shared SSH tunnel when RELOOKX_SSH_HOST is set)."""
    if not settings.preview_configured:
        return None
    from relookx.preview.tunnel import webui_url

    url = webui_url(settings)
    if not url:
        return None
    auth = tuple(settings.sd_auth.split(":", 1)) if settings.sd_auth and ":" in settings.sd_auth else None
    return WebuiClient(url, timeout_s=settings.sd_timeout_s, auth=auth)  # type: ignore[arg-type]


def piece_from_text(text: str) -> Piece:
    """A piece typed by the user ("red beanie"): its color and category read from the words."""
    from relookx.fashion.pieces import piece_from_text as read_piece

    words = text.strip()
    if not words:
        raise RelookXError("Type the piece to preview, for example 'red beanie'.")
    piece = read_piece(words)
    hex_ = piece.color_hex or "#808080"  # a color must be drawn: neutral grey when none is named
    return Piece(name=words[:1].upper() + words[1:], category=piece.category or "other",
                 color_name=piece.color_name or hex_to_name(hex_), color_hex=hex_)


def _run_with_progress(client: WebuiClient, call: Callable[[], GenerationResult], on_progress: Progress | None,
                       cancel: threading.Event | None) -> tuple[GenerationResult, bool]:
    """Run a generation in a thread while polling the webui's progress; interrupt it on cancel.

    Returns the result and whether it was interrupted. Progress is asked without the current image:
    the webui is shared, and its in-progress image is never downloaded.
    """
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = call()
        except BaseException as exc:  # handed back to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="relookx-preview", daemon=True)
    worker.start()
    interrupted = False
    while worker.is_alive():
        worker.join(POLL_S)
        if cancel is not None and cancel.is_set() and not interrupted:
            client.interrupt()
            interrupted = True
        if worker.is_alive():
            try:
                p = client.progress(skip_current_image=True)
            except RelookXError:
                continue
            interrupted = interrupted or p.interrupted  # also when stopped from outside RelookX
            if on_progress is not None:
                on_progress(p.fraction, f"step {p.step} of {p.steps}" if p.steps else "waiting for the webui")
    if "error" in outcome:
        raise outcome["error"]
    result: GenerationResult = outcome["result"]
    if interrupted:
        result.warnings.append("Cancelled: the webui stopped early, the image is unfinished and was not kept.")
    return result, interrupted


def generate(
    request: PreviewRequest, client: WebuiClient | None, *, on_progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> PreviewResult:
    """A preview by the webui, or an offline mock-up when `client` is None."""
    if request.mode not in MODES:
        raise RelookXError(f"Unknown preview mode '{request.mode}': use one of {', '.join(MODES)}.")
    started = time.perf_counter()
    size = request.photo.size
    if client is None:
        mask, _notes = build_mask(None, request.piece.category, size, piece_name=request.piece.name)
        result = make_mockup(request, mask=mask)
        result.seconds = time.perf_counter() - started
        return result
    caps = client.discover()
    cn_model = client.openpose_model(caps, request.checkpoint)
    ad_model = next((m for m in (caps.adetailer_models or []) if "face" in m), None)
    notes: list[str] = []
    if cn_model is None:
        notes.append("The webui has no openpose ControlNet model: the pose is not kept.")
    if ad_model is None:
        notes.append("ADetailer is not installed on the webui: the face is not refined.")
    if request.mode == "photo":
        if on_progress:
            on_progress(0.0, "detecting the pose")
        pose = client.detect_pose(request.photo) if caps.controlnet_version is not None else None
        mask, mask_notes = build_mask(pose, request.piece.category, size, piece_name=request.piece.name)
        notes.extend(mask_notes)
        payload = inpaint_payload(request, mask, controlnet_model=cn_model, adetailer_model=ad_model)
        gen, interrupted = _run_with_progress(client, lambda: client.img2img(payload), on_progress, cancel)
    else:
        payload = newlook_payload(request, controlnet_model=cn_model, adetailer_model=ad_model)
        gen, interrupted = _run_with_progress(client, lambda: client.txt2img(payload), on_progress, cancel)
    params: dict[str, Any] = {k: payload.get(k) for k in ("prompt", "negative_prompt", "steps", "seed", "cfg_scale",
                                          "sampler_name", "denoising_strength", "width", "height")
              if k in payload}
    params["controlnet_model"], params["adetailer_model"] = cn_model, ad_model
    params["checkpoint"], params["seed_used"] = request.checkpoint or caps.current_checkpoint, gen.seed
    return PreviewResult(image=gen.images[0], format=gen.format, backend="sd-webui", mode=request.mode,
                         params=params, warnings=notes + gen.warnings, seconds=time.perf_counter() - started,
                         interrupted=interrupted)


def request_for(
    engine: Engine, storage: Storage, *, user_id: int, photo_number: int, piece: Piece, **options: Any
) -> PreviewRequest:
    """Build a preview request from the user's photo, its garments and profile."""
    with session_scope(engine) as session:
        photo = store.get_photo(session, user_id=user_id, number=photo_number)
        garments = store.list_garments(session, user_id=user_id, photo_id=photo.id)
        profile = store.get_profile(session, user_id=user_id).model_dump(exclude={"user_id", "updated_at"})
    image = storage.open_image(photo.content_hash)
    return PreviewRequest(photo=image, piece=piece, garments=[to_item(g) for g in garments], profile=profile,
                          **options)


def save(
    engine: Engine, storage: Storage, *, user_id: int, photo_number: int, result: PreviewResult,
    piece: Piece, recommendation_id: int | None = None,
) -> Preview:
    """Store the image and its parameters in the user's preview gallery (never an interrupted one)."""
    if result.interrupted:
        raise RelookXError("The preview was stopped before the end: its unfinished image is not kept.")
    ref = ObjectRef("preview", sha256(result.image), result.format)
    # The image is stored before its row, under its object lock (relookx.storage.refs).
    with refs.storing(engine, storage, [(ref, result.image)]) as session:
        photo = store.get_photo(session, user_id=user_id, number=photo_number)
        preview = Preview(
            user_id=user_id, photo_id=photo.id, photo_number=photo_number, recommendation_id=recommendation_id,
            piece=asdict(piece), mode=result.mode, backend=result.backend, image_key=ref.key,
            image_format=result.format, params=result.params, warnings=result.warnings, seconds=result.seconds,
        )
        session.add(preview)
        session.flush()
        return preview


def latest_target(engine: Engine, *, user_id: int) -> tuple[int, Piece, int]:
    """The latest recommendation's photo number, piece and id ("show me a preview of the new outfit")."""
    with session_scope(engine) as session:
        rec = history.latest_recommendation(session, user_id=user_id)
        numbers = store.photo_numbers(session, user_id=user_id)
    if rec is None:
        raise RelookXError("There is no recommendation to preview yet: ask me for a piece first.")
    number = rec.photo_number if rec.photo_number in numbers else (numbers[-1] if numbers else None)
    if number is None:
        raise RelookXError("A preview needs one of your photos: upload one on the Images page first.")
    return number, piece_of(rec), rec.id or 0
