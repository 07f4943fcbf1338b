"""A typed client for the AUTOMATIC1111 SD webui API with the ControlNet and ADetailer extensions."""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from PIL import Image

from relookx.errors import ServiceError

log = logging.getLogger(__name__)

SHORT_TIMEOUT_S = 15.0  # health, progress, lists: the webui answers these even while it generates
CONNECT_TIMEOUT_S = 10.0
DETECT_MAX_SIDE = 1024

# OpenPose body order (COCO 18) and BODY_25, as /controlnet/detect returns them.
BODY_18 = ("nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
           "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
           "right_eye", "left_eye", "right_ear", "left_ear")
BODY_25 = ("nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
           "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee",
           "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe",
           "left_heel", "right_big_toe", "right_small_toe", "right_heel")
PIXEL_MODULES = frozenset({"dw_openpose_full"})  # these answer canvas pixels, the others canvas fractions


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
class Pose:
    """One person's body keypoints in PHOTO pixels: name -> (x, y, confidence); unfound points are absent."""

    keypoints: dict[str, tuple[float, float, float]]
    width: int
    height: int

    def point(self, name: str) -> tuple[float, float] | None:
        """The (x, y) of a keypoint, or None when it was not found."""
        kp = self.keypoints.get(name)
        return (kp[0], kp[1]) if kp else None


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


def _error_message(response: requests.Response, url: str) -> str:
    """A clear message from one of the webui's error bodies."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:300]
    if status == 401:
        return "The webui refused the login (401): check RELOOKX_SD_AUTH (user:password of --api-auth)."
    if status == 422 and isinstance(body, dict) and isinstance(body.get("detail"), list):
        parts = []
        for item in body["detail"]:
            loc = [str(p) for p in item.get("loc", []) if p != "body"]
            parts.append(f"field {'.'.join(loc) or 'body'}: {item.get('msg', 'invalid')}")
        return f"The webui rejected the request (422): {'; '.join(parts)}"
    if isinstance(body, dict) and "error" in body:  # the catch-all body (Forge: "message" for "errors")
        detail = body.get("detail")
        message = detail if isinstance(detail, str) and detail else body.get("errors") or body.get("message") or ""
        kind = "" if body["error"] == "HTTPException" else f" {body['error']}"
        return f"The webui failed on {url} ({status}{kind}): {message}".rstrip(": ")
    detail = body.get("detail") if isinstance(body, dict) else body
    if status == 404 and detail == "Not Found":
        return (f"The webui has no endpoint {url} (404): start it with --api, and install the extension "
                "if this is a /controlnet or /adetailer route.")
    return f"The webui answered {status} for {url}: {detail or response.reason}"


class WebuiClient:
    """The SD webui API: health, discovery, pose detection, generation, progress and interrupt."""

    def __init__(self, base_url: str, *, timeout_s: float = 600.0, auth: tuple[str, str] | None = None,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.auth = auth
        self.session = session if session is not None else requests.Session()

    def _request(self, method: str, path: str, *, json_body: Any = None, long: bool = False,
                 params: dict[str, Any] | None = None) -> requests.Response:
        url = self.base_url + path
        read_s = self.timeout_s if long else min(SHORT_TIMEOUT_S, self.timeout_s)
        try:
            response = self.session.request(method, url, json=json_body, params=params, auth=self.auth,
                                            timeout=(min(CONNECT_TIMEOUT_S, read_s), read_s))
        except requests.Timeout as exc:
            raise PreviewError(f"The webui at {self.base_url} did not answer {path} within {read_s:g} s "
                               "(it may be loading weights): try again in a minute.") from exc
        except requests.ConnectionError as exc:
            raise PreviewError(f"Cannot reach the webui at {self.base_url}: is it running with --api "
                               "(and the SSH tunnel up)?") from exc
        if response.status_code >= 400:
            raise PreviewError(_error_message(response, path), status=response.status_code)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise PreviewError(f"The webui answered {path} with something that is not JSON.") from exc

    def _optional(self, path: str) -> Any:
        """GET an extension route; None when the extension is not installed (404)."""
        try:
            return self._json("GET", path)
        except PreviewError as exc:
            if exc.status == 404:
                return None
            raise

    def health(self) -> dict[str, Any]:
        """The progress answer, which both --api and --nowebui serve: proves the API is up."""
        body = self._json("GET", "/sdapi/v1/progress", params={"skip_current_image": "true"})
        return body if isinstance(body, dict) else {}

    def discover(self) -> Capabilities:
        """Checkpoints, samplers and the ControlNet/ADetailer models; missing extensions give None."""
        models = self._json("GET", "/sdapi/v1/sd-models") or []
        options = self._json("GET", "/sdapi/v1/options") or {}
        samplers = self._json("GET", "/sdapi/v1/samplers") or []
        caps = Capabilities(
            checkpoints=[m["title"] for m in models if isinstance(m, dict) and m.get("title")],
            current_checkpoint=options.get("sd_model_checkpoint") if isinstance(options, dict) else None,
            samplers=[s["name"] for s in samplers if isinstance(s, dict) and s.get("name")],
        )
        version = self._optional("/controlnet/version")
        if isinstance(version, dict):
            caps.controlnet_version = int(version.get("version", 0))
            caps.controlnet_models = list((self._optional("/controlnet/model_list") or {}).get("model_list", []))
            caps.controlnet_modules = list((self._optional("/controlnet/module_list") or {}).get("module_list", []))
        ad = self._optional("/adetailer/v1/ad_model")
        if isinstance(ad, dict):
            caps.adetailer_models = list(ad.get("ad_model", []))
        return caps

    def openpose_model(self, caps: Capabilities, checkpoint: str | None = None) -> str | None:
        """The server's openpose ControlNet model for the checkpoint's family; None if none fits."""
        return openpose_model(caps, checkpoint)

    def detect_pose(self, image: Image.Image, *, module: str = "openpose_full",
                    processor_res: int = 512) -> Pose | None:
        """The pose of the main person in `image`, in the photo's pixels; None when nobody is found."""
        sent = image.convert("RGB")
        if max(sent.size) > DETECT_MAX_SIDE:  # the preprocessor works at ~512 px: spare the tunnel a huge PNG
            sent.thumbnail((DETECT_MAX_SIDE, DETECT_MAX_SIDE), Image.Resampling.LANCZOS)
        body = {"controlnet_module": module, "controlnet_input_images": [encode_image(sent)],
                "controlnet_processor_res": processor_res, "controlnet_threshold_a": -1,
                "controlnet_threshold_b": -1}
        answer = self._json("POST", "/controlnet/detect", json_body=body, long=True)
        poses = answer.get("poses") if isinstance(answer, dict) else None
        if not poses:
            if module.startswith(("openpose", "dw_openpose")):
                return None
            raise PreviewError(f"The ControlNet module {module} gives no keypoints: use an openpose module.")
        pose = pose_from_detect(poses[0], sent.size, module=module, processor_res=processor_res)
        if pose is None or sent.size == image.size:
            return pose
        fx, fy = image.width / sent.width, image.height / sent.height
        return Pose({k: (x * fx, y * fy, c) for k, (x, y, c) in pose.keypoints.items()}, image.width, image.height)

    def txt2img(self, payload: dict[str, Any]) -> GenerationResult:
        """Generate from a prompt (long timeout: the first call may load weights)."""
        return self._generate("/sdapi/v1/txt2img", payload)

    def img2img(self, payload: dict[str, Any]) -> GenerationResult:
        """Repaint init_images (inpaint with a mask) (long timeout)."""
        return self._generate("/sdapi/v1/img2img", payload)

    def _generate(self, path: str, payload: dict[str, Any]) -> GenerationResult:
        start = time.monotonic()
        body = self._json("POST", path, json_body=payload, long=True)
        if not isinstance(body, dict):
            raise PreviewError(f"The webui answered {path} with an unexpected body.")
        wanted = int(payload.get("batch_size") or 1) * int(payload.get("n_iter") or 1)
        images = [decode_b64(b) for b in (body.get("images") or [])[:wanted]]  # the rest are detected maps
        if not images:
            raise PreviewError("The webui returned no image (the generation was interrupted or failed).")
        info = parse_info(body.get("info"))
        warnings = extension_warnings(payload, info)
        for w in warnings:
            log.warning("webui: %s", w)
        return GenerationResult(images=images, formats=[sniff_format(i) for i in images], info=info,
                                parameters=body.get("parameters") or {}, warnings=warnings,
                                seconds=time.monotonic() - start)

    def progress(self, *, skip_current_image: bool = False) -> Progress:
        """The running job's progress (global: the webui has no task ids)."""
        body = self._json("GET", "/sdapi/v1/progress",
                          params={"skip_current_image": str(skip_current_image).lower()})
        state = body.get("state") or {}
        current = body.get("current_image")
        return Progress(
            fraction=float(body.get("progress") or 0.0), eta_s=float(body.get("eta_relative") or 0.0),
            step=int(state.get("sampling_step") or 0), steps=int(state.get("sampling_steps") or 0),
            job_count=int(state.get("job_count") or 0), interrupted=bool(state.get("interrupted")),
            text=str(body.get("textinfo") or ""), image=decode_b64(current) if current else None,
        )

    def interrupt(self) -> None:
        """Stop the running generation; it still returns what it had."""
        self._request("POST", "/sdapi/v1/interrupt")


def pose_from_detect(pose: dict[str, Any], photo_size: tuple[int, int], *, module: str,
                     processor_res: int) -> Pose | None:
    """Convert one /controlnet/detect pose (canvas fractions or pixels) to the largest person in photo pixels."""
    w, h = photo_size
    res = 512 if processor_res <= 0 else processor_res
    s = res / min(w, h)  # the preprocessor resized the photo's short side to `res`
    cw = float(pose.get("canvas_width") or 0)
    ch = float(pose.get("canvas_height") or 0)
    pixels = module in PIXEL_MODULES
    if not pixels and (cw <= 0 or ch <= 0):
        raise PreviewError("The webui's pose has no canvas size: cannot place the keypoints on the photo.")
    best: dict[str, tuple[float, float, float]] = {}
    best_area = -1.0
    for person in pose.get("people") or []:
        flat = person.get("pose_keypoints_2d") or []
        names = BODY_25 if len(flat) >= 75 else BODY_18
        points: dict[str, tuple[float, float, float]] = {}
        for i, name in enumerate(names):
            if 3 * i + 2 >= len(flat):
                break
            x, y, conf = (float(v) for v in flat[3 * i:3 * i + 3])
            if conf <= 0:
                continue
            px, py = (x / s, y / s) if pixels else (x * cw / s, y * ch / s)
            points[name] = (px, py, conf)
        if not points:
            continue
        xs = [p[0] for p in points.values()]
        ys = [p[1] for p in points.values()]
        area = (max(xs) - min(xs) + 1) * (max(ys) - min(ys) + 1)
        if area > best_area:
            best, best_area = points, area
    return Pose(keypoints=best, width=w, height=h) if best else None


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
