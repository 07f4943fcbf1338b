"""Preview: you wearing the recommended piece, rendered by the SD webui, or an offline mock-up."""

import html

import streamlit as st

from relookx import history, store
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.fashion.pieces import piece_of
from relookx.preview import service
from relookx.preview.jobs import JobQueue, JobTarget, start_preview, webui_key
from relookx.preview.types import MODES
from relookx.ui import components, deps
from relookx.ui.cards import preview_gallery
from relookx.ui.context import app_context
from relookx.ui.preview_job import JOB_KEY, Rerun, show_interrupted, show_job

ctx = app_context()
MODE_LABELS = {"photo": "On your photo (inpaint the piece's region)", "newlook": "New look (generate a new image)"}

st.title("Preview")
webui = deps.preview_status(ctx.settings, admin=ctx.is_admin)
if webui.error:
    st.error(f"{webui.error} Check that the webui runs with --api (and the tunnel settings), then reload.",
             icon=":material/error:")
elif webui.client is None:
    st.info(webui.message, icon=":material/info:")
else:
    st.caption(webui.message)

with session_scope(ctx.engine) as session:
    photos = store.list_photos(session, user_id=ctx.user_id)
    recs = history.list_recommendations(session, user_id=ctx.user_id, limit=20)

if not photos:
    st.info("A preview starts from one of your photos: upload one on the Images page.", icon=":material/photo:")
    st.page_link("pages/images.py", label="Upload photos", icon=":material/upload:")
    st.stop()

by_number = {p.number: p for p in photos}
numbers = [p.number for p in reversed(photos)]
rec_labels = {r.id: f"{r.piece['name']} ({'image ' + str(r.photo_number) if r.photo_number else 'wardrobe'})"
              for r in recs}
left, right = st.columns([1, 2])
with left:
    default_photo = recs[0].photo_number if recs and recs[0].photo_number in by_number else numbers[0]
    number = st.selectbox("Photo", numbers, index=numbers.index(default_photo), key="preview_photo",
                          format_func=lambda n: f"image {n}")
    components.thumbnail(ctx.storage, by_number[number])
with right:
    source = st.radio("Piece", ["A recommendation", "Type a piece"], key="preview_source", horizontal=True,
                      index=0 if recs else 1)
    if source == "A recommendation" and recs:
        rec_id = st.selectbox("Recommendation", list(rec_labels), key="preview_rec", format_func=rec_labels.get)
        chosen = next(r for r in recs if r.id == rec_id)
        piece = piece_of(chosen)
        st.html(f"<div>{components.swatch_html(piece.color_hex, 16)}<b>{html.escape(piece.name)}</b> · "
                f"{html.escape(piece.category)}</div>")
    else:
        rec_id = None
        typed = st.text_input("Piece", key="preview_piece", placeholder="red beanie, camel wool coat...")
        piece = service.piece_from_text(typed) if typed.strip() else None
    mode = st.radio("Mode", MODES, key="preview_mode", format_func=MODE_LABELS.get)
    with st.expander("Advanced settings", icon=":material/tune:"):
        a, b = st.columns(2)
        steps = a.slider("Steps", 10, 60, 25, key="preview_steps")
        strength = b.slider("Strength (how much the region changes)", 0.3, 1.0, 0.75, 0.05, key="preview_strength")
        seed = a.number_input("Seed (-1: random)", -1, 2**31 - 1, -1, key="preview_seed")
        checkpoints = webui.checkpoints or []
        checkpoint = b.selectbox("Checkpoint", ["(the webui's current one)", *checkpoints], key="preview_ckpt",
                                 disabled=not checkpoints)
    go = st.button("Generate the preview", type="primary", key="preview_go", icon=":material/auto_awesome:",
                   disabled=piece is None or bool(webui.error))

queue = JobQueue(ctx.engine, webui_key(ctx.settings)) if webui.client is not None else None
rerun = Rerun(ctx.engine, ctx.storage, ctx.user_id, queue, webui.client,
              blocked=f"The webui cannot take it now: {webui.error}" if webui.error else "")
if go and piece is not None:
    target = JobTarget(number, piece, mode, rec_id, {
        "steps": steps, "seed": int(seed), "strength": strength,
        "checkpoint": None if checkpoint.startswith("(") else checkpoint})
    try:
        if queue is None:  # the offline mock-up: immediate, nothing to queue
            request = service.request_for(ctx.engine, ctx.storage, user_id=ctx.user_id, photo_number=number,
                                          piece=piece, mode=mode, **target.options)
            result = service.generate(request, None)
            service.save(ctx.engine, ctx.storage, user_id=ctx.user_id, photo_number=number, result=result,
                         piece=piece, recommendation_id=rec_id)
            st.image(result.image, caption="Mock-up (no webui configured)", width=480)
        else:  # the shared webui: one job at a time, in a queue every session and replica sees
            st.session_state[JOB_KEY] = start_preview(ctx.engine, ctx.storage, queue, ctx.user_id, target,
                                                      webui.client)
    except RelookXError as exc:
        st.error(f"The preview failed: {exc} Your recommendation is kept: try again.", icon=":material/error:")
if queue is not None:
    show_job(queue, ctx.engine, ctx.storage, ctx.user_id, rerun)
show_interrupted(rerun, shown=st.session_state.get(JOB_KEY))

st.subheader("Your previews")
if not preview_gallery(ctx.engine, ctx.storage, ctx.user_id):
    st.caption("Generated previews are kept here with their settings.")
