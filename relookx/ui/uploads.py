"""The Images page's upload batch and its per-photo widgets: statuses, progress, garments by hand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import streamlit as st

from relookx import pending, photos, store, wardrobe
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.garments import CATEGORIES
from relookx.models import Photo
from relookx.ui import components
from relookx.ui.context import AppContext
from relookx.ui.safe import md_text
from relookx.vision.base import OutfitAnalyzer

State = Literal["running", "complete", "error"]


def status_label(filename: str, photo: Photo, found: int) -> tuple[str, State]:
    """The label and state of a photo's status box once its analysis ended."""
    if photo.status == "done":
        return f"{filename}: image {photo.number}, {found} garments ({photo.analyzer})", "complete"
    if photo.status == "no_person":
        return (f"{filename}: image {photo.number}, no person found: add its garments by hand on the photo below",
                "error")
    return f"{filename}: image {photo.number} kept, analysis failed: {photo.error}", "error"


def run_batch(ctx: AppContext, analyzer: OutfitAnalyzer, files: Sequence[Any]) -> None:
    """Store the uploads in order, analyse them in a pool, and show one status per photo and a progress bar."""
    bar = st.progress(0.0, text=f"0 of {len(files)} photos")
    boxes = [st.status(f"{f.name}: checking the file", expanded=False) for f in files]
    index_of = {}

    def stored(index: int, outcome: photos.UploadOutcome) -> None:
        index_of[id(outcome)] = index
        box = boxes[index]
        if outcome.photo is None:
            box.update(label=outcome.error, state="error", expanded=True)
            box.error(outcome.error, icon=":material/block:")
        else:
            box.update(label=f"{outcome.filename}: stored as image {outcome.photo.number}, pending")

    def analysed(done: int, total: int, outcome: photos.UploadOutcome) -> None:
        bar.progress(done / total, text=f"{done} of {total} photos")
        if outcome.photo is None:
            return
        box = boxes[index_of[id(outcome)]]
        with session_scope(ctx.engine) as session:
            found = store.list_garments(session, user_id=ctx.user_id, photo_id=outcome.photo.id)
        label, state = status_label(outcome.filename, outcome.photo, len(found))
        box.update(label=label, state=state)
        with box:
            if outcome.photo.status == "no_person":
                st.warning(outcome.photo.note, icon=":material/person_off:")
            components.garment_list(found, ctx.storage)

    photos.add_and_analyze_batch(ctx.engine, ctx.storage, ctx.settings, analyzer, user_id=ctx.user_id,
                                 files=[(f.name, f.getvalue()) for f in files], on_stored=stored,
                                 on_progress=analysed)


def add_by_hand_form(ctx: AppContext, photo: Photo) -> None:
    """A small form that adds a garment seen on this photo, typed by the user."""
    with st.form(f"hand_form_{photo.number}", clear_on_submit=True, border=False):
        name = st.text_input("Name", key=f"hand_name_{photo.number}", placeholder="Navy wool coat")
        category = st.selectbox("Category", CATEGORIES, key=f"hand_category_{photo.number}")
        color = st.text_input("Color", key=f"hand_color_{photo.number}", placeholder="navy or #1f2a44")
        if st.form_submit_button("Add to this photo", key=f"hand_submit_{photo.number}", icon=":material/add:"):
            try:
                with session_scope(ctx.engine) as session:
                    wardrobe.add_by_hand(session, user_id=ctx.user_id, name=name, category=category, color=color,
                                         photo_id=photo.id)
            except RelookXError as exc:
                st.error(str(exc))
            else:
                st.toast(f"{md_text(name.strip())} added to image {photo.number}.", icon=":material/check:")
                st.rerun()


def resume(ctx: AppContext, analyzer: OutfitAnalyzer, waiting: Sequence[Photo]) -> None:
    """Analyse photos left pending (an interrupted batch), unless another run analyses them meanwhile."""
    with st.status(f"Resuming the analysis of {len(waiting)} photo(s) left pending", expanded=False) as box:
        for photo in waiting:
            done = pending.analyze_claimed(ctx.engine, ctx.storage, analyzer, ctx.settings, user_id=ctx.user_id,
                                           photo_id=photo.id or 0)
            st.write(f"Image {photo.number}: " + ("analysed elsewhere meanwhile" if done is None else done.status))
        box.update(label=f"Resumed {len(waiting)} photo(s) left pending", state="complete")


def photo_notes(ctx: AppContext, photo: Photo) -> None:
    """What the analysis of this photo said: why nothing was found, or what it assumed."""
    if photo.status == "pending":
        st.caption("Not analysed yet: its analysis was interrupted, or runs elsewhere right now.")
    elif photo.status == "failed":
        st.error(photo.error, icon=":material/error:")
    elif photo.status == "no_person":
        st.warning(photo.note or "No person or garment was found on this photo.", icon=":material/person_off:")
        with st.expander("Add a garment from this photo by hand", icon=":material/add:"):
            add_by_hand_form(ctx, photo)
    elif photo.analyzer == "offline":
        st.caption("Estimated offline: check and correct the tags in Wardrobe.")
        shown = [line for line in photo.note.splitlines() if not line.startswith(("Offline estimate",))]
        if shown:
            st.caption(" ".join(shown))
