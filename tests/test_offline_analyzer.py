"""The offline analyzer with the real bundled pose model, on photos of real people composed in the tests."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image, ImageOps

from relookx.fashion.colors import delta_e
from relookx.vision.base import AnalysisResult, OutfitAnalyzer
from relookx.vision.offline import OfflineAnalyzer
from relookx.vision.pose import ModelUnavailableError, load_pose_model, shared_pose_model
from tests.imagegen import make_outfit_photo
from tests.realphotos import astronaut, busy_background, grace, on_background, outfit_photo, recolor_suit


@pytest.fixture(scope="module")
def analyzer() -> OfflineAnalyzer:
    return OfflineAnalyzer()


def by_category(result: AnalysisResult) -> dict[str, str]:
    return {g.category: g.color_hex for g in result.garments}


def test_the_bundled_model_loads() -> None:
    model = shared_pose_model()
    assert not isinstance(model, ModelUnavailableError), model


def test_implements_protocol(analyzer: OfflineAnalyzer) -> None:
    checked: OutfitAnalyzer = analyzer
    assert checked.name == "offline" and analyzer.model_problem() is None


def test_open_jacket_over_a_shirt_and_a_cap(analyzer: OfflineAnalyzer) -> None:
    result = analyzer.analyze(grace())
    colors = by_category(result)
    assert set(colors) == {"top", "outerwear", "headwear"}  # head and shoulders: no bottom, no shoes invented
    assert delta_e(colors["top"], "#ffffff") < 10  # the white shirt between the lapels
    assert delta_e(colors["outerwear"], "#141420") < 15  # the navy (near black) jacket
    assert result.model == "blazepose-full"
    assert any("open outer layer" in n for n in result.notes)
    assert any("No legs are visible" in n for n in result.notes)
    assert len(result.boxes) == len(result.garments) and all(result.boxes)
    shirt, jacket, cap = (result.boxes[i] for i in range(3))
    assert cap is not None and shirt is not None and cap[3] <= shirt[1] + 40  # the cap is above the shirt
    for g in result.garments:
        assert 0 < g.confidence <= 0.6 and "offline pose model" in g.description


@pytest.mark.parametrize("target", ["#c0392b", "#2e7d32", "#1f3a93", "#f1c40f"])
@pytest.mark.parametrize("mirror", [False, True])
def test_recolored_suit_is_measured_on_a_busy_background(analyzer: OfflineAnalyzer, target: str, mirror: bool) -> None:
    img = outfit_photo(target, mirror=mirror, size=(800, 700), seed=len(target) + mirror)
    result = analyzer.analyze(img)
    suit = [g for g in result.garments if g.category in ("top", "outerwear")]
    assert suit and min(delta_e(g.color_hex, target) for g in suit) < 15, [(g.name, g.color_hex) for g in suit]
    assert not {"bottom", "footwear", "dress"} & set(by_category(result))


def test_skin_is_not_read_as_a_garment(analyzer: OfflineAnalyzer) -> None:
    # A suit recolored to a skin tone next to the face: the face must not pull the color.
    result = analyzer.analyze(recolor_suit(astronaut(), "#2e7d32"))
    assert all(delta_e(g.color_hex, "#e0b899") > 15 for g in result.garments)


def test_several_people_analyse_the_largest_and_say_so(analyzer: OfflineAnalyzer) -> None:
    img = busy_background((1400, 850), seed=7)
    img.paste(recolor_suit(astronaut(), "#2e7d32").resize((800, 800)), (560, 50))
    img.paste(ImageOps.mirror(grace()).resize((400, 470)), (40, 380))
    result = analyzer.analyze(img)
    assert any("2 people" in n and "largest" in n for n in result.notes), result.notes
    assert min(delta_e(c, "#2e7d32") for c in by_category(result).values()) < 15


def test_cropped_and_small_photos(analyzer: OfflineAnalyzer) -> None:
    top_half = grace().crop((0, 0, 512, 420))  # shoulders barely in: still a person, no invented legs
    result = analyzer.analyze(top_half)
    assert not {"bottom", "footwear"} & set(by_category(result))
    small = analyzer.analyze(grace().resize((128, 150)))
    assert small.garments or small.notes


def test_large_photo_is_analysed_on_a_working_copy(analyzer: OfflineAnalyzer) -> None:
    big = on_background(grace(), size=(4000, 3000), scale=4.5, seed=2)
    result = analyzer.analyze(big)
    assert "outerwear" in by_category(result)
    for box in result.boxes:  # boxes are in pixels of the photo itself
        assert box is not None and box[2] <= 4000 and box[3] <= 3000 and box[2] - box[0] > 200


@pytest.mark.parametrize("img", [
    Image.new("RGB", (640, 480), "#eeeeee"),
    Image.new("RGB", (8, 8), "red"),
    busy_background((640, 480), seed=11),
    make_outfit_photo(),  # a drawn figure is no person to the model
], ids=["blank", "tiny", "busy", "drawn"])
def test_no_person(analyzer: OfflineAnalyzer, img: Image.Image) -> None:
    result = analyzer.analyze(img)
    assert result.garments == [] and result.boxes == []
    assert any("No person was found" in n for n in result.notes)


def test_deterministic(analyzer: OfflineAnalyzer) -> None:
    img = outfit_photo("#6a3d9a", size=(700, 700), seed=4)
    assert analyzer.analyze(img).garments == analyzer.analyze(img.copy()).garments


def test_fallback_to_the_heuristic_when_the_model_cannot_load() -> None:
    problem = ModelUnavailableError("the LiteRT runtime is not installed (No module named 'ai_edge_litert')")
    analyzer = OfflineAnalyzer(load_model=lambda: problem)
    assert analyzer.model_problem() is problem
    result = analyzer.analyze(make_outfit_photo())  # the heuristic reads a drawn figure on a plain wall
    assert {g.category for g in result.garments} == {"top", "bottom", "footwear"}
    assert result.model == "color-heuristics" and "could not load" in result.notes[0]
    assert "ai_edge_litert" in result.notes[0]
    assert analyzer.locate(make_outfit_photo()) == {}


def test_model_problems_are_explained(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelUnavailableError, match="pose_detection.tflite is missing"):
        load_pose_model(tmp_path)
    (tmp_path / "pose_detection.tflite").write_bytes(b"not a model")
    (tmp_path / "pose_landmark_full.tflite").write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError, match="cannot be loaded"):
        load_pose_model(tmp_path)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    with pytest.raises(ModelUnavailableError, match="LiteRT runtime is not installed"):
        load_pose_model()


def test_mask_and_keypoints_are_on_the_person() -> None:
    model = shared_pose_model()
    assert not isinstance(model, ModelUnavailableError)
    pose = model.detect(grace())
    assert pose is not None and pose.people == 1 and pose.score > 0.9
    w, h = pose.size
    nose, ls, rs = (pose.keypoints[k] for k in ("nose", "left_shoulder", "right_shoulder"))
    assert nose.visibility > 0.9 and abs(nose.x - w / 2) < 0.15 * w and nose.y < 0.5 * h
    assert ls.x > rs.x  # the person's left is on the right of the photo
    mask = pose.mask > 0.5
    assert mask[int(nose.y), int(nose.x)] and not mask[5, 5]  # the face is person, the flag corner is not
    assert 0.3 < float(mask.mean()) < 0.8
    assert np.isfinite(pose.pixels).all()
