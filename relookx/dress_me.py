"""Dress me for a user: their items with wear recency -> an outfit (by rule, or by Mistral among their ids).

"I wore this today" logs the outfit in the wear log (source "suggestion").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from mistralai.client import Mistral
from sqlalchemy.engine import Engine

from relookx import wardrobe_items, wear
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.fashion.pieces import OutfitItem
from relookx.models import Wear
from relookx.stylist.outfits import Outfit, Owned, occasion_key, suggest
from relookx.stylist.palette import season_of

log = logging.getLogger(__name__)


def owned_items(engine: Engine, *, user_id: int, today: date | None = None) -> list[Owned]:
    """The user's items with the days since each was last worn."""
    with session_scope(engine) as session:
        data = wardrobe_items.load(session, user_id=user_id, today=today)
    days = dict(zip(data.stats["id"].tolist(), data.stats["days_since"].tolist(), strict=True))
    return [Owned(id=row["id"], item=OutfitItem(
        name=row["name"], category=row["category"], color_name=row["color_name"], color_hex=row["color_hex"],
        pattern=row["pattern"], material=row["material"], fit=row["fit"], price=row["price"],
        context=row["context"], description=row["description"]),
        days_since_worn=None if days.get(row["id"]) != days.get(row["id"]) else days.get(row["id"]))
        for row in data.rows]


def dress_me(
    engine: Engine, settings: Settings, *, user_id: int, occasion: str = "", day: date | None = None,
    keep: Sequence[int] = (), seed: int = 0, client: Callable[[], Mistral] | None = None,
) -> tuple[Outfit, str]:
    """An outfit for the day's season and the occasion, and a note ("" or why the rules answered).

    With a Mistral client (and nothing kept) the model chooses among the user's ids; a refused or failed
    answer falls back to the rules, saying so.
    """
    when = day or date.today()
    season = season_of(when)
    owned = owned_items(engine, user_id=user_id, today=date.today())
    if not owned:
        raise RelookXError("Your wardrobe is empty: upload outfit photos or add items on the Wardrobe page first.")
    if client is not None and not keep:
        from relookx.stylist.outfit_mistral import suggest_with_mistral

        try:
            return suggest_with_mistral(client(), model=settings.chat_model, owned=owned, occasion=occasion,
                                        season=season, timeout_s=settings.mistral_timeout_s), ""
        except RelookXError as exc:
            log.warning("dress me with Mistral failed, using the rules: %s", exc)
            note = f"Mistral could not choose ({exc}); this outfit was chosen by the stylist's rules."
            return suggest(owned, occasion=occasion, season=season, seed=seed), note
    return suggest(owned, occasion=occasion, season=season, keep=keep, seed=seed), ""


def wore_it(engine: Engine, *, user_id: int, outfit: Outfit, day: date | None = None) -> Wear:
    """Log a suggested outfit as worn (today by default)."""
    with session_scope(engine) as session:
        return wear.log_outfit(session, user_id=user_id, item_ids=outfit.item_ids, worn_on=day or date.today(),
                               source="suggestion")


def describe(outfit: Outfit) -> str:
    """The outfit as one line of its items with their ids."""
    return ", ".join(f"{item.name} (#{item_id})" for item_id, item in zip(outfit.item_ids, outfit.items,
                                                                           strict=True))


def chat_answer(engine: Engine, settings: Settings, *, user_id: int, text: str, occasion: str = "",
                client: Callable[[], Mistral] | None = None) -> str:
    """The chat's answer to "what should I wear to the office tomorrow?": an outfit of their items, explained."""
    low = text.lower()
    day = date.today() + timedelta(days=1) if "tomorrow" in low else date.today()
    outfit, note = dress_me(engine, settings, user_id=user_id, occasion=occasion, day=day, client=client)
    when = "tomorrow" if "tomorrow" in low else "today"
    lead = f"For {occasion_key(occasion)} {when}" if occasion else f"For {when}"
    lines = [f"{lead}, from your wardrobe: {describe(outfit)}.", f"Why: {outfit.explanation()}"]
    if note:
        lines.append(note)
    lines.append("On the Outfits page you can keep a piece and reshuffle the rest, and log it as worn.")
    return "\n\n".join(lines)
