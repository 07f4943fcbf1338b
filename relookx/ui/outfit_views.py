"""Outfits page widgets: a suggested outfit with keep boxes, the hand-logging form and the recent logs."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from relookx import wear
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.stylist.outfits import Outfit
from relookx.ui import components
from relookx.ui.safe import md_text

OUTFIT_KEY = "dress_me_outfit"


def outfit_card(outfit: Outfit, note: str) -> list[int]:
    """Draw the outfit (swatch, name, id, a Keep box per item) and its reasons; returns the kept ids."""
    kept = []
    with st.container(border=True):
        st.caption(f"Chosen by {outfit.backend}")
        for item_id, item in zip(outfit.item_ids, outfit.items, strict=True):
            row = st.container(horizontal=True, vertical_alignment="center")
            row.html(components.swatch_html(item.color_hex or "#cccccc", 22), width="content")
            row.markdown(f"**{md_text(item.name)}** · {item.category} · item #{item_id}")
            if row.checkbox("Keep", key=f"keep_{item_id}", help="Keep this piece when reshuffling the rest"):
                kept.append(item_id)
        st.markdown(f"**Why:** {md_text(outfit.explanation())}")
        if note:
            st.warning(note, icon=":material/info:")
    return kept


def log_form(engine: Engine, user_id: int, labels: dict[int, str]) -> None:
    """Log an outfit worn on a day without a photo: pick the items and the day."""
    with st.form("log_outfit_form", clear_on_submit=True):
        chosen = st.multiselect("Items worn", list(labels), format_func=lambda i: labels.get(i, str(i)),
                                key="log_items", placeholder="Pick the pieces of the outfit")
        day = st.date_input("Day", value=date.today(), max_value=date.today(), key="log_day")
        if st.form_submit_button("Log this outfit", key="log_submit", icon=":material/event_available:"):
            try:
                with session_scope(engine) as session:
                    wear.log_outfit(session, user_id=user_id, item_ids=chosen, worn_on=day)
            except RelookXError as exc:
                st.error(str(exc))
            else:
                st.toast(f"Outfit of {len(chosen)} item(s) logged on {day:%d %b %Y}.", icon=":material/check:")


def _undo(engine: Engine, user_id: int, wear_id: int) -> None:
    with session_scope(engine) as session:
        wear.undo(session, user_id=user_id, wear_id=wear_id)
    st.toast("Logged outfit removed.", icon=":material/undo:")


def recent_logs(engine: Engine, user_id: int) -> None:
    """The latest outfits logged by hand or from a suggestion, each with an Undo button."""
    with session_scope(engine) as session:
        rows: list[dict[str, Any]] = wear.logged(session, user_id=user_id, limit=10)
    if not rows:
        st.caption("No outfits logged by hand yet. Photos count by themselves: each is an outfit worn on the "
                   "day it was taken.")
        return
    for row in rows:
        line = st.container(horizontal=True, vertical_alignment="center")
        source = " (suggested)" if row["source"] == "suggestion" else ""
        line.markdown(f"{row['worn_on']:%a %d %b %Y}{source}: {md_text(', '.join(row['items']))}")
        line.button("Undo", key=f"undo_wear_{row['id']}", icon=":material/undo:", on_click=_undo,
                    args=(engine, user_id, row["id"]))
