"""Images: upload outfit photos, watch them being analysed, browse and manage the gallery."""

import math
from collections import defaultdict
from datetime import date, datetime

import streamlit as st

from relookx import history, items, pending, photos, store, wear
from relookx.db import session_scope
from relookx.errors import NotFoundError, RelookXError
from relookx.ui import components, deps, uploads, wear_panels
from relookx.ui.cards import preview_gallery
from relookx.ui.context import app_context

ctx = app_context()
ACTION_KEY = "images_action"


def request(action: str, number: int) -> None:
    """Remember a gallery action; it is carried out at the top of the next run."""
    st.session_state[ACTION_KEY] = (action, number)


def get_analyzer():  # noqa: ANN201 - the page edge: show configuration errors instead of raising
    try:
        return deps.get_analyzer(ctx.settings)
    except RelookXError as exc:
        st.error(f"The photo analyzer cannot start: {exc}")
        st.stop()


st.title("Images")
st.caption(f"Photo analysis: {components.analyzer_label(ctx.settings)}")

action, number = st.session_state.pop(ACTION_KEY, (None, None))
if action == "delete":
    st.session_state.pop("confirm_delete", None)
    try:
        photo = photos.delete(ctx.engine, ctx.storage, user_id=ctx.user_id, number=number)
    except NotFoundError:  # deleted meanwhile (another tab, a double click)
        st.warning(f"Image {number} was already deleted.", icon=":material/info:")
    except RelookXError as exc:  # the storage could not remove a file: nothing was deleted
        st.error(f"Image {number} was not deleted: {exc}", icon=":material/error:")
    else:
        st.toast(f"Image {photo.number} and its garments were deleted.", icon=":material/delete:")
elif action == "date":
    day = st.session_state.get(f"taken_date_{number}")
    try:
        with session_scope(ctx.engine) as session:
            store.set_taken_at(session, user_id=ctx.user_id, number=number,
                               taken_at=datetime.combine(day, datetime.min.time().replace(hour=12)))
    except RelookXError as exc:
        st.error(str(exc))
    else:
        st.toast(f"Image {number}: worn on {day:%d %b %Y}.", icon=":material/event:")
elif action == "analyze":
    try:
        with session_scope(ctx.engine) as session:
            target = store.get_photo(session, user_id=ctx.user_id, number=number)
        with st.spinner(f"Analysing image {number}..."):
            done = pending.analyze_claimed(ctx.engine, ctx.storage, get_analyzer(), ctx.settings,
                                           user_id=ctx.user_id, photo_id=target.id or 0, force=True)
    except NotFoundError:
        st.warning(f"Image {number} was deleted: there is nothing to analyse.", icon=":material/info:")
    else:
        if done is None or done.status == "done":
            st.toast(f"Image {number} analysed.", icon=":material/check:")
        elif done.status == "no_person":
            st.warning(f"Image {number}: no person found. {done.note}", icon=":material/person_off:")
        else:
            st.error(f"Image {number} could not be analysed: {done.error}")

with st.form("upload_form", clear_on_submit=True):
    files = st.file_uploader(
        "Add outfit photos", accept_multiple_files=True, key="upload_files",
        max_upload_size=max(1, math.ceil(ctx.settings.max_upload_mb)),
        help=f"JPEG, PNG, WebP or HEIC, up to {ctx.settings.max_upload_mb:g} MB each. "
             "Location data and other metadata are removed before storing.",
    )
    submitted = st.form_submit_button("Upload and analyse", type="primary", key="upload_submit",
                                      icon=":material/upload:")

if submitted and not files:
    st.warning("Choose one or more photos first.")
elif submitted:
    uploads.run_batch(ctx, get_analyzer(), files)

waiting = pending.resumable(ctx.engine, ctx.settings, user_id=ctx.user_id)
if waiting:  # left pending by a batch whose tab closed or whose server restarted: resumed by their owner
    uploads.resume(ctx, get_analyzer(), waiting)
wear_panels.questions_panel(ctx.engine, ctx.user_id)

with session_scope(ctx.engine) as session:
    gallery = store.list_photos(session, user_id=ctx.user_id)[::-1]
    by_photo = defaultdict(list)
    item_photos = items.item_photo_numbers(session, user_id=ctx.user_id)
    for garment in store.list_garments(session, user_id=ctx.user_id):
        by_photo[garment.photo_id].append(garment)

if not gallery:
    st.info("No photos yet: add a full-length outfit photo above to fill your wardrobe.",
            icon=":material/photo_camera:")
    st.stop()


st.subheader(f"Your photos ({len(gallery)})")
PER_PAGE = 12
pages = (len(gallery) + PER_PAGE - 1) // PER_PAGE
if pages > 1:
    page_no = st.selectbox("Page", range(1, pages + 1), key="gallery_page", width=200,
                           format_func=lambda n: f"Page {n} of {pages}")
    gallery = gallery[(page_no - 1) * PER_PAGE:page_no * PER_PAGE]
for row_start in range(0, len(gallery), 3):
    for col, photo in zip(st.columns(3), gallery[row_start:row_start + 3], strict=False):
        with col.container(border=True):
            components.thumbnail(ctx.storage, photo)
            st.markdown(f"{components.photo_caption(photo)} {components.STATUS_BADGES[photo.status]}")
            uploads.photo_notes(ctx, photo)
            worn_on = wear.photo_day(photo)
            with st.popover(f"Worn on {worn_on:%d %b %Y}", icon=":material/event:", key=f"taken_{photo.number}"):
                st.date_input("Day this photo was taken", value=worn_on, max_value=date.today(),
                              key=f"taken_date_{photo.number}")
                st.button("Save the date", key=f"save_taken_{photo.number}", on_click=request,
                          args=("date", photo.number))
            if photo.status != "pending":
                components.garment_list(by_photo.get(photo.id, []), ctx.storage)
            if worn_before := wear_panels.seen_elsewhere(by_photo.get(photo.id, []), item_photos, photo.number):
                st.caption(worn_before)
            if st.session_state.get("confirm_delete") == photo.number:
                count = len(by_photo.get(photo.id, []))
                st.warning(f"Delete image {photo.number} and its {count} garment(s)?")
                with st.container(horizontal=True):
                    st.button("Delete", key=f"confirm_delete_{photo.number}", type="primary",
                              on_click=request, args=("delete", photo.number))
                    st.button("Cancel", key=f"cancel_delete_{photo.number}",
                              on_click=st.session_state.pop, args=("confirm_delete", None))
            else:
                with st.container(horizontal=True):
                    st.button("Analyse now" if photo.status == "pending" else "Re-analyse",
                              key=f"analyze_{photo.number}", icon=":material/refresh:",
                              on_click=request, args=("analyze", photo.number))
                    st.button("Delete", key=f"delete_{photo.number}", icon=":material/delete:",
                              on_click=st.session_state.__setitem__, args=("confirm_delete", photo.number))

with session_scope(ctx.engine) as session:
    has_previews = bool(history.list_previews(session, user_id=ctx.user_id, limit=1))
if has_previews:
    st.subheader("Previews of new pieces on your photos")
    preview_gallery(ctx.engine, ctx.storage, ctx.user_id, limit=8)
    st.page_link("pages/preview.py", label="All previews", icon=":material/auto_awesome:")
