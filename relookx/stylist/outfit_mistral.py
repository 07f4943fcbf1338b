"""Dress me with Mistral: the model picks an outfit among the user's item ids only, and its choice is checked."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pydantic
from mistralai.client import Mistral

from relookx import llm
from relookx.errors import RelookXError, ServiceError
from relookx.stylist.outfits import Outfit, Owned, check_choice, color_rule_of, occasion_key
from relookx.stylist.palette import harmony

SYSTEM = (
    "You are RelookX, a personal stylist. Put together ONE outfit for the occasion and season using ONLY "
    "the user's items listed below, referred to by their id. An outfit is a top and a bottom, or a dress; "
    "footwear; optionally one outer layer and one accessory. Never use an id that is not listed and never "
    "use an item twice. Prefer items not worn recently (days_since_worn is large or null). Reply with one "
    'JSON object: {"item_ids": [ids], "reason": "two sentences: the color harmony and why these pieces"}.'
)


class _Choice(pydantic.BaseModel):
    """The model's answer."""

    item_ids: list[int]
    reason: str


def _listing(owned: Sequence[Owned]) -> list[dict[str, object]]:
    return [{"id": o.id, "name": o.item.name, "category": o.item.category, "color": o.item.color_name,
             "color_hex": o.item.color_hex, "occasions": o.item.context, "material": o.item.material,
             "days_since_worn": None if o.days_since_worn is None else int(o.days_since_worn)} for o in owned]


def suggest_with_mistral(client: Mistral, *, model: str, owned: Sequence[Owned], occasion: str, season: str,
                         timeout_s: float) -> Outfit:
    """Ask the model for an outfit; ServiceError when it twice picks ids or shapes that are not allowed."""
    occasion = occasion_key(occasion)
    messages: list[llm.Message] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": json.dumps({"occasion": occasion or "any", "season": season,
                                                "items": _listing(owned)}, ensure_ascii=False)},
    ]
    problem = ""
    for _attempt in (1, 2):
        choice = llm.complete_json(client, model=model, messages=messages, schema=_Choice, timeout_s=timeout_s)
        try:
            chosen = check_choice(owned, choice.item_ids)
        except RelookXError as exc:
            problem = str(exc)
            messages = [*messages, {"role": "assistant", "content": choice.model_dump_json()},
                        {"role": "user", "content": f"That outfit is not allowed: {problem}. Choose again from "
                                                    "the listed ids only."}]
            continue
        pieces = [o.item for o in chosen]
        return Outfit(item_ids=[o.id for o in chosen], items=pieces, color_rule=color_rule_of(pieces),
                      harmony=harmony(pieces).score, reasons=[choice.reason.strip().rstrip(".")],
                      backend=f"mistral ({model})")
    raise ServiceError(f"Mistral model {model} twice chose an outfit that is not allowed ({problem}).")
