"""Outfits: dress me from the wardrobe (keep a piece, reshuffle the rest, I wore this), and the wear log."""

from datetime import date

import streamlit as st

from relookx import dress_me, items
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.ui import deps, outfit_views
from relookx.ui.context import app_context

ctx = app_context()
st.title("Outfits")

with session_scope(ctx.engine) as session:
    rows = items.item_rows(session, user_id=ctx.user_id)
if not rows:
    st.info("Your wardrobe is empty: upload outfit photos on the Images page, or add items on the Wardrobe "
            "page, and RelookX puts outfits together from them.", icon=":material/styler:")
    st.stop()

backend = "Mistral chooses among your items" if ctx.settings.mistral_configured else \
    "by the stylist's rules (set MISTRAL_API_KEY to let Mistral choose among your items)"
st.caption(f"Dress me: outfits made only of what you own, {backend}.")
a, b = st.columns([2, 1])
occasion = a.text_input("Occasion", key="dress_occasion", placeholder="the office, a party, weekend")
day = b.date_input("For the day", value=date.today(), key="dress_day")
buttons = st.container(horizontal=True)
suggest = buttons.button("Dress me", key="dress_submit", type="primary", icon=":material/styler:")
shown = st.session_state.get(outfit_views.OUTFIT_KEY)
reshuffle = shown is not None and buttons.button("Keep the ticked pieces, reshuffle the rest",
                                                 key="dress_reshuffle", icon=":material/shuffle:")
if suggest or reshuffle:
    seed = (shown["seed"] + 1) if shown else 0
    keep = [i for i in (shown["outfit"].item_ids if shown else []) if reshuffle and st.session_state.get(f"keep_{i}")]
    client = (lambda: deps.get_client(ctx.settings)) if ctx.settings.mistral_configured and not keep else None
    try:
        with st.spinner("Choosing an outfit from your wardrobe..."):
            outfit, note = dress_me.dress_me(ctx.engine, ctx.settings, user_id=ctx.user_id, occasion=occasion,
                                             day=day, keep=keep, seed=seed, client=client)
    except RelookXError as exc:
        st.error(str(exc))
    else:
        shown = st.session_state[outfit_views.OUTFIT_KEY] = {"outfit": outfit, "note": note, "seed": seed}
if shown:
    outfit_views.outfit_card(shown["outfit"], shown["note"])
    if st.button("I wore this today", key="dress_wore", icon=":material/check_circle:"):
        dress_me.wore_it(ctx.engine, user_id=ctx.user_id, outfit=shown["outfit"])
        st.toast("Logged as worn today.", icon=":material/check:")

st.subheader("Log an outfit by hand")
labels = {r["id"]: f"#{r['id']} {r['name']} ({r['category']})" for r in rows}
outfit_views.log_form(ctx.engine, ctx.user_id, labels)
st.subheader("Recently logged")
outfit_views.recent_logs(ctx.engine, ctx.user_id)
