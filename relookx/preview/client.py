"""A typed client for the AUTOMATIC1111 SD webui API with the ControlNet and ADetailer extensions."""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
from PIL import Image

from relookx.preview.pose import Pose, pose_from_detect
from relookx.preview.wire import (
    Capabilities,
    GenerationResult,
    PreviewError,
    Progress,
    decode_b64,
    encode_image,
    extension_warnings,
    openpose_model,
    parse_info,
    sniff_format,
)
from relookx.redact import redact_url

log = logging.getLogger(__name__)

SHORT_TIMEOUT_S = 15.0  # health, progress, lists: the webui answers these even while it generates
CONNECT_TIMEOUT_S = 10.0
DETECT_MAX_SIDE = 1024

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
        self.shown_url = redact_url(self.base_url)  # for messages: never the password of a user:pw@ URL
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
            raise PreviewError(f"The webui at {self.shown_url} did not answer {path} within {read_s:g} s "
                               "(it may be loading weights): try again in a minute.") from exc
        except requests.ConnectionError as exc:
            raise PreviewError(f"Cannot reach the webui at {self.shown_url}: is it running with --api "
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
