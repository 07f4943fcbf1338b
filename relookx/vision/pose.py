"""Body keypoints and a person mask from MediaPipe's BlazePose models, run on the CPU with LiteRT.

The two bundled `.tflite` files (see `models/README.md`) are the models of MediaPipe's Pose solution
(`model_complexity=1`). This module re-implements the small part of MediaPipe's graph around them:
the detector's SSD anchors and decoding with weighted non-maximum suppression, the rotated region of
interest from the detector's hip and body-scale points, the landmark model on that region (33
keypoints with visibility, refined on the heatmap), and the person mask projected back onto the photo.
Everything runs on a working copy of at most `WORK_SIDE` px, so a 12 MP photo costs what a 0.3 MP one does.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from relookx.errors import RelookXError

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).with_name("models")
DETECTOR_FILE = "pose_detection.tflite"
LANDMARK_FILE = "pose_landmark_full.tflite"
WORK_SIDE = 512
DETECTOR_SIDE = 224
LANDMARK_SIDE = 256
HEATMAP_SIDE = 64
MIN_DETECTION_SCORE = 0.5
MIN_POSE_SCORE = 0.5
MAX_PEOPLE = 3  # candidates measured to find the largest person
KEYPOINT_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)


class ModelUnavailableError(RelookXError):
    """The pose model cannot run here (LiteRT missing, model file missing or unreadable)."""


@dataclass(frozen=True)
class Keypoint:
    """A body keypoint in pixels of the analysed image, with the model's visibility (0..1)."""

    x: float
    y: float
    visibility: float


@dataclass
class PoseResult:
    """The person the model found: keypoints and mask in pixels of `size`, and how many people it saw."""

    keypoints: dict[str, Keypoint]
    mask: np.ndarray  # float32 (h, w), 0..1: how likely each pixel is the person
    size: tuple[int, int]
    people: int
    score: float
    pixels: np.ndarray  # float32 (h, w, 3): the working copy the keypoints and mask refer to


def _anchors() -> np.ndarray:
    """The detector's 2254 SSD anchor centres (fixed size), as MediaPipe's SsdAnchorsCalculator makes them."""
    strides = (8, 16, 32, 32, 32)
    centres = []
    i = 0
    while i < len(strides):
        j = i
        while j < len(strides) and strides[j] == strides[i]:
            j += 1
        per_cell = 2 * (j - i)  # aspect ratio 1 plus the interpolated scale, per layer of this stride
        side = math.ceil(DETECTOR_SIDE / strides[i])
        ys, xs = np.mgrid[0:side, 0:side]
        grid = np.stack([(xs + 0.5) / side, (ys + 0.5) / side], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
        i = j
    return np.concatenate(centres).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -80.0, 80.0))), dtype=np.float32)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of box `a` with each box of `b` (x0, y0, x1, y1)."""
    ix = np.clip(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    return np.asarray(np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0))


def weighted_nms(scores: np.ndarray, boxes: np.ndarray, points: np.ndarray,
                 threshold: float = 0.3) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """MediaPipe's weighted non-maximum suppression: overlapping detections are averaged by score."""
    order = np.argsort(-scores, kind="stable")
    scores, boxes, points = scores[order], boxes[order], points[order]
    out = []
    remaining = np.arange(len(scores))
    while len(remaining):
        overlap = _iou(boxes[remaining[0]], boxes[remaining]) > threshold
        group = remaining[overlap]
        w = scores[group][:, None]
        out.append((float(scores[group[0]]), (boxes[group] * w).sum(0) / w.sum(),
                    (points[group] * w[:, :, None]).sum(0) / w.sum()))
        remaining = remaining[~overlap]
    return out


def _work_copy(image: Image.Image) -> Image.Image:
    img = image if image.mode == "RGB" else image.convert("RGB")
    factor = max(img.size) // WORK_SIDE
    if factor >= 2:
        img = img.reduce(factor)  # a box filter in C: a 12 MP photo shrinks in a few milliseconds
    if max(img.size) > WORK_SIDE:
        scale = WORK_SIDE / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.Resampling.BILINEAR)
    return img


class PoseModel:
    """The BlazePose detector and landmark model; `detect` is safe to call from several threads."""

    def __init__(self, detector: Any, landmarks: Any) -> None:
        self._detector = detector
        self._landmarks = landmarks
        self._anchors = _anchors()
        self._lock = threading.Lock()  # a LiteRT interpreter runs one inference at a time

    @staticmethod
    def _run(interpreter: Any, tensor: np.ndarray) -> dict[str, np.ndarray]:
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor)
        interpreter.invoke()
        return {o["name"]: np.array(interpreter.get_tensor(o["index"])) for o in interpreter.get_output_details()}

    def detections(self, img: Image.Image) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """People found: (score, box, 4 alignment points), in pixels of `img`, best first."""
        w, h = img.size
        scale = DETECTOR_SIDE / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        pad_x, pad_y = (DETECTOR_SIDE - nw) // 2, (DETECTOR_SIDE - nh) // 2
        canvas = Image.new("RGB", (DETECTOR_SIDE, DETECTOR_SIDE))
        canvas.paste(img.resize((nw, nh), Image.Resampling.BILINEAR), (pad_x, pad_y))
        tensor = np.asarray(canvas, dtype=np.float32)[None] / 127.5 - 1.0
        with self._lock:
            out = self._run(self._detector, tensor)
        raw = out["Identity"][0] / DETECTOR_SIDE
        scores = _sigmoid(out["Identity_1"][0, :, 0])
        keep = scores > MIN_DETECTION_SCORE
        if not keep.any():
            return []
        raw, anchors = raw[keep], self._anchors[keep]
        centre, half = raw[:, :2] + anchors, raw[:, 2:4] / 2
        boxes = np.concatenate([centre - half, centre + half], axis=1)
        points = raw[:, 4:12].reshape(-1, 4, 2) + anchors[:, None, :]
        found = []
        offset = np.array([pad_x, pad_y], dtype=np.float32)
        for score, box, pts in weighted_nms(scores[keep], boxes, points):
            box_px = (box.reshape(2, 2) * DETECTOR_SIDE - offset) / scale
            found.append((score, box_px.reshape(4), (pts * DETECTOR_SIDE - offset) / scale))
        return found

    def landmarks(self, img: Image.Image, points: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(pose score, 33 x (x, y, visibility), mask) for the person whose alignment points are given."""
        w, h = img.size
        (x0, y0), (x1, y1) = points[0], points[1]
        side = 2.5 * math.hypot(x1 - x0, y1 - y0)  # MediaPipe: twice the hip-to-scale distance, times 1.25
        if side < 4:
            return 0.0, np.zeros((33, 3), np.float32), np.zeros((h, w), np.float32)
        angle = math.pi / 2 - math.atan2(-(y1 - y0), x1 - x0)
        angle -= 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))
        cos, sin, k = math.cos(angle), math.sin(angle), side / LANDMARK_SIDE
        forward = (cos * k, -sin * k, x0 - 0.5 * side * (cos - sin), sin * k, cos * k, y0 - 0.5 * side * (sin + cos))
        crop = self._crop(img, forward)
        with self._lock:
            out = self._run(self._landmarks, np.asarray(crop, dtype=np.float32)[None] / 255.0)
        raw = out["Identity"][0].reshape(39, 5)[:33]
        u, v = self._refine(raw[:, 0] / LANDMARK_SIDE, raw[:, 1] / LANDMARK_SIDE, out["Identity_3"][0])
        u, v = u - 0.5, v - 0.5
        xs = x0 + (cos * u - sin * v) * side
        ys = y0 + (sin * u + cos * v) * side
        keypoints = np.stack([xs, ys, _sigmoid(raw[:, 3])], axis=1)
        seg = Image.fromarray(np.round(_sigmoid(out["Identity_2"][0, :, :, 0]) * 255).astype(np.uint8), "L")
        ki = LANDMARK_SIDE / side
        inverse = (cos * ki, sin * ki, 128 - ki * (cos * x0 + sin * y0),
                   -sin * ki, cos * ki, 128 - ki * (-sin * x0 + cos * y0))
        mask = seg.transform((w, h), Image.Transform.AFFINE, inverse, Image.Resampling.BILINEAR, fillcolor=0)
        score = float(np.asarray(out["Identity_1"]).reshape(-1)[0])  # the model's output is a probability
        return score, keypoints, np.asarray(mask, dtype=np.float32) / 255.0

    @staticmethod
    def _crop(img: Image.Image, forward: tuple[float, ...]) -> Image.Image:
        """The rotated region of interest, edges replicated outside the photo (as MediaPipe does)."""
        a, b, c, d, e, f = forward
        n = LANDMARK_SIDE
        xs = [a * u + b * v + c for u in (0, n) for v in (0, n)]
        ys = [d * u + e * v + f for u in (0, n) for v in (0, n)]
        w, h = img.size
        left, top = int(max(0.0, -min(xs))) + 2, int(max(0.0, -min(ys))) + 2
        right, bottom = int(max(0.0, max(xs) - w)) + 2, int(max(0.0, max(ys) - h)) + 2
        padded = Image.fromarray(np.pad(np.asarray(img), ((top, bottom), (left, right), (0, 0)), mode="edge"))
        return padded.transform((n, n), Image.Transform.AFFINE, (a, b, c + left, d, e, f + top),
                                Image.Resampling.BILINEAR)

    @staticmethod
    def _refine(u: np.ndarray, v: np.ndarray, heatmap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """MediaPipe's refinement: each keypoint moves to the centroid of its 7x7 heatmap window."""
        u, v = u.copy(), v.copy()
        n = HEATMAP_SIDE
        for i in range(len(u)):
            col, row = int(u[i] * n), int(v[i] * n)
            if not (0 <= col < n and 0 <= row < n):
                continue
            r0, r1, c0, c1 = max(0, row - 3), min(n, row + 4), max(0, col - 3), min(n, col + 4)
            conf = _sigmoid(heatmap[r0:r1, c0:c1, i])
            if conf.max() >= 0.5 and conf.sum() > 0:
                rows, cols = np.mgrid[r0:r1, c0:c1]
                u[i] = float((cols * conf).sum() / conf.sum() / n)
                v[i] = float((rows * conf).sum() / conf.sum() / n)
        return u, v

    def detect(self, image: Image.Image) -> PoseResult | None:
        """The largest person on the photo (keypoints and mask on a working copy), or None."""
        img = _work_copy(image)
        people = self.detections(img)
        if not people:
            return None
        # The largest person is the one closest to the camera: the one the photo is about. The detector's
        # box is only the face and its body circle is a guess from it, so each candidate's mask decides.
        best: tuple[float, float, np.ndarray, np.ndarray] | None = None
        for _score, _box, points in people[:MAX_PEOPLE]:
            pose_score, keypoints, mask = self.landmarks(img, points)
            area = float((mask > 0.5).sum())
            if pose_score >= MIN_POSE_SCORE and (best is None or area > best[0]):
                best = (area, pose_score, keypoints, mask)
        if best is None:
            return None
        _area, pose_score, keypoints, mask = best
        named = {name: Keypoint(float(x), float(y), float(vis))
                 for name, (x, y, vis) in zip(KEYPOINT_NAMES, keypoints, strict=True)}
        return PoseResult(keypoints=named, mask=mask, size=img.size, people=len(people), score=pose_score,
                          pixels=np.asarray(img, dtype=np.float32))


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence file descriptor 2 for a moment: LiteRT's C++ core prints an INFO line ("Created TensorFlow
    Lite XNNPACK delegate for CPU") when a model loads, which would break the CLI's one-line errors."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_pose_model(model_dir: Path = MODEL_DIR, *, threads: int = 2) -> PoseModel:
    """Load the bundled models with LiteRT; `ModelUnavailableError` says why when that is impossible."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise ModelUnavailableError(
            f"the LiteRT runtime is not installed ({exc}); run pip install -r requirements.txt"
        ) from None
    interpreters = []
    for name in (DETECTOR_FILE, LANDMARK_FILE):
        path = model_dir / name
        if not path.is_file():
            raise ModelUnavailableError(f"the model file {path} is missing; reinstall RelookX")
        try:
            with _quiet_native_stderr():
                interpreter = Interpreter(model_path=str(path), num_threads=threads)
                interpreter.allocate_tensors()
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelUnavailableError(f"the model file {path.name} cannot be loaded ({exc})") from None
        interpreters.append(interpreter)
    return PoseModel(*interpreters)


@functools.lru_cache(maxsize=1)
def shared_pose_model() -> PoseModel | ModelUnavailableError:
    """The process-wide pose model, loaded on first use, or the reason it cannot load (kept, not retried)."""
    try:
        return load_pose_model()
    except ModelUnavailableError as exc:
        log.warning("pose model unavailable: %s", exc)
        return exc


def scaled_keypoints(keypoints: Mapping[str, Keypoint], factor: float) -> dict[str, Keypoint]:
    """The keypoints with coordinates multiplied by `factor` (to another resolution of the same photo)."""
    return {k: Keypoint(p.x * factor, p.y * factor, p.visibility) for k, p in keypoints.items()}
