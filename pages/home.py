"""Home: a short overview of the wardrobe and of the active backends."""

import streamlit as st

from relookx import store
from relookx.db import session_scope
from relookx.ui import components, deps
from relookx.ui.context import app_context
from relookx.ui.safe import md_text

ctx = app_context()
with session_scope(ctx.engine) as session:
    totals = store.counts(session, user_id=ctx.user_id)
    latest = store.list_photos(session, user_id=ctx.user_id)[-6:][::-1]
    value = store.items_value(session, user_id=ctx.user_id)

st.title(f"Hello, {md_text(ctx.display_name)}")
st.markdown("RelookX turns your outfit photos into a digital wardrobe, suggests one new piece for an outfit, "
            "finds it in shops and shows you wearing it.")
c1, c2, c3 = st.columns(3)
c1.metric("Photos", totals["photos"])
c2.metric("Items", totals["items"])
c3.metric("Estimated value", f"{value:,.0f}")

if not latest:
    st.info("Your wardrobe is empty. Start by uploading a few outfit photos.", icon=":material/info:")
    st.page_link("pages/images.py", label="Upload photos", icon=":material/upload:")
else:
    st.subheader("Latest photos")
    cols = st.columns(6)
    for col, photo in zip(cols, latest, strict=False):
        with col:
            components.thumbnail(ctx.storage, photo)
            st.caption(components.photo_caption(photo))
    with st.container(horizontal=True):
        st.page_link("pages/images.py", label="All photos", icon=":material/photo_library:")
        st.page_link("pages/wardrobe.py", label="Wardrobe and statistics", icon=":material/checkroom:")
        st.page_link("pages/chat.py", label="Ask the stylist", icon=":material/forum:")

st.subheader("Backends")
components.backend_status(ctx.settings, tunnel_state=deps.tunnel_state_text(ctx.settings), admin=ctx.is_admin)
