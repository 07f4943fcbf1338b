"""Body regions from given keypoints and a person mask: pure geometry, no model."""

from __future__ import annotations

import numpy as np

from relookx.vision.pose import KEYPOINT_NAMES, Keypoint
from relookx.vision.regions import body_regions

W, H = 400, 800


def standing(**overrides: tuple[float, float, float]) -> dict[str, Keypoint]:
    """A front-facing standing person, 100 px between the shoulders, feet at the bottom of a 400x800 photo."""
    points = {
        "nose": (200, 95), "left_eye": (212, 85), "right_eye": (188, 85), "left_ear": (225, 90),
        "right_ear": (175, 90), "mouth_left": (208, 110), "mouth_right": (192, 110),
        "left_shoulder": (250, 170), "right_shoulder": (150, 170), "left_elbow": (265, 250),
        "right_elbow": (135, 250), "left_wrist": (270, 320), "right_wrist": (130, 320),
        "left_hip": (230, 310), "right_hip": (170, 310), "left_knee": (228, 480), "right_knee": (172, 480),
        "left_ankle": (226, 650), "right_ankle": (174, 650), "left_heel": (224, 665), "right_heel": (176, 665),
        "left_foot_index": (240, 690), "right_foot_index": (160, 690),
    }
    out = {name: Keypoint(float(x), float(y), 0.99) for name, (x, y) in points.items()}
    for name in KEYPOINT_NAMES:
        out.setdefault(name, Keypoint(200.0, 100.0, 0.01))
    for name, (x, y, vis) in overrides.items():
        out[name] = Keypoint(x, y, vis)
    return out


def full_mask() -> np.ndarray:
    return np.ones((H, W), dtype=bool)


def rows(mask: np.ndarray | None) -> tuple[int, int]:
    assert mask is not None and mask.any()
    ys = np.nonzero(mask.any(axis=1))[0]
    return int(ys.min()), int(ys.max())


def test_standing_person_has_every_region_in_order() -> None:
    r = body_regions(standing(), full_mask())
    assert r is not None and r.unit == 100
    top, bottom, feet = rows(r.upper), rows(r.lower), rows(r.feet)
    assert 120 <= top[0] < 170 and 300 <= top[1] <= 350  # from the chin (the collar) down to the hips
    assert 270 <= bottom[0] <= 350 and 640 <= bottom[1] <= 680  # hips to ankles
    assert 620 <= feet[0] and feet[1] <= 720
    assert r.face is not None and rows(r.face)[1] < 130
    assert r.centre is not None and r.sides is not None and not (r.centre & r.sides).any()
    assert not r.legs_cut


def test_regions_stay_inside_the_person_mask() -> None:
    mask = np.zeros((H, W), dtype=bool)
    mask[:, 150:250] = True  # a narrow silhouette
    r = body_regions(standing(), mask)
    assert r is not None
    for part in (r.upper, r.lower, r.centre, r.sides, r.thighs, r.shins):
        assert part is not None and not (part & ~mask).any()


def test_no_legs_visible_means_no_bottom_and_no_shoes() -> None:
    hidden = {name: (200.0, 790.0, 0.05) for name in KEYPOINT_NAMES
              if name.split("_")[-1] in ("hip", "knee", "ankle", "heel", "index")}
    r = body_regions(standing(**hidden), full_mask())
    assert r is not None and r.upper is not None
    assert r.lower is None and r.feet is None
    # The torso goes on below the shoulders as far as hips would be, not into the whole photo.
    assert rows(r.upper)[1] < 360


def test_photo_cut_above_the_knees() -> None:
    cut = {name: (200.0, 900.0, 0.2) for name in ("left_knee", "right_knee", "left_ankle", "right_ankle",
                                                    "left_heel", "right_heel", "left_foot_index", "right_foot_index")}
    r = body_regions(standing(**cut), full_mask())
    assert r is not None and r.lower is not None and r.legs_cut and r.feet is None and r.shins is None


def test_sitting_person_thighs_follow_hips_to_knees() -> None:
    # Knees level with the hips and pointing left: the thighs are horizontal, the shins hang down.
    sitting = standing(left_knee=(100, 320, 0.95), right_knee=(80, 325, 0.95), left_ankle=(100, 490, 0.95),
                       right_ankle=(80, 495, 0.95), left_heel=(105, 505, 0.9), right_heel=(85, 510, 0.9),
                       left_foot_index=(70, 520, 0.9), right_foot_index=(50, 525, 0.9))
    r = body_regions(sitting, full_mask())
    assert r is not None and r.thighs is not None and r.shins is not None and r.feet is not None
    thigh_rows = rows(r.thighs)
    assert thigh_rows[1] - thigh_rows[0] < 150  # horizontal, not down to the floor
    assert int(np.nonzero(r.thighs.any(axis=0))[0].min()) < 110  # reaching the knees on the left
    assert rows(r.feet)[0] > 440


def test_side_view_uses_the_torso_length_as_scale() -> None:
    side = standing(left_shoulder=(205, 170, 0.99), right_shoulder=(195, 172, 0.99),
                    left_hip=(203, 310, 0.99), right_hip=(197, 311, 0.99))
    r = body_regions(side, full_mask())
    assert r is not None and r.unit > 80  # about 140 / 1.5, not the 10 px between the shoulders
    xs = np.nonzero(r.upper.any(axis=0))[0] if r.upper is not None else np.array([])
    assert xs.max() - xs.min() > 70


def test_no_shoulders_and_no_hips_gives_no_regions() -> None:
    hidden = {name: (0.0, 0.0, 0.1) for name in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")}
    assert body_regions(standing(**hidden), full_mask()) is None


def test_keypoints_outside_the_photo_do_not_count() -> None:
    outside = standing(left_ankle=(226, 1200, 0.99), right_ankle=(174, 1200, 0.99))
    r = body_regions(outside, full_mask())
    assert r is not None and r.shins is None and r.feet is None


def test_a_blob_beside_the_hand_is_a_bag_candidate() -> None:
    mask = np.zeros((H, W), dtype=bool)
    mask[150:750, 120:280] = True  # the body
    mask[300:430, 280:370] = True  # something held at the left hand, outside the body
    r = body_regions(standing(), mask)
    assert r is not None and r.bag is not None
    ys, xs = np.nonzero(r.bag)
    assert (xs >= 280).mean() > 0.8 and 290 <= ys.min() and ys.max() <= 440
    plain = body_regions(standing(), np.pad(np.ones((600, 160), bool), ((150, 50), (120, 120))))
    assert plain is not None and plain.bag is None
