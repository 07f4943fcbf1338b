"""A local server that answers like the AUTOMATIC1111 SD webui with ControlNet and ADetailer, as strictly.

It follows /work/shared/reference/sd-webui.md: body validation gives 422 with pydantic's detail list, a
ControlNet enum sent as an integer gives 500 with the catch-all body, and the silent failures of the real
extensions are silent here too (200 without "ControlNet 0" / "ADetailer model" in `info`): a unit without
`enabled: true`, `input_image` instead of `image` in txt2img, an unknown ControlNet model, ADetailer dicts
with unknown keys or an unknown `ad_model`. `/controlnet/detect` finds the synthetic person of
tests/imagegen.py and answers its keypoints in canvas fractions (pixels for dw_openpose_full).

Configure by attributes (`controlnet`, `adetailer`, `auth`, `samples_format`, `delay_s`, `skip_controlnet`,
`skip_adetailer`, `people`); every request is recorded in `requests`, what really ran in `generations`.
Used as a pytest plugin (`pytest_plugins = ["tests.sd_server"]`): fixtures `sd_server`, `sd_server_factory`.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, UnidentifiedImageError

CHECKPOINTS = ["v1-5-pruned-emaonly.safetensors [6ce0161689]", "sd_xl_base_1.0.safetensors [31e35c80fc]"]
SAMPLERS = ["DPM++ 2M", "DPM++ SDE", "Euler a", "Euler", "DDIM", "UniPC"]
CN_MODELS = ["control_v11p_sd15_openpose [cab727d4]", "control_v11p_sd15_canny [d14c016b]",
             "thibaud_xl_openpose [c7b9cadd]"]
CN_MODULES = ["none", "canny", "depth", "openpose", "openpose_face", "openpose_faceonly", "openpose_full",
              "openpose_hand", "dw_openpose_full", "densepose", "inpaint_only"]
AD_MODELS = ["face_yolov8n.pt", "face_yolov8s.pt", "hand_yolov8n.pt", "person_yolov8n-seg.pt",
             "mediapipe_face_full", "mediapipe_face_short", "mediapipe_face_mesh"]
AD_KEYS = frozenset(
    "ad_model ad_model_classes ad_tab_enable ad_prompt ad_negative_prompt ad_confidence ad_mask_filter_method "
    "ad_mask_k ad_mask_min_ratio ad_mask_max_ratio ad_dilate_erode ad_x_offset ad_y_offset ad_mask_merge_invert "
    "ad_mask_blur ad_denoising_strength ad_inpaint_only_masked ad_inpaint_only_masked_padding "
    "ad_use_inpaint_width_height ad_inpaint_width ad_inpaint_height ad_use_steps ad_steps ad_use_cfg_scale "
    "ad_cfg_scale ad_use_checkpoint ad_checkpoint ad_use_vae ad_vae ad_use_sampler ad_sampler ad_scheduler "
    "ad_use_noise_multiplier ad_noise_multiplier ad_use_clip_skip ad_clip_skip ad_restore_face "
    "ad_controlnet_model ad_controlnet_module ad_controlnet_weight ad_controlnet_guidance_start "
    "ad_controlnet_guidance_end is_api".split())
RESIZE_MODES = ("Just Resize", "Crop and Resize", "Resize and Fill")
CONTROL_MODES = ("Balanced", "My prompt is more important", "ControlNet is more important")
INTS = frozenset({"seed", "subseed", "steps", "width", "height", "batch_size", "n_iter", "inpainting_fill",
                  "inpaint_full_res_padding", "mask_blur", "resize_mode", "inpainting_mask_invert"})
FLOATS = frozenset({"cfg_scale", "denoising_strength", "subseed_strength"})
STRS = frozenset({"prompt", "negative_prompt", "sampler_name", "scheduler", "mask"})
BOOLS = frozenset({"send_images", "save_images", "inpaint_full_res", "override_settings_restore_afterwards",
                   "restore_faces", "tiling"})
DICTS = frozenset({"override_settings", "alwayson_scripts"})
LISTS = frozenset({"init_images", "styles"})
COLORS = {"red": (200, 30, 40), "blue": (30, 60, 200), "navy": (20, 30, 90), "green": (30, 150, 60),
          "yellow": (240, 210, 40), "orange": (240, 130, 30), "pink": (240, 130, 170), "purple": (120, 50, 150),
          "black": (15, 15, 15), "white": (245, 245, 245), "grey": (128, 128, 128), "gray": (128, 128, 128),
          "brown": (120, 70, 30), "beige": (220, 200, 160), "burgundy": (110, 20, 40), "teal": (20, 128, 128)}
LIMBS = ((1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13),
         (1, 0), (0, 14), (0, 15), (14, 16), (15, 17))


class ApiError(Exception):
    """An error answered with a status and a body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def catch_all(status: int, error: str, detail: str = "", message: str = "") -> ApiError:
    """The webui's catch-all error body (HTTPException and every other exception)."""
    errors = message or (f"{status}: {detail}" if error == "HTTPException" else detail)
    return ApiError(status, {"error": error, "detail": detail, "body": "", "errors": errors})


def invalid(field_name: str, msg: str, kind: str) -> ApiError:
    """A pydantic body validation error (422)."""
    return ApiError(422, {"detail": [{"loc": ["body", field_name], "msg": msg, "type": kind}]})


@dataclass
class RecordedRequest:
    """What the server received."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any


@dataclass
class Generation:
    """What a txt2img/img2img call really ran, and why anything was skipped."""

    path: str
    controlnet: list[str] = field(default_factory=list)  # the "ControlNet i" values that applied
    adetailer: list[str] = field(default_factory=list)  # the ADetailer models that applied
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False


def decode_image(text: Any, what: str = "image") -> Image.Image:
    """An image from raw or data-URL base64, or the webui's 500."""
    if not isinstance(text, str):
        raise catch_all(500, "HTTPException", "Invalid encoded image")
    if text.startswith("data:"):
        text = text.split(",", 1)[-1]
    try:
        img = Image.open(io.BytesIO(base64.b64decode(text, validate=True)))
        img.load()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError) as exc:
        raise catch_all(500, "HTTPException", "Invalid encoded image") from exc
    return img


def encode(img: Image.Image, fmt: str = "png") -> str:
    """Base64 without prefix, in the server's samples_format."""
    buf = io.BytesIO()
    pil_fmt = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
    img.convert("RGB").save(buf, pil_fmt, quality=90)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def synthetic_people(img: Image.Image) -> list[list[float]]:
    """Keypoints (photo pixels, BODY_18 flat) of the standing person of tests/imagegen.py, from its bbox."""
    arr = np.asarray(img.convert("RGB"), dtype=np.int16)
    h, w = arr.shape[:2]
    corners = np.array([arr[0, 0], arr[0, -1], arr[-1, 0], arr[-1, -1]])
    person = np.abs(arr - np.median(corners, axis=0)).max(axis=2) > 40
    if person.sum() < 0.005 * w * h:
        return []
    ys, xs = np.nonzero(person)
    x0, x1, y0, y1 = float(xs.min()), float(xs.max() + 1), float(ys.min()), float(ys.max() + 1)
    u, s, cx = (y1 - y0) / 8.05, (x1 - x0) / 1.76, (x0 + x1) / 2  # imagegen's head unit and width unit
    shoulder, waist, feet = y0 + 1.25 * u, y0 + 4.0 * u, y0 + 7.7 * u
    hip = waist + 0.1 * u
    right = [(-0.75 * s, shoulder + 0.15 * u), (-0.75 * s, shoulder + 1.4 * u), (-0.75 * s, waist + 0.3 * u)]
    leg = [(-0.29 * s, hip), (-0.29 * s, (hip + feet) / 2), (-0.29 * s, feet - 0.05 * u)]
    points = [(0.0, y0 + 0.6 * u), (0.0, shoulder), *right, *[(-dx, y) for dx, y in right], *leg,
              *[(-dx, y) for dx, y in leg], (-0.13 * s, y0 + 0.45 * u), (0.13 * s, y0 + 0.45 * u),
              (-0.34 * s, y0 + 0.5 * u), (0.34 * s, y0 + 0.5 * u)]
    flat: list[float] = []
    for dx, y in points:
        flat += [cx + dx, y, 0.9]
    return [flat]


def canvas_for(size: tuple[int, int], res: int) -> tuple[float, int, int, int, int]:
    """(scale, resized w, resized h, canvas w, canvas h): short side to `res`, padded to multiples of 64."""
    k = res / min(size)
    wt, ht = int(round(size[0] * k)), int(round(size[1] * k))
    return k, wt, ht, math.ceil(wt / 64) * 64, math.ceil(ht / 64) * 64


def draw_skeleton(img: Image.Image, flat: list[float], color: tuple[int, int, int], width: int) -> None:
    """Limbs between found keypoints (photo pixels) drawn on `img`."""
    d = ImageDraw.Draw(img)
    pts = [(flat[3 * i], flat[3 * i + 1]) if flat[3 * i + 2] > 0 else None for i in range(len(flat) // 3)]
    for a, b in LIMBS:
        if a < len(pts) and b < len(pts) and pts[a] and pts[b]:
            d.line([pts[a], pts[b]], fill=color, width=width)


class SDServer:
    """An SD-webui-compatible server on 127.0.0.1 (a free port), run in a background thread."""

    def __init__(self, *, controlnet: bool = True, adetailer: bool = True, auth: tuple[str, str] | None = None,
                 samples_format: str = "png", delay_s: float = 0.0) -> None:
        self.controlnet, self.adetailer, self.auth = controlnet, adetailer, auth
        self.delay_s = delay_s  # how long a generation takes, spread over its steps
        self.skip_controlnet = False  # silent failure: valid units, 200, no "ControlNet 0" in info
        self.skip_adetailer = False
        self.people: list[list[float]] | None = None  # detect answer (photo pixels); None: find the person
        self.checkpoints = list(CHECKPOINTS)
        self.controlnet_models = list(CN_MODELS)
        self.options: dict[str, Any] = {"sd_model_checkpoint": CHECKPOINTS[0], "samples_format": samples_format,
                                        "control_net_unit_count": 3, "CLIP_stop_at_last_layers": 1}
        self.requests: list[RecordedRequest] = []
        self.generations: list[Generation] = []
        self.state: dict[str, Any] = {"job_count": 0, "sampling_step": 0, "sampling_steps": 0,
                                      "interrupted": False, "started": 0.0}
        self._lock = threading.Lock()  # guards the lists and the state
        self._gpu = threading.Lock()  # one generation at a time, like the webui's queue lock
        self._interrupt = threading.Event()
        self.progress_polls: list[bool] = []  # skip_current_image of each GET /sdapi/v1/progress
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="sd-server", daemon=True)

    @property
    def url(self) -> str:
        """The webui's base URL."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SDServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a running generation is interrupted."""
        self._interrupt.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SDServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def posts(self, path: str) -> list[RecordedRequest]:
        """The recorded POST bodies to `path`."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path == path]

    # ---- routes -------------------------------------------------------------------------------------------
    def route(self, method: str, path: str, query: str, body: Any, headers: dict[str, str]) -> Any:
        """The JSON answer for a request, or raises ApiError."""
        if path.startswith("/sdapi/") and self.auth is not None:
            token = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            if headers.get("authorization") != f"Basic {token}":
                err = catch_all(401, "HTTPException", "Incorrect username or password")
                err.headers = {"WWW-Authenticate": "Basic"}
                raise err
        if path.startswith("/controlnet/") and not self.controlnet or path.startswith("/adetailer/") \
                and not self.adetailer:
            raise ApiError(404, {"detail": "Not Found"})
        routes: dict[tuple[str, str], Callable[[], Any]] = {
            ("GET", "/sdapi/v1/progress"): lambda: self.progress("skip_current_image=true" in query),
            ("POST", "/sdapi/v1/interrupt"): self.interrupt,
            ("GET", "/sdapi/v1/sd-models"): lambda: [
                {"title": t, "model_name": t.split(".")[0], "hash": t[-11:-1][:8], "sha256": None,
                 "filename": f"/models/Stable-diffusion/{t.split(' ')[0]}", "config": None} for t in self.checkpoints],
            ("GET", "/sdapi/v1/samplers"): lambda: [{"name": n, "aliases": [], "options": {}} for n in SAMPLERS],
            ("GET", "/sdapi/v1/schedulers"): lambda: [{"name": n, "label": n.title()} for n in ("automatic", "karras")],
            ("GET", "/sdapi/v1/options"): lambda: dict(self.options),
            ("POST", "/sdapi/v1/options"): lambda: self.set_options(body),
            ("POST", "/sdapi/v1/txt2img"): lambda: self.generate(path, body),
            ("POST", "/sdapi/v1/img2img"): lambda: self.generate(path, body),
            ("GET", "/controlnet/version"): lambda: {"version": 3},
            ("GET", "/controlnet/model_list"): lambda: {"model_list": list(self.controlnet_models)},
            ("GET", "/controlnet/module_list"): lambda: {"module_list": CN_MODULES, "module_detail": {}},
            ("POST", "/controlnet/detect"): lambda: self.detect(body),
            ("GET", "/adetailer/v1/version"): lambda: {"version": "25.3.0"},
            ("GET", "/adetailer/v1/ad_model"): lambda: {"ad_model": AD_MODELS},
        }
        handler = routes.get((method, path))
        if handler is None:
            raise ApiError(404, {"detail": "Not Found"})
        return handler()

    def progress(self, skip_image: bool) -> dict[str, Any]:
        """The global progress of the running job (`progress_polls` records whether each asked for the image)."""
        with self._lock:
            st = dict(self.state)
            self.progress_polls.append(skip_image)
        frac = st["sampling_step"] / st["sampling_steps"] if st["job_count"] and st["sampling_steps"] else 0.0
        elapsed = time.monotonic() - st["started"]
        eta = elapsed / frac - elapsed if frac > 0 else 0.0
        image = None
        if not skip_image and frac > 0:
            image = encode(Image.new("RGB", (64, 64), (int(255 * frac), 128, 128)))
        return {"progress": frac, "eta_relative": eta, "current_image": image, "textinfo": None,
                "state": {"skipped": False, "interrupted": st["interrupted"], "stopping_generation": False,
                          "job": "", "job_count": st["job_count"], "job_timestamp": "0", "job_no": 0,
                          "sampling_step": st["sampling_step"], "sampling_steps": st["sampling_steps"]}}

    def interrupt(self) -> dict[str, Any]:
        """Stop the running job at its next step."""
        with self._lock:
            if self.state["job_count"]:
                self.state["interrupted"] = True
                self._interrupt.set()
        return {}

    def set_options(self, body: Any) -> dict[str, Any]:
        """Change settings; an unknown checkpoint is a 500."""
        if not isinstance(body, dict):
            raise invalid("__root__", "value is not a valid dict", "type_error.dict")
        ckpt = body.get("sd_model_checkpoint")
        if ckpt is not None and self._checkpoint(ckpt) is None:
            raise catch_all(500, "RuntimeError", message=f"model {ckpt!r} not found")
        self.options.update(body)
        if ckpt is not None:
            self.options["sd_model_checkpoint"] = self._checkpoint(ckpt)
        return {}

    def _checkpoint(self, name: str) -> str | None:
        for title in self.checkpoints:
            if name in (title, title.split(" [")[0], title.split(".")[0]):
                return title
        return None

    def detect(self, body: Any) -> dict[str, Any]:
        """Run a preprocessor only: openpose modules answer keypoints in canvas fractions (dw: pixels)."""
        if not isinstance(body, dict):
            raise invalid("__root__", "field required", "value_error.missing")
        module = body.get("controlnet_module", "none")
        if module not in CN_MODULES:
            raise catch_all(422, "HTTPException", "Module not available")
        images = body.get("controlnet_input_images") or []
        if not isinstance(images, list) or not images:
            raise catch_all(422, "HTTPException", "No image selected")
        res = int(body.get("controlnet_processor_res", 512))
        res = 512 if res <= 0 else res
        maps, poses = [], []
        for text in images:
            img = decode_image(text)
            k, wt, ht, cw, chh = canvas_for(img.size, res)
            people = self.people if self.people is not None else synthetic_people(img)
            skeleton = Image.new("RGB", (cw, chh), "black")
            out = []
            for flat in people:
                scaled = [v * k if i % 3 != 2 else v for i, v in enumerate(flat)]
                draw_skeleton(skeleton, scaled, (255, 255, 255), 4)
                if module != "dw_openpose_full":  # canvas fractions; a missing point stays 0, 0, 0
                    scaled = [v / (cw if i % 3 == 0 else chh) if i % 3 != 2 else v for i, v in enumerate(scaled)]
                out.append({"pose_keypoints_2d": scaled, "face_keypoints_2d": None,
                            "hand_left_keypoints_2d": None, "hand_right_keypoints_2d": None})
            maps.append(encode(skeleton))
            poses.append({"people": out, "canvas_width": cw, "canvas_height": chh})
        answer: dict[str, Any] = {"info": "Success", "images": maps}
        if "openpose" in module:
            answer["poses"] = poses
        return answer

    # ---- generation --------------------------------------------------------------------------------------
    def validate(self, body: Any) -> dict[str, Any]:
        """Pydantic-like type checks of a txt2img/img2img body (coercing like pydantic v1 does)."""
        if body is None:
            raise ApiError(422, {"detail": [{"loc": ["body"], "msg": "field required", "type": "value_error.missing"}]})
        if not isinstance(body, dict):
            raise invalid("__root__", "value is not a valid dict", "type_error.dict")
        out = dict(body)
        for key, value in body.items():
            if value is None:
                continue
            try:
                if key in INTS:
                    text = value.strip().lstrip("-") if isinstance(value, str) else "0"
                    if isinstance(value, list | dict) or not text.isdigit():
                        raise ValueError
                    out[key] = int(value)
                elif key in FLOATS:
                    if isinstance(value, list | dict | bool):
                        raise ValueError
                    out[key] = float(value)
            except ValueError:
                kind = "integer" if key in INTS else "float"
                raise invalid(key, f"value is not a valid {kind}", f"type_error.{kind}") from None
            if key in STRS and not isinstance(value, str):
                raise invalid(key, "str type expected", "type_error.str")
            if key in BOOLS and not (isinstance(value, bool) or value in (0, 1)):
                raise invalid(key, "value could not be parsed to a boolean", "type_error.bool")
            if key in DICTS and not isinstance(value, dict):
                raise invalid(key, "value is not a valid dict", "type_error.dict")
            if key in LISTS and not isinstance(value, list):
                raise invalid(key, "value is not a valid list", "type_error.list")
        return out

    def generate(self, path: str, raw: Any) -> dict[str, Any]:
        """txt2img or img2img: validate, run the extensions' checks, 'sample' with progress, answer."""
        body = self.validate(raw)
        gen = Generation(path=path)
        img2img = path.endswith("img2img")
        init = mask = None
        if img2img:
            if not body.get("init_images"):
                raise catch_all(404, "HTTPException", "Init image not found")
            init = decode_image(body["init_images"][0]).convert("RGB")
            mask = decode_image(body["mask"]).convert("L") if body.get("mask") else None
        sampler = str(body.get("sampler_name") or "Euler")
        if sampler not in SAMPLERS and sampler.removesuffix(" Karras") not in SAMPLERS:
            raise catch_all(404, "HTTPException", "Sampler not found")
        scripts = {}
        for name, value in (body.get("alwayson_scripts") or {}).items():
            known = {"controlnet": self.controlnet, "adetailer": self.adetailer}
            if not known.get(name.lower()):
                raise catch_all(422, "HTTPException", f"Script '{name}' not found")
            scripts[name.lower()] = (value or {}).get("args", []) if isinstance(value, dict) else []
        width, height = int(body.get("width") or 512), int(body.get("height") or 512)
        extra: dict[str, Any] = {}
        poses: list[list[float]] = []
        maps = self._controlnet(scripts.get("controlnet"), init, gen, extra, poses, (width, height))
        self._adetailer(scripts.get("adetailer"), gen, extra)
        steps = int(body.get("steps") or 50)
        with self._gpu:
            self._sample(steps, gen)
        seed = int(body.get("seed") if body.get("seed") is not None else -1)
        seed = seed if seed >= 0 else int(time.time()) % 2**31
        ckpt = (body.get("override_settings") or {}).get("sd_model_checkpoint")
        model = self._checkpoint(ckpt) if isinstance(ckpt, str) else None
        if ckpt and model is None:
            gen.notes.append(f"unknown checkpoint {ckpt!r} in override_settings ignored")
        model = model or self.options["sd_model_checkpoint"]
        color = prompt_color(str(body.get("prompt") or ""))
        count = int(body.get("batch_size") or 1) * int(body.get("n_iter") or 1)
        fmt = self.options.get("samples_format", "png")
        images = []
        for _ in range(count):
            if init is not None:
                out = paint(init.resize((width, height)), mask, color, float(body.get("denoising_strength") or 0.75))
            else:
                out = gradient((width, height), color, poses)
            images.append(encode(out, fmt))
        images += [encode(m) for m in maps]
        info = {"prompt": body.get("prompt", ""), "all_prompts": [body.get("prompt", "")] * count,
                "negative_prompt": body.get("negative_prompt", ""), "seed": seed, "all_seeds": [seed] * count,
                "width": width, "height": height, "sampler_name": sampler, "cfg_scale": body.get("cfg_scale", 7.0),
                "steps": steps, "batch_size": body.get("batch_size", 1), "sd_model_name": model.split(".")[0],
                "sd_model_hash": model[-11:-1], "denoising_strength": body.get("denoising_strength"),
                "extra_generation_params": extra, "index_of_first_image": 0, "infotexts": [""] * count,
                "styles": [], "job_timestamp": "0", "clip_skip": 1, "version": "v1.10.1"}
        with self._lock:
            self.generations.append(gen)
        params = {k: v for k, v in body.items() if k not in ("init_images", "mask")}
        return {"images": images, "parameters": params, "info": json.dumps(info)}

    def _sample(self, steps: int, gen: Generation) -> None:
        self._interrupt.clear()
        with self._lock:
            self.state.update(job_count=1, sampling_step=0, sampling_steps=steps, interrupted=False,
                              started=time.monotonic())
        try:
            for step in range(1, steps + 1):
                if self.delay_s and self._interrupt.wait(self.delay_s / steps):
                    gen.interrupted = True
                    break
                with self._lock:
                    self.state["sampling_step"] = step
        finally:
            with self._lock:
                self.state.update(job_count=0, sampling_step=0, sampling_steps=0, interrupted=False)

    def _controlnet(self, args: Any, init: Image.Image | None, gen: Generation, extra: dict[str, Any],
                    poses: list[list[float]], size: tuple[int, int]) -> list[Image.Image]:
        """Apply the ControlNet units like the extension, silent skips included; returns detected maps."""
        if args is None:
            return []
        if not isinstance(args, list):
            raise catch_all(500, "TypeError", message="ControlNet args must be a list of units")
        maps = []
        for i, unit in enumerate(args):
            if i >= int(self.options["control_net_unit_count"]):
                gen.notes.append(f"unit {i} beyond control_net_unit_count dropped")
                break
            if not isinstance(unit, dict):
                raise catch_all(500, "TypeError", message=f"ControlNet unit {i} is not a dict")
            for key, allowed in (("resize_mode", RESIZE_MODES), ("control_mode", CONTROL_MODES)):
                if key in unit and (not isinstance(unit[key], str) or unit[key] not in allowed):
                    raise catch_all(500, "ValueError", message=f"{unit[key]!r} is not a valid {key}: "
                                    f"expected one of {', '.join(allowed)}")
            weight = unit.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise catch_all(500, "ValueError", message=f"invalid weight {weight!r}")
            if unit.get("enabled") is not True:
                gen.notes.append(f"unit {i} not enabled (enabled defaults to false)")
                continue
            module = unit.get("module", "none")
            if module not in CN_MODULES:
                raise catch_all(500, "ValueError", message=f"module {module!r} not found")
            model = next((m for m in self.controlnet_models if unit.get("model") in (m, m.split(" [")[0])), None)
            if model is None:
                gen.notes.append(f"unit {i}: model {unit.get('model')!r} not found, unit skipped")
                continue
            if unit.get("image"):
                image = decode_image(unit["image"]).convert("RGB")
            elif init is not None:
                image = init
            else:
                gen.notes.append(f"unit {i}: no image (input_image is not read), unit skipped")
                continue
            if self.skip_controlnet:
                gen.notes.append(f"unit {i}: silently skipped (skip_controlnet)")
                continue
            people = self.people if self.people is not None else synthetic_people(image)
            fx, fy = size[0] / image.width, size[1] / image.height
            for flat in people:
                poses.append([v * (fx if j % 3 == 0 else fy) if j % 3 != 2 else v for j, v in enumerate(flat)])
            label = (f"Module: {module}, Model: {model}, Weight: {weight}, "
                     f"Resize Mode: {unit.get('resize_mode', 'Crop and Resize')}, "
                     f"Control Mode: {unit.get('control_mode', 'Balanced')}, "
                     f"Pixel Perfect: {unit.get('pixel_perfect', False)}")
            extra[f"ControlNet {len(gen.controlnet)}"] = label
            gen.controlnet.append(label)
            if unit.get("save_detected_map", True):
                maps.append(Image.new("RGB", size, "black"))
        return maps

    def _adetailer(self, args: Any, gen: Generation, extra: dict[str, Any]) -> None:
        """Apply ADetailer like the extension: two booleans then dicts; bad dicts are skipped silently."""
        if not args or not isinstance(args, list):
            return
        dicts = args
        if isinstance(args[0], bool) and len(args) > 1 and isinstance(args[1], bool):
            if not args[0]:
                return
            dicts = args[2:]
        else:
            gen.notes.append("ADetailer args do not start with two booleans: the default face tab ran too")
            gen.adetailer.append("face_yolov8n.pt")
        for n, tab in enumerate(dicts):
            if not isinstance(tab, dict) or set(tab) - AD_KEYS:
                gen.notes.append(f"ADetailer tab {n}: invalid dict (unknown keys {sorted(set(tab) - AD_KEYS)})"
                                 if isinstance(tab, dict) else f"ADetailer tab {n}: not a dict")
                continue
            if tab.get("ad_model") not in AD_MODELS:
                gen.notes.append(f"ADetailer tab {n}: unknown ad_model {tab.get('ad_model')!r}")
                continue
            gen.adetailer.append(tab["ad_model"])
        if self.skip_adetailer and gen.adetailer:
            gen.notes.append("ADetailer silently skipped (skip_adetailer)")
            gen.adetailer.clear()
        for n, model in enumerate(gen.adetailer):
            suffix = "" if n == 0 else f" {n + 1}{'nd' if n == 1 else 'rd' if n == 2 else 'th'}"
            extra[f"ADetailer model{suffix}"] = model
        if gen.adetailer:
            extra["ADetailer version"] = "25.3.0"


def prompt_color(prompt: str) -> tuple[int, int, int]:
    """The first color word of a prompt, or a grey-violet when there is none."""
    for word in re.findall(r"[a-z]+", prompt.lower()):
        if word in COLORS:
            return COLORS[word]
    return (110, 100, 140)


def paint(img: Image.Image, mask: Image.Image | None, color: tuple[int, int, int], strength: float) -> Image.Image:
    """The init image with the mask's white region repainted in `color` (the whole image without a mask)."""
    arr = np.asarray(img, dtype=np.float32)
    alpha = np.ones(arr.shape[:2], np.float32) if mask is None else np.asarray(mask.resize(img.size), np.float32) / 255
    alpha *= min(1.0, strength * 4 / 3)
    out = arr * (1 - alpha[..., None]) + np.array(color, np.float32) * alpha[..., None]
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


def gradient(size: tuple[int, int], color: tuple[int, int, int], poses: list[list[float]]) -> Image.Image:
    """A light vertical gradient with a figure in `color` on the ControlNet pose, if one applied."""
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    arr = (1 - t) * np.array([235, 235, 240], np.float32) + t * np.array([200, 200, 210], np.float32)
    img = Image.fromarray(np.repeat(arr, w, axis=1).astype(np.uint8), "RGB")
    for flat in poses:
        draw_skeleton(img, flat, color, max(3, w // 12))
    return img


def _make_handler(server: SDServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout)

        def _handle(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = json.loads(raw) if raw else None
            except ValueError as exc:
                server.requests.append(RecordedRequest(self.command, path, headers, None))
                self._send(422, {"detail": [{"loc": ["body", 0], "msg": str(exc), "type": "value_error.jsondecode"}]})
                return
            with server._lock:
                server.requests.append(RecordedRequest(self.command, path, headers, body))
            try:
                self._send(200, server.route(self.command, path, query, body, headers))
            except ApiError as err:
                self._send(err.status, err.body, err.headers)

        do_GET = do_POST = _handle  # noqa: N815 - stdlib names

    return Handler


@pytest.fixture
def sd_server_factory() -> Iterator[Callable[..., SDServer]]:
    """Start SDServer(**kwargs) servers, all stopped after the test."""
    started: list[SDServer] = []

    def make(**kwargs: Any) -> SDServer:
        server = SDServer(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sd_server(sd_server_factory: Callable[..., SDServer]) -> SDServer:
    """A running local SD webui with ControlNet and ADetailer."""
    return sd_server_factory()
