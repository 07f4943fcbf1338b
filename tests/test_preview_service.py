"""The preview service end to end against the strict local webui: both modes, warnings, progress, cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PIL import Image
from sqlalchemy.engine import Engine

from relookx import history
from relookx.config import Settings
from relookx.db import session_scope
from relookx.fashion.pieces import Piece
from relookx.photos import add_upload, storage_for
from relookx.preview import service
from relookx.preview.client import WebuiClient
from relookx.preview.types import PreviewRequest
from tests.imagegen import make_outfit_photo, to_bytes
from tests.sd_server import SDServer

PIECE = Piece(name="Camel wool overcoat", category="outerwear", color_name="camel", color_hex="#c19a6b", price=140)


def request(mode: str = "photo", **kw: object) -> PreviewRequest:
    return PreviewRequest(photo=make_outfit_photo(size=(400, 600)), piece=PIECE, mode=mode, steps=6, **kw)


def test_photo_mode_inpaints_with_controlnet_and_adetailer(sd_server: SDServer) -> None:
    fractions: list[float] = []
    result = service.generate(request(), WebuiClient(sd_server.url, timeout_s=30),
                              on_progress=lambda f, _text: fractions.append(f))
    assert result.backend == "sd-webui" and result.mode == "photo" and result.warnings == []
    assert Image.open(__import__("io").BytesIO(result.image)).format.lower() == result.format
    [gen] = sd_server.generations
    assert gen.path == "/sdapi/v1/img2img" and gen.controlnet and gen.adetailer
    assert sd_server.posts("/controlnet/detect")
    assert result.params["controlnet_model"] and result.params["adetailer_model"]
    assert "camel" in result.params["prompt"].lower()


def test_newlook_mode_generates_a_new_image(sd_server: SDServer) -> None:
    result = service.generate(request("newlook"), WebuiClient(sd_server.url, timeout_s=30))
    [gen] = sd_server.generations
    assert gen.path == "/sdapi/v1/txt2img" and gen.controlnet and result.warnings == []


def test_silent_skips_and_missing_extensions_are_reported(sd_server_factory: Callable[..., SDServer]) -> None:
    skipping = sd_server_factory()
    skipping.skip_controlnet = True
    result = service.generate(request(), WebuiClient(skipping.url, timeout_s=30))
    assert any("ControlNet" in w for w in result.warnings)
    bare = sd_server_factory(controlnet=False, adetailer=False)
    result = service.generate(request(), WebuiClient(bare.url, timeout_s=30))
    text = " ".join(result.warnings)
    assert "openpose ControlNet" in text and "ADetailer" in text


def test_progress_is_reported_and_cancel_interrupts(sd_server_factory: Callable[..., SDServer]) -> None:
    slow = sd_server_factory(delay_s=3.0)
    cancel = threading.Event()
    seen: list[float] = []

    def progress(fraction: float, _text: str) -> None:
        seen.append(fraction)
        if fraction > 0:
            cancel.set()

    result = service.generate(request(), WebuiClient(slow.url, timeout_s=30), on_progress=progress, cancel=cancel)
    assert any(f > 0 for f in seen)
    assert any("Cancelled" in w for w in result.warnings) and slow.generations[0].interrupted


def test_mockup_without_a_webui_and_saving(engine: Engine, settings: Settings, alice: int) -> None:
    storage = storage_for(settings)
    add_upload(engine, storage, settings, user_id=alice, data=to_bytes(make_outfit_photo()), filename="a.jpg")
    req = service.request_for(engine, storage, user_id=alice, photo_number=1, piece=PIECE)
    result = service.generate(req, None)
    assert result.backend == "mockup" and result.format == "png"
    saved = service.save(engine, storage, user_id=alice, photo_number=1, result=result, piece=PIECE)
    with session_scope(engine) as s:
        [listed] = history.list_previews(s, user_id=alice)
    assert listed.id == saved.id and storage.preview_path(saved.image_key, "png").read_bytes() == result.image


def test_piece_from_text() -> None:
    piece = service.piece_from_text("red beanie")
    assert (piece.name, piece.category, piece.color_name) == ("Red beanie", "headwear", "red")
    assert service.piece_from_text("camel wool coat").category == "outerwear"
