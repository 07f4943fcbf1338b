"""Prompt building for the two preview modes: deterministic, the piece in place, a solid negative prompt."""

from __future__ import annotations

import pytest
from PIL import Image

from relookx.fashion.pieces import OutfitItem, Piece
from relookx.preview.prompts import build_prompts, clean, describe, outfit_after, person_word
from relookx.preview.types import PreviewRequest

GARMENTS = [
    OutfitItem(name="white t-shirt", category="top", color_name="white", color_hex="#ffffff"),
    OutfitItem(name="jeans", category="bottom", color_name="blue", color_hex="#1f3a93", material="denim"),
    OutfitItem(name="sneakers", category="footwear", color_name="white", color_hex="#ffffff"),
    OutfitItem(name="silver necklace", category="accessory", color_name="silver", color_hex="#c0c0c0"),
]
BLAZER = Piece(name="Tailored blazer", category="outerwear", color_name="camel", color_hex="#c19a6b", fit="slim")
SHIRT = Piece(name="linen shirt", category="top", color_name="sage green", color_hex="#9caf88")


def request(piece: Piece, mode: str, **kwargs: object) -> PreviewRequest:
    return PreviewRequest(photo=Image.new("RGB", (60, 90)), piece=piece, garments=list(GARMENTS), mode=mode,
                          **kwargs)  # type: ignore[arg-type]


def test_photo_mode_describes_only_the_new_piece() -> None:
    positive, negative = build_prompts(request(SHIRT, "photo", profile={"gender": "female"}))
    assert positive.startswith("sage green linen shirt, photo")
    for other in ("jeans", "sneakers", "necklace", "t-shirt", "woman"):
        assert other not in positive
    for bad in ("deformed hands", "extra limbs", "blurry", "watermark", "text", "nsfw"):
        assert bad in negative
    assert "different person" in negative


def test_newlook_describes_the_whole_outfit_with_the_piece_in_place() -> None:
    positive, negative = build_prompts(request(SHIRT, "newlook", profile={"gender": "female"}))
    assert positive.startswith("full-body photo of a woman wearing ")
    assert "(sage green linen shirt:1.2)" in positive
    assert "white t-shirt" not in positive  # the new top replaces the old one
    assert "blue denim jeans" in positive and "white sneakers" in positive and "silver necklace" in positive
    # head to toe: the shirt before the jeans before the sneakers
    assert positive.index("linen shirt") < positive.index("jeans") < positive.index("sneakers")
    assert "standing" in positive and "plain light background" in positive
    assert "multiple people" in negative and "deformed hands" in negative


def test_outerwear_is_added_over_the_top_and_prompts_are_deterministic() -> None:
    first = build_prompts(request(BLAZER, "newlook"))
    assert first == build_prompts(request(BLAZER, "newlook"))
    positive = first[0]
    assert "(camel slim tailored blazer:1.2)" in positive and "white t-shirt" in positive
    assert positive.index("blazer") < positive.index("t-shirt")


@pytest.mark.parametrize(("profile", "word"), [
    ({"gender": "male"}, "man"), ({"gender": "Woman"}, "woman"), ({"gender": "non-binary"}, "person"),
    ({}, "person"), ({"gender": None, "ethnicity": "whatever"}, "person"),
])
def test_person_comes_from_the_profile_gender_only(profile: dict[str, object], word: str) -> None:
    assert person_word(profile) == word
    positive, _ = build_prompts(request(SHIRT, "newlook", profile=profile))
    assert f"of a {word} wearing" in positive
    for invented in ("asian", "african", "caucasian", "european", "latina", "whatever", "years old"):
        assert invented not in positive


def test_a_dress_replaces_top_and_bottom_and_accessories_add_up() -> None:
    dress = Piece(name="wrap dress", category="dress", color_name="red", color_hex="#c0392b")
    names = [i.name for i in outfit_after(GARMENTS, dress)]
    assert names == ["wrap dress", "sneakers", "silver necklace"]
    scarf = Piece(name="silk scarf", category="accessory", color_name="navy", color_hex="#1f2a44")
    assert [i.name for i in outfit_after(GARMENTS, scarf)][-2:] == ["silver necklace", "silk scarf"]


def test_user_text_cannot_inject_prompt_syntax_and_colors_are_not_repeated() -> None:
    assert clean("red (beanie:1.5) <lora:x> [a|b]") == "red beanie 1.5 lora x a b"
    beanie = Piece(name="Red beanie", category="headwear", color_name="red", color_hex="#ff0000")
    assert describe(beanie) == "red beanie"
    piece = Piece(name="beanie ((masterpiece))", category="headwear", color_name="red", color_hex="#ff0000")
    positive, _ = build_prompts(request(piece, "photo"))
    assert "((" not in positive and positive.startswith("red beanie masterpiece,")


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown preview mode"):
        build_prompts(request(SHIRT, "sketch"))
