"""The webui client against the strict local SD webui: discovery, pose, payloads, silent skips, errors."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image

from relookx.fashion.pieces import OutfitItem, Piece
from relookx.preview.client import WebuiClient
from relookx.preview.masks import build_mask
from relookx.preview.payloads import (
    adetailer_args,
    controlnet_unit,
    extension_notes,
    inpaint_payload,
    newlook_payload,
    target_size,
)
from relookx.preview.pose import pose_from_detect
from relookx.preview.types import PreviewRequest
from relookx.preview.wire import Capabilities, PreviewError, model_family, openpose_model, parse_info, sniff_format
from tests.imagegen import make_outfit_photo
from tests.sd_server import CHECKPOINTS, SDServer
from tests.services import free_port

GREEN_SHIRT = Piece(name="linen shirt", category="top", color_name="green", color_hex="#2e8b57")
Factory = Callable[..., SDServer]


def client(server: SDServer, **kwargs: Any) -> WebuiClient:
    return WebuiClient(server.url, **{"timeout_s": 10.0, **kwargs})


def photo_request(**kwargs: Any) -> PreviewRequest:
    garments = [OutfitItem(name="sweater", category="top", color_name="red", color_hex="#c0392b"),
                OutfitItem(name="trousers", category="bottom", color_name="navy", color_hex="#1f3a93")]
    return PreviewRequest(photo=make_outfit_photo(), piece=GREEN_SHIRT, garments=garments, steps=4, seed=7,
                          **kwargs)


def inpaint(c: WebuiClient, request: PreviewRequest) -> dict[str, Any]:
    caps = c.discover()
    pose = c.detect_pose(request.photo)
    mask, _ = build_mask(pose, request.piece.category, request.photo.size, piece_name=request.piece.name)
    return inpaint_payload(request, mask, controlnet_model=c.openpose_model(caps),
                           adetailer_model=(caps.adetailer_models or [None])[0])


def test_health_and_discovery_with_extensions(sd_server: SDServer) -> None:
    c = client(sd_server)
    assert c.health()["state"]["job_count"] == 0
    caps = c.discover()
    assert caps.checkpoints == CHECKPOINTS and caps.current_checkpoint == CHECKPOINTS[0]
    assert "DPM++ 2M" in caps.samplers
    assert caps.controlnet_version == 3 and caps.has_controlnet and caps.has_adetailer
    assert "openpose_full" in caps.controlnet_modules and "face_yolov8n.pt" in (caps.adetailer_models or [])
    assert c.openpose_model(caps) == "control_v11p_sd15_openpose [cab727d4]"
    assert c.openpose_model(caps, CHECKPOINTS[1]) == "thibaud_xl_openpose [c7b9cadd]"
    assert sd_server.requests[0].path == "/sdapi/v1/progress"


def test_discovery_without_extensions_gives_none(sd_server_factory: Factory) -> None:
    caps = client(sd_server_factory(controlnet=False, adetailer=False)).discover()
    assert caps.controlnet_version is None and caps.controlnet_models == [] and caps.adetailer_models is None
    assert openpose_model(caps) is None
    assert len(extension_notes(controlnet_model=None, adetailer_model=None)) == 2


def test_openpose_model_never_picks_the_other_family() -> None:
    caps = Capabilities(checkpoints=[], current_checkpoint="juggernautXL_v9.safetensors [abc]", samplers=[],
                        controlnet_version=3, controlnet_models=["control_v11p_sd15_openpose [cab727d4]"])
    assert openpose_model(caps) is None  # an SD1.5 model with an SDXL checkpoint would be skipped silently
    caps.controlnet_models.append("openpose_custom [1234]")
    assert openpose_model(caps) == "openpose_custom [1234]"
    assert model_family("v1-5-pruned-emaonly.safetensors [6ce0161689]") == "sd15"
    assert model_family("sd_xl_base_1.0.safetensors") == "sdxl" and model_family("mystery") is None


def test_pose_conversion_undoes_the_padded_canvas() -> None:
    # 600x800 at 512: resized 512x683, padded to a 512x704 canvas; the point (300, 400) of the photo.
    s = 512 / 600
    frac = [300 * s / 512, 400 * s / 704, 0.9] + [0.0, 0.0, 0.0] * 17
    pose = pose_from_detect({"people": [{"pose_keypoints_2d": frac}], "canvas_width": 512, "canvas_height": 704},
                            (600, 800), module="openpose_full", processor_res=512)
    assert pose is not None and list(pose.keypoints) == ["nose"]  # confidence 0: not found
    assert pose.point("nose") == pytest.approx((300, 400))
    px = [300 * s, 400 * s, 0.9]
    pose = pose_from_detect({"people": [{"pose_keypoints_2d": px}], "canvas_width": 512, "canvas_height": 704},
                            (600, 800), module="dw_openpose_full", processor_res=512)
    assert pose is not None and pose.point("nose") == pytest.approx((300, 400))


@pytest.mark.parametrize(("size", "module", "res"), [
    ((600, 900), "openpose_full", 512), ((601, 803), "openpose_full", 512), ((900, 700), "openpose", 384),
    ((601, 803), "dw_openpose_full", 512), ((500, 900), "dw_openpose_full", -1), ((1200, 1800), "openpose_full", 512),
])
def test_detect_pose_lands_on_the_person(sd_server: SDServer, size: tuple[int, int], module: str,
                                         res: int) -> None:
    photo = make_outfit_photo(size=size)
    pose = client(sd_server).detect_pose(photo, module=module, processor_res=res)
    assert pose is not None and (pose.width, pose.height) == size and len(pose.keypoints) == 18
    w, h = size
    u = 0.84 * h / 8
    s, cx, top = min(u, 0.9 * w / 3.2), w / 2, 0.08 * h
    tol = 0.02 * h
    for side, sign in (("right", -1), ("left", 1)):
        shoulder, hip = pose.point(f"{side}_shoulder"), pose.point(f"{side}_hip")
        assert shoulder == pytest.approx((cx + sign * 0.75 * s, top + 1.4 * u), abs=tol)
        assert hip == pytest.approx((cx + sign * 0.29 * s, top + 4.1 * u), abs=tol)
    exact = np.asarray(make_outfit_photo(size=size, noise=0))
    for name, color in (("right_shoulder", (0xC0, 0x39, 0x2B)), ("left_hip", (0x1F, 0x3A, 0x93))):
        x, y = pose.point(name) or (0, 0)
        assert tuple(exact[round(y), round(x)]) == color  # on the top's sleeve, on the trousers


def test_detect_pose_without_a_person_and_with_a_bad_module(sd_server: SDServer) -> None:
    c = client(sd_server)
    assert c.detect_pose(Image.new("RGB", (300, 400), "white")) is None
    with pytest.raises(PreviewError, match="Module not available"):
        c.detect_pose(make_outfit_photo(), module="openpose_v9")
    sd_server.people = []  # a configured answer: nobody found
    assert c.detect_pose(make_outfit_photo()) is None
    sd_server.people = [[100.0, 50.0, 0.8] + [0.0, 0.0, 0.0] * 17]
    pose = c.detect_pose(make_outfit_photo(size=(400, 700)))
    assert pose is not None and pose.keypoints == {"nose": pytest.approx((100.0, 50.0, 0.8))}


def test_inpaint_payload_passes_the_strict_server(sd_server: SDServer) -> None:
    c = client(sd_server)
    payload = inpaint(c, photo_request())
    unit = payload["alwayson_scripts"]["controlnet"]["args"][0]
    assert unit["enabled"] is True and unit["resize_mode"] == "Crop and Resize" and "image" not in unit
    assert payload["alwayson_scripts"]["ADetailer"]["args"][:2] == [True, False]
    assert (payload["width"], payload["height"]) == (512, 768) and payload["inpainting_fill"] == 1
    result = c.img2img(payload)
    assert result.warnings == [] and len(result.images) == 1 and result.format == "png"
    assert result.info["extra_generation_params"]["ControlNet 0"].startswith("Module: openpose_full, Model: control")
    assert result.info["extra_generation_params"]["ADetailer model"] == "face_yolov8n.pt" and result.seed == 7
    gen = sd_server.generations[-1]
    assert gen.controlnet and gen.adetailer == ["face_yolov8n.pt"] and gen.notes == []
    out = np.asarray(Image.open(io.BytesIO(result.image)).convert("RGB")).astype(int)
    assert out[300, 256, 1] > 120 and out[300, 256, 0] < 80  # the torso became green
    assert tuple(out[600, 230]) == pytest.approx((0x1F, 0x3A, 0x93), abs=25)  # the trousers were kept


def test_newlook_payload_passes_the_strict_server(sd_server: SDServer) -> None:
    c = client(sd_server)
    caps = c.discover()
    request = photo_request(mode="newlook", profile={"gender": "female"}, checkpoint=CHECKPOINTS[1])
    payload = newlook_payload(request, controlnet_model=c.openpose_model(caps, request.checkpoint),
                              adetailer_model="face_yolov8n.pt")
    assert payload["alwayson_scripts"]["controlnet"]["args"][0]["image"]
    assert payload["override_settings"] == {"sd_model_checkpoint": CHECKPOINTS[1]}
    assert "woman wearing" in payload["prompt"]
    result = c.txt2img(payload)
    assert result.warnings == [] and result.info["sd_model_name"] == "sd_xl_base_1"
    assert "thibaud_xl_openpose" in result.info["extra_generation_params"]["ControlNet 0"]


def test_detected_maps_are_not_taken_as_results(sd_server: SDServer) -> None:
    c = client(sd_server)
    payload = inpaint(c, photo_request())
    payload["alwayson_scripts"]["controlnet"]["args"][0]["save_detected_map"] = True
    body_images = 2  # the result and the unit's detected map
    result = c.img2img(payload)
    assert len(result.images) == 1 < body_images and result.warnings == []


@pytest.mark.parametrize("breakage", ["server_skips", "not_enabled", "input_image", "model_missing"])
def test_controlnet_silently_skipped_gives_a_warning(sd_server: SDServer, breakage: str) -> None:
    c = client(sd_server)
    request = photo_request(mode="newlook")
    payload = newlook_payload(request, controlnet_model="control_v11p_sd15_openpose", adetailer_model=None)
    unit = payload["alwayson_scripts"]["controlnet"]["args"][0]
    if breakage == "server_skips":
        sd_server.skip_controlnet = True
    elif breakage == "not_enabled":
        del unit["enabled"]
    elif breakage == "input_image":
        unit["input_image"] = unit.pop("image")
    else:
        unit["model"] = "control_v11p_sd15_openpose_missing"
    result = c.txt2img(payload)
    assert len(result.warnings) == 1 and result.warnings[0].startswith("ControlNet was requested")
    assert sd_server.generations[-1].controlnet == [] and sd_server.generations[-1].notes


@pytest.mark.parametrize("args", [
    [True, False, {"ad_model": "face_yolov8n.pt", "ad_enable": True}],  # an unknown key voids the dict
    [True, False, {"ad_model": "face_yolov9_imaginary.pt"}],
])
def test_adetailer_silently_skipped_gives_a_warning(sd_server: SDServer, args: list[Any]) -> None:
    c = client(sd_server)
    payload = inpaint(c, photo_request())
    payload["alwayson_scripts"]["ADetailer"]["args"] = args
    result = c.img2img(payload)
    assert [w[:26] for w in result.warnings] == ["ADetailer was requested bu"]


def test_server_side_adetailer_skip_and_server_without_controlnet(sd_server_factory: Factory) -> None:
    server = sd_server_factory(controlnet=False)
    server.skip_adetailer = True
    c = client(server)
    caps = c.discover()
    request = photo_request(mode="newlook")
    payload = newlook_payload(request, controlnet_model=c.openpose_model(caps), adetailer_model="face_yolov8n.pt")
    assert "controlnet" not in payload["alwayson_scripts"]
    result = c.txt2img(payload)
    assert len(result.warnings) == 1 and "ADetailer" in result.warnings[0]
    payload["alwayson_scripts"]["controlnet"] = {"args": [controlnet_unit("control_v11p_sd15_openpose")]}
    with pytest.raises(PreviewError, match=r"\(422\): Script 'controlnet' not found"):
        c.txt2img(payload)


def test_integer_enum_is_a_500_with_a_clear_message(sd_server: SDServer) -> None:
    c = client(sd_server)
    payload = newlook_payload(photo_request(mode="newlook"), controlnet_model="control_v11p_sd15_openpose",
                              adetailer_model=None)
    payload["alwayson_scripts"]["controlnet"]["args"][0]["resize_mode"] = 1
    with pytest.raises(PreviewError, match=r"\(500 ValueError\): 1 is not a valid resize_mode") as err:
        c.txt2img(payload)
    assert err.value.status == 500


def test_error_bodies_become_clear_messages(sd_server: SDServer) -> None:
    c = client(sd_server)
    with pytest.raises(PreviewError, match=r"rejected the request \(422\): field steps: value is not a valid integer"):
        c.txt2img({"prompt": "x", "steps": "many"})
    with pytest.raises(PreviewError, match=r"img2img \(404\): Init image not found"):
        c.img2img({"prompt": "x", "steps": 2})
    with pytest.raises(PreviewError, match="Sampler not found"):
        c.txt2img({"prompt": "x", "steps": 2, "sampler_name": "Nope"})
    sd_server.controlnet = False
    with pytest.raises(PreviewError, match=r"no endpoint /controlnet/detect \(404\): start it with --api"):
        c.detect_pose(make_outfit_photo())


def test_auth_only_on_sdapi(sd_server_factory: Factory) -> None:
    server = sd_server_factory(auth=("ann", "s3cret"))
    with pytest.raises(PreviewError, match="refused the login.*RELOOKX_SD_AUTH") as err:
        client(server).health()
    assert err.value.status == 401
    assert client(server).detect_pose(make_outfit_photo()) is not None  # /controlnet has no auth
    caps = client(server, auth=("ann", "s3cret")).discover()
    assert caps.has_controlnet and server.requests[-1].headers["authorization"].startswith("Basic ")


def test_connection_refused_and_timeout(sd_server_factory: Factory) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(PreviewError, match=f"Cannot reach the webui at {url}"):
        WebuiClient(url, timeout_s=2).health()
    server = sd_server_factory(delay_s=3.0)
    started = time.monotonic()
    with pytest.raises(PreviewError, match=r"did not answer /sdapi/v1/txt2img within 0.5 s \(it may be loading"):
        client(server, timeout_s=0.5).txt2img({"prompt": "x", "steps": 10})
    assert time.monotonic() - started < 2


def test_progress_while_generating_then_interrupt(sd_server_factory: Factory) -> None:
    server = sd_server_factory(delay_s=4.0)
    c = client(server)
    assert not c.progress().busy
    out: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: out.setdefault("r", c.txt2img({"prompt": "red", "steps": 40})))
    started = time.monotonic()
    worker.start()
    deadline = time.monotonic() + 3
    while (p := c.progress()).step < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.busy and p.steps == 40 and 0 < p.fraction < 1 and p.eta_s > 0
    assert p.image is not None and sniff_format(p.image) == "png"
    assert c.progress(skip_current_image=True).image is None
    c.interrupt()
    worker.join(timeout=3)
    assert not worker.is_alive() and time.monotonic() - started < 3
    assert out["r"].images and server.generations[-1].interrupted
    assert not c.progress().busy


@pytest.mark.parametrize(("samples_format", "expected"), [("webp", "webp"), ("jpg", "jpeg"), ("png", "png")])
def test_output_format_is_sniffed(sd_server_factory: Factory, samples_format: str, expected: str) -> None:
    server = sd_server_factory(samples_format=samples_format)
    result = client(server).txt2img({"prompt": "blue", "steps": 2, "width": 64, "height": 96})
    assert result.format == expected
    assert Image.open(io.BytesIO(result.image)).size == (64, 96)


def test_helpers() -> None:
    with pytest.raises(PreviewError, match="unknown format"):
        sniff_format(b"GIF89a....")
    assert parse_info('{"seed": 3}') == {"seed": 3} and parse_info('"{\\"seed\\": 4}"') == {"seed": 4}
    assert parse_info(None) == {} and parse_info("not json") == {"text": "not json"}
    assert target_size((4000, 3000)) == (768, 576) and target_size((601, 803)) == (576, 768)
    assert adetailer_args("face_yolov8n.pt")[:2] == [True, False]
