"""The offline analyzer: a bundled pose model finds the person, body regions give the garments.

No network and no API key: MediaPipe's BlazePose models run on the CPU (`relookx.vision.pose`),
their keypoints and person mask place the garments (`relookx.vision.regions`, `relookx.vision.outfit`)
and the pixels give their colors. When the model cannot load (the LiteRT package is missing, a model
file is gone) the older color heuristic answers instead, and the result says so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PIL import Image

from relookx.vision.base import AnalysisResult, Box
from relookx.vision.heuristic import HeuristicAnalyzer
from relookx.vision.outfit import box_of, find_pieces, garment_boxes, scale_box, to_draft
from relookx.vision.pose import ModelUnavailableError, PoseModel, shared_pose_model

log = logging.getLogger(__name__)

MODEL_NAME = "blazepose-full"
LIMITS_NOTE = (
    "Offline estimate: a pose model placed the garments and their colors were measured on the photo. "
    "Garment types come from where they sit on the body and prices are typical values. "
    "Set MISTRAL_API_KEY for full garment recognition."
)
NO_PERSON_NOTE = ("No person was found on this photo, so no garment was recorded. A photo of one person "
                  "wearing the outfit works best; you can also add its garments by hand.")

ModelLoader = Callable[[], "PoseModel | ModelUnavailableError"]


def fallback_note(reason: ModelUnavailableError) -> str:
    """What the user is told when the heuristic answers for the model."""
    return (f"The pose model could not load ({reason}), so the older color heuristic measured this photo: "
            "it needs a plain background and guesses garments from body proportions.")


class OfflineAnalyzer:
    """Garments from the bundled pose model, or from the color heuristic when the model cannot load."""

    name = "offline"

    def __init__(self, load_model: ModelLoader = shared_pose_model) -> None:
        self._load_model = load_model
        self._fallback = HeuristicAnalyzer()

    def model_problem(self) -> ModelUnavailableError | None:
        """Why the pose model cannot run here, or None when it can."""
        model = self._load_model()
        return model if isinstance(model, ModelUnavailableError) else None

    def analyze(self, image: Image.Image) -> AnalysisResult:
        """Analyse one photo; no garments (and a note saying why) when no person is found."""
        started = time.perf_counter()
        model = self._load_model()
        if isinstance(model, ModelUnavailableError):
            result = self._fallback.analyze(image)
            result.notes.insert(0, fallback_note(model))
            return result
        pose = model.detect(image)
        if pose is None:
            return AnalysisResult(garments=[], analyzer=self.name, model=MODEL_NAME,
                                  seconds=time.perf_counter() - started, notes=[NO_PERSON_NOTE])
        pieces, notes = find_pieces(pose)
        factor = image.width / pose.size[0]
        boxes: list[Box | None] = [scale_box(box_of(p.mask), factor, image.size) for p in pieces]
        if not pieces:
            notes.append("No garment could be measured on the person found.")
        seconds = time.perf_counter() - started
        log.info("pose model found %d garments in %.2f s", len(pieces), seconds)
        return AnalysisResult(garments=[to_draft(p) for p in pieces], analyzer=self.name, model=MODEL_NAME,
                              seconds=seconds, notes=[LIMITS_NOTE, *notes], boxes=boxes)

    def locate(self, image: Image.Image) -> dict[str, Box]:
        """Where each garment category sits on the photo (empty when no model or no person)."""
        model = self._load_model()
        if isinstance(model, ModelUnavailableError):
            return {}
        pose = model.detect(image)
        return {} if pose is None else garment_boxes(pose, image.size)
