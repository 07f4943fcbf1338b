"""Masks from pose keypoints cover the piece's body region of the synthetic person, and only that."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from relookx.preview.client import WebuiClient
from relookx.preview.masks import build_mask, region_for
from relookx.preview.pose import BODY_18, Pose
from tests.imagegen import make_outfit_photo
from tests.sd_server import SDServer, synthetic_people

TOP, BOTTOM, SHOES, SKIN = (0xC0, 0x39, 0x2B), (0x1F, 0x3A, 0x93), (0x11, 0x11, 0x11), (0xE0, 0xB8, 0x99)


def pose_of(photo: Image.Image) -> Pose:
    """The keypoints the local webui finds on the photo (photo pixels)."""
    flat = synthetic_people(photo)[0]
    kps = {name: (flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]) for i, name in enumerate(BODY_18)}
    return Pose(keypoints=kps, width=photo.width, height=photo.height)


def pixels(photo: Image.Image, color: tuple[int, int, int]) -> np.ndarray:
    return np.all(np.asarray(photo) == np.array(color, np.uint8), axis=2)


def covered(mask: Image.Image, where: np.ndarray) -> float:
    """The fraction of the `where` pixels that the mask repaints."""
    return float((np.asarray(mask) > 127)[where].mean())


def head_unit(size: tuple[int, int]) -> tuple[float, float, float]:
    """imagegen's head unit u, width unit s and head top y for a photo size."""
    w, h = size
    u = 0.84 * h / 8
    return u, min(u, 0.9 * w / 3.2), 0.08 * h


@pytest.mark.parametrize(("category", "name", "region"), [
    ("top", "", "torso_arms"), ("outerwear", "blazer", "torso_arms"), ("dress", "", "torso_legs"),
    ("bottom", "jeans", "hips_ankles"), ("footwear", "", "feet"), ("headwear", "red beanie", "head"),
    ("accessory", "silk scarf", "neck"), ("accessory", "gold necklace", "neck"), ("accessory", "leather belt", "waist"),
    ("accessory", "tote bag", "hand_shoulder"), ("bag", "", "hand_shoulder"), ("accessory", "", "neck"),
    ("Denim Jackets", "", "torso_arms"), ("trousers", "", "hips_ankles"), ("other", "sneakers", "feet"),
])
def test_region_for(category: str, name: str, region: str) -> None:
    assert region_for(category, name) == region


@pytest.mark.parametrize("size", [(600, 900), (480, 900), (700, 800)])
def test_top_mask_covers_torso_and_arms_not_legs(size: tuple[int, int]) -> None:
    photo = make_outfit_photo(size=size, noise=0)
    mask, notes = build_mask(pose_of(photo), "top", photo.size)
    assert notes == [] and mask.mode == "L" and mask.size == photo.size
    assert set(np.unique(np.asarray(mask))) <= {0, 255}
    assert covered(mask, pixels(photo, TOP)) > 0.97
    assert covered(mask, pixels(photo, BOTTOM)) < 0.15
    assert covered(mask, pixels(photo, SHOES)) == 0.0


def test_trousers_mask_covers_the_legs() -> None:
    photo = make_outfit_photo(noise=0)
    mask, notes = build_mask(pose_of(photo), "bottom", photo.size, piece_name="wide trousers")
    assert notes == []
    assert covered(mask, pixels(photo, BOTTOM)) > 0.97
    assert covered(mask, pixels(photo, TOP)) < 0.05
    assert covered(mask, pixels(photo, SHOES)) < 0.3


def test_feet_mask_covers_the_shoes_only() -> None:
    photo = make_outfit_photo(noise=0)
    mask, _ = build_mask(pose_of(photo), "footwear", photo.size)
    assert covered(mask, pixels(photo, SHOES)) > 0.97
    assert covered(mask, pixels(photo, BOTTOM)) < 0.1
    assert covered(mask, pixels(photo, TOP)) == 0.0


def test_hat_mask_covers_the_top_of_the_head() -> None:
    photo = make_outfit_photo(noise=0)
    u, s, head_top = head_unit(photo.size)
    skin = pixels(photo, SKIN)
    upper_head = skin.copy()
    upper_head[round(head_top + 0.4 * u):] = False  # above the eyes
    mask, _ = build_mask(pose_of(photo), "headwear", photo.size, piece_name="red beanie")
    assert covered(mask, upper_head) > 0.97
    assert covered(mask, pixels(photo, TOP)) == 0.0
    below = np.zeros_like(skin)
    below[round(head_top + 0.7 * u):] = True
    assert covered(mask, below) == 0.0  # the mouth and chin are kept


def test_scarf_mask_covers_the_neck_and_belt_the_waist() -> None:
    photo = make_outfit_photo(noise=0)
    u, s, head_top = head_unit(photo.size)
    cx = photo.width / 2
    neck = np.zeros(pixels(photo, SKIN).shape, bool)
    neck[round(head_top + 1.0 * u):round(head_top + 1.25 * u), round(cx - 0.12 * s):round(cx + 0.12 * s)] = True
    mask, _ = build_mask(pose_of(photo), "accessory", photo.size, piece_name="silk scarf")
    assert covered(mask, neck) > 0.97
    assert covered(mask, pixels(photo, BOTTOM)) == 0.0
    belt, _ = build_mask(pose_of(photo), "accessory", photo.size, piece_name="leather belt")
    waist_y = round(head_top + 4.0 * u)
    assert np.asarray(belt)[waist_y, round(cx)] == 255
    assert np.asarray(belt)[round(head_top + 2 * u), round(cx)] == 0


def test_dress_mask_covers_bodice_and_skirt() -> None:
    photo = make_outfit_photo(noise=0, dress=True)
    mask, _ = build_mask(pose_of(photo), "dress", photo.size, piece_name="wrap dress")
    assert covered(mask, pixels(photo, TOP)) > 0.97
    assert covered(mask, pixels(photo, SHOES)) == 0.0


def test_bag_mask_is_on_one_side() -> None:
    photo = make_outfit_photo(noise=0)
    mask, _ = build_mask(pose_of(photo), "bag", photo.size)
    arr = np.asarray(mask) > 127
    half = photo.width // 2
    assert arr[:, :half].sum() > 10 * max(1, arr[:, half + 20:].sum())


def test_no_pose_falls_back_to_proportional_boxes_with_a_note() -> None:
    mask, notes = build_mask(None, "bottom", (400, 800))
    assert len(notes) == 1 and "guessed from the image's proportions" in notes[0]
    arr = np.asarray(mask)
    assert arr[600, 200] == 255 and arr[100, 200] == 0


def test_missing_keypoints_fall_back_with_a_note() -> None:
    photo = make_outfit_photo(noise=0)
    pose = pose_of(photo)
    for name in ("right_hip", "left_hip"):
        del pose.keypoints[name]
    mask, notes = build_mask(pose, "top", photo.size)
    assert "right_hip, left_hip" in notes[0]
    assert np.asarray(mask).max() == 255


def test_mask_drawn_at_another_size_scales_the_pose_and_can_be_feathered() -> None:
    photo = make_outfit_photo(noise=0)
    small = photo.resize((300, 450))
    mask, _ = build_mask(pose_of(photo), "top", small.size, feather=4)
    assert mask.size == (300, 450)
    assert covered(mask, pixels(small, TOP) & pixels(small.resize((300, 450)), TOP)) > 0.9
    assert len(np.unique(np.asarray(mask))) > 2  # a soft edge


def test_mask_from_the_webui_detected_pose(sd_server: SDServer) -> None:
    photo = make_outfit_photo(size=(601, 803), noise=3)
    pose = WebuiClient(sd_server.url, timeout_s=10).detect_pose(photo)
    assert pose is not None
    mask, notes = build_mask(pose, "bottom", photo.size)
    exact = make_outfit_photo(size=(601, 803), noise=0)
    assert notes == [] and covered(mask, pixels(exact, BOTTOM)) > 0.97
