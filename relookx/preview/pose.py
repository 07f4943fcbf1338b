"""Body keypoints: the OpenPose orders the webui answers in, one person's pose in photo pixels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from relookx.preview.wire import PreviewError

# OpenPose body order (COCO 18) and BODY_25, as /controlnet/detect returns them.
BODY_18 = ("nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
           "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
           "right_eye", "left_eye", "right_ear", "left_ear")
BODY_25 = ("nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
           "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee",
           "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe",
           "left_heel", "right_big_toe", "right_small_toe", "right_heel")
PIXEL_MODULES = frozenset({"dw_openpose_full"})  # these answer canvas pixels, the others canvas fractions


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
