"""The offline mock-up preview, on synthetic outfit photos."""

from __future__ import annotations

import colorsys
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from relookx.fashion.colors import hex_to_rgb
from relookx.fashion.pieces import Piece
from relookx.preview.mockup import make_mockup
from relookx.preview.types import PreviewRequest, PreviewResult
from tests.imagegen import make_outfit_photo

RED_TOP, NAVY_BOTTOM = "#c0392b", "#1f3a93"
# Patches well inside the figure drawn by make_outfit_photo at its default 600x900 size.
CHEST = (265, 230, 335, 360)  # x0, y0, x1, y1
LEFT_SHIN = (258, 600, 288, 760)


def make_piece(**overrides: object) -> Piece:
    """An emerald top, with keyword overrides."""
    fields: dict[str, object] = {
        "name": "Emerald cotton overshirt", "category": "top", "color_name": "emerald",
        "color_hex": "#1e8449", "price": 59.0, "reason": "Green complements the red.",
    }
    fields.update(overrides)
    return Piece(**fields)  # type: ignore[arg-type]


def mockup(photo: Image.Image, piece: Piece, **kwargs: object) -> tuple[PreviewResult, Image.Image]:
    """The mock-up result and its decoded image."""
    result = make_mockup(PreviewRequest(photo=photo, piece=piece), **kwargs)  # type: ignore[arg-type]
    return result, Image.open(io.BytesIO(result.image)).convert("RGB")


def patch(img: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    """The pixels of `box` as an (n, 3) float array."""
    return np.asarray(img.crop(box), dtype=np.float64).reshape(-1, 3)


def distance_to(img: Image.Image, box: tuple[int, int, int, int], hex_: str) -> float:
    """Mean RGB distance of the box's pixels to a colour."""
    return float(np.linalg.norm(patch(img, box) - np.array(hex_to_rgb(hex_)), axis=1).mean())


def mean_hue(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Hue in degrees of the box's mean colour."""
    r, g, b = patch(img, box).mean(axis=0) / 255.0
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360.0


def hue_gap(a: float, b: float) -> float:
    """The angle between two hues, 0..180."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    """A person in a red top and navy trousers, 600x900."""
    return make_outfit_photo(top=RED_TOP, bottom=NAVY_BOTTOM)


def test_result_is_a_labelled_png_wider_than_the_photo(photo: Image.Image) -> None:
    result, img = mockup(photo, make_piece())
    assert result.image.startswith(b"\x89PNG\r\n\x1a\n")
    assert (result.format, result.backend, result.mode, result.warnings) == ("png", "mockup", "photo", [])
    assert img.height == photo.height and img.width > photo.width * 1.3  # the side panel
    assert result.params["region"] == "torso_arms"
    assert result.params["color_hex"] == "#1e8449"
    assert 0 < result.seconds < 5


def test_top_recolours_the_torso_and_leaves_the_legs(photo: Image.Image) -> None:
    piece = make_piece()
    _, img = mockup(photo, piece)
    before, after = distance_to(photo, CHEST, piece.color_hex), distance_to(img, CHEST, piece.color_hex)
    assert after < 0.3 * before
    assert hue_gap(mean_hue(img, CHEST), mean_hue(Image.new("RGB", (1, 1), piece.color_hex), (0, 0, 1, 1))) < 15
    assert np.abs(patch(img, LEFT_SHIN) - patch(photo, LEFT_SHIN)).mean() < 1.0
    # The background beside the figure is not tinted either.
    side = (20, 300, 120, 500)
    assert np.abs(patch(img, side) - patch(photo, side)).mean() < 1.0


def test_trousers_recolour_the_legs_and_leave_the_torso(photo: Image.Image) -> None:
    piece = make_piece(name="Camel chinos", category="bottom", color_name="camel", color_hex="#c19a6b")
    result, img = mockup(photo, piece)
    assert result.params["region"] == "hips_ankles"
    before, after = distance_to(photo, LEFT_SHIN, piece.color_hex), distance_to(img, LEFT_SHIN, piece.color_hex)
    assert after < 0.3 * before
    assert np.abs(patch(img, CHEST) - patch(photo, CHEST)).mean() < 1.0


def test_shading_survives_the_tint() -> None:
    photo = make_outfit_photo(top="#d0d0d0")
    ImageDraw.Draw(photo).rectangle((241, 290, 359, 320), fill="#707070")  # a fold's shadow across the chest
    _, img = mockup(photo, make_piece(color_hex="#2e86c1", color_name="blue"))
    luma = np.asarray(img.convert("L"), dtype=np.float64)
    shadow, lit = luma[295:315, 270:330].mean(), luma[240:280, 270:330].mean()
    assert lit - shadow > 40  # the fold is still there, in blue


def test_panel_shows_a_swatch_of_the_piece_colour(photo: Image.Image) -> None:
    piece = make_piece(color_hex="#8e44ad", color_name="purple")
    _, img = mockup(photo, piece)
    column = np.asarray(img, dtype=np.int16)[:, photo.width + (img.width - photo.width) // 2]
    matches = np.abs(column - np.array(hex_to_rgb(piece.color_hex))).max(axis=1) <= 2
    assert matches.sum() > 0.08 * img.height
    # The dark "MOCK-UP" label sits above the swatch.
    first_swatch_row = int(np.argmax(matches))
    assert (column[:first_swatch_row].max(axis=1) < 60).sum() > 10


def test_output_is_deterministic(photo: Image.Image) -> None:
    first, _ = mockup(photo, make_piece())
    second, _ = mockup(photo, make_piece())
    assert first.image == second.image
    assert first.params == second.params


def test_given_mask_is_used_and_resized(photo: Image.Image) -> None:
    mask = Image.new("L", (photo.width * 2, photo.height * 2), 0)
    ImageDraw.Draw(mask).rectangle((480, 1100, 1240, 1640), fill=255)  # the legs, at twice the size
    piece = make_piece()
    result, img = mockup(photo, piece, mask=mask)
    assert result.params["mask_source"] == "given"
    assert distance_to(img, LEFT_SHIN, piece.color_hex) < 0.3 * distance_to(photo, LEFT_SHIN, piece.color_hex)
    assert np.abs(patch(img, CHEST) - patch(photo, CHEST)).mean() < 1.0


def test_huge_photo_is_downscaled() -> None:
    huge = make_outfit_photo(size=(4000, 6000), noise=0.0)
    result, img = mockup(huge, make_piece())
    assert img.height <= 1024 and result.params["scale"] < 0.2
    assert result.params["photo_size"] == [683, 1024]


def test_tiny_photo_is_enlarged_so_the_text_stays_readable() -> None:
    _, img = mockup(make_outfit_photo(size=(200, 300)), make_piece())
    assert img.height >= 720


def test_unknown_colour_falls_back_to_the_colour_name_then_grey(photo: Image.Image) -> None:
    named, _ = mockup(photo, make_piece(color_hex="", color_name="navy"))
    assert named.params["color_hex"] != "#808080" and named.warnings == []
    unknown, _ = mockup(photo, make_piece(color_hex="nope", color_name="zzz"))
    assert unknown.params["color_hex"] == "#808080"
    assert "unknown" in unknown.warnings[0]


def test_a_hat_goes_on_the_crown_not_over_the_face(photo: Image.Image) -> None:
    piece = make_piece(name="Blue beanie", category="headwear", color_name="blue", color_hex="#2e86c1")
    result, img = mockup(photo, piece)
    assert result.params["region"] == "head" and "crown only" in result.params["refinements"]
    crown, face = (285, 80, 315, 95), (285, 125, 315, 150)  # the head spans y 72..166
    assert distance_to(img, crown, piece.color_hex) < 0.5 * distance_to(photo, crown, piece.color_hex)
    assert np.abs(patch(img, face) - patch(photo, face)).mean() < 1.0
