"""Chat answers computed from the user's data: wardrobe questions, offline talk, the model's context."""

from __future__ import annotations

from typing import Any

import pytest

from relookx.fashion.colors import COLORS
from relookx.stylist.answers import (
    answer_wardrobe_question,
    chat_messages,
    color_family,
    offline_chat_answer,
    pending_feature_answer,
    wardrobe_context,
)


def garment(id_: int, photo: int | None, name: str, category: str, color: str, price: float | None,
            context: str = "") -> dict[str, Any]:
    return {"id": id_, "photo_number": photo, "name": name, "category": category, "color_name": color,
            "color_hex": COLORS[color], "price": price, "context": context}


WARDROBE = [
    garment(1, 1, "Navy sweater", "top", "navy", 45, "work, casual"),
    garment(2, 1, "Blue jeans", "bottom", "blue", 60, "casual, weekend"),
    garment(3, 2, "Light blue shirt", "top", "light blue", 30, "work"),
    garment(4, 2, "Black sneakers", "footwear", "black", 80, "casual"),
    garment(5, 5, "Red top", "top", "red", None, "party"),
    garment(6, 5, "White sneakers", "footwear", "white", 70, "casual, weekend"),
    garment(7, 5, "Black blazer", "outerwear", "black", 120.5, "work and evening"),
    garment(8, None, "Teal scarf", "accessory", "teal", 15),
]
PHOTOS = [{"number": n, "status": "done"} for n in (1, 2, 5)]


def ask(question: str, garments: list[dict[str, Any]] = WARDROBE, photos: list[dict[str, Any]] = PHOTOS) -> str:
    return answer_wardrobe_question(question, garments, photos)


def test_blue_tops_count_navy_and_light_blue_but_not_jeans_nor_teal() -> None:
    answer = ask("how many blue tops do I have?")
    assert "**2** blue tops" in answer
    assert "Navy sweater (image 1, 45)" in answer and "Light blue shirt (image 2, 30)" in answer
    assert "jeans" not in answer.lower() and "scarf" not in answer.lower()
    assert "navy ×1" in answer and "light blue ×1" in answer  # the shades that were counted


def test_a_named_shade_counts_only_close_colors() -> None:
    answer = ask("how many navy tops do I have?")
    assert "**1** navy top:" in answer and "Light blue" not in answer


def test_none_of_a_color_says_which_colors_there_are() -> None:
    answer = ask("how many green tops do I have?")
    assert answer.startswith("You have no green tops.")
    assert "navy ×1" in answer and "red ×1" in answer


def test_most_common_color() -> None:
    answer = ask("what's my most common color?")
    assert answer.startswith("Your most common color is **black** (2 of 8 garments).")
    assert "blue 3" in answer  # families: navy, blue and light blue


def test_wardrobe_worth() -> None:
    answer = ask("how much is my wardrobe worth?")
    assert "**420.50**" in answer and "7 of 8 priced" in answer and "average 60.07" in answer
    assert "footwear 150" in answer


def test_list_shoes_with_image_numbers() -> None:
    answer = ask("list my shoes")
    assert answer == "Your footwear (2): Black sneakers (image 2, 80), White sneakers (image 5, 70)."


def test_garments_of_one_photo_and_an_unknown_photo() -> None:
    assert ask("what's in image 2?").startswith("Your garments in image 2 (2): Light blue shirt")
    assert ask("what's in image 9?") == "There is no image 9 in your wardrobe. Your images: 1, 2, 5."


def test_a_specific_garment_word_counts_by_name() -> None:
    assert "**2** sneakers" in ask("how many sneakers do I have?")
    assert "**1** jeans" in ask("how many jeans do I have?")


def test_occasions_and_photo_count() -> None:
    assert "casual 4, work 3" in ask("which occasions are my clothes for?")
    assert ask("how many photos do I have?") == "You have uploaded **3** photos (3 analysed)."
    assert "Black blazer (image 5, 120.50)" in ask("show me my work clothes")


def test_most_expensive() -> None:
    assert ask("what is my most expensive item?").startswith("Your most expensive garments: Black blazer")


def test_empty_wardrobe_says_how_to_start() -> None:
    answer = ask("how many blue tops do I have?", garments=[], photos=[])
    assert "Images" in answer and "Wardrobe" in answer
    pending = ask("how many tops?", garments=[], photos=[{"number": 1, "status": "pending"}])
    assert "1 photo but no garments" in pending and "1 still waiting" in pending


@pytest.mark.parametrize(("color", "family"), [
    ("navy", "blue"), ("denim", "blue"), ("light blue", "blue"), ("teal", "teal"), ("camel", "brown"),
    ("cream", "beige"), ("khaki", "beige"), ("olive", "green"), ("mustard", "yellow"), ("burgundy", "red"),
    ("lavender", "purple"), ("blush", "pink"), ("charcoal", "grey"), ("off-white", "white"), ("black", "black"),
])
def test_color_families(color: str, family: str) -> None:
    assert color_family(COLORS[color]) == family


def test_offline_chat_answer_is_honest_and_tailored() -> None:
    fresh = offline_chat_answer("is navy ok with black?", garment_count=0, photo_count=0)
    assert "MISTRAL_API_KEY" in fresh and "no photos yet" in fresh and "Images" in fresh
    assert "can't hold an open conversation" in fresh
    used = offline_chat_answer("hello", garment_count=8, photo_count=3, latest_photo=5)
    assert used.startswith("Hello!") and "3 photos and 8 garments" in used and "image 5" in used


def test_pending_features() -> None:
    preview = pending_feature_answer("preview")
    assert "Stable Diffusion" in preview and "ControlNet" in preview and "ADetailer" in preview
    assert "not available" in preview
    shop = pending_feature_answer("shop")
    assert "prices" in shop and "links" in shop and "not available" in shop
    with pytest.raises(ValueError):
        pending_feature_answer("chat")


def test_wardrobe_context_lists_photos_and_is_capped() -> None:
    context = wardrobe_context(WARDROBE, PHOTOS)
    assert "8 garments" in context and "Palette: black 2" in context
    assert "Image 2: Light blue shirt (top, light blue, 30); Black sneakers (footwear, black, 80)" in context
    assert "Without photo: Teal scarf" in context
    many = [garment(i, i, f"Shirt {i}", "top", "white", 20) for i in range(1, 400)]
    capped = wardrobe_context(many, [{"number": i} for i in range(1, 400)], max_chars=1500)
    assert len(capped) <= 1500 and "more photos" in capped and "Image 399" in capped
    assert wardrobe_context([], []) == "No garments yet (0 photos)."


def test_chat_messages() -> None:
    history = [("user", "hi"), ("assistant", "Hello!"), ("system", "ignored"), ("user", "x" * 5000)]
    messages = chat_messages("is navy ok with black?", history=history, wardrobe_summary="8 garments")
    assert messages[0]["role"] == "system" and messages[0]["content"].endswith("8 garments")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "user"]
    assert len(messages[3]["content"]) == 2000
    assert messages[-1] == {"role": "user", "content": "is navy ok with black?"}
