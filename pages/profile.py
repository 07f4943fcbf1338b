"""Profile: what the stylist should know about you."""

import streamlit as st

from relookx import store
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.ui.context import app_context

GENDERS = ["", "woman", "man", "non-binary", "prefer not to say"]
GENDER_LABELS = {"": "Not set"}

ctx = app_context()
st.title("Profile")
st.caption("The stylist uses these to tailor its recommendations. Every field is optional.")
with session_scope(ctx.engine) as session:
    profile = store.get_profile(session, user_id=ctx.user_id)

with st.form("profile_form"):
    left, right = st.columns(2)
    gender = left.selectbox("Gender", GENDERS, index=GENDERS.index(profile.gender)
                            if profile.gender in GENDERS else 0, key="profile_gender",
                            format_func=lambda g: GENDER_LABELS.get(g, g.capitalize()))
    favourite = right.text_input("Favourite color", value=profile.favourite_color, key="profile_color",
                                 placeholder="e.g. olive, burgundy, navy")
    height = left.number_input("Height (cm)", min_value=0.0, max_value=260.0, step=1.0,
                               value=profile.height_cm, key="profile_height")
    weight = right.number_input("Weight (kg)", min_value=0.0, max_value=400.0, step=1.0,
                                value=profile.weight_kg, key="profile_weight")
    budget = left.number_input("Budget for one new piece", min_value=0.0, step=5.0, value=profile.budget,
                               format="%.0f",
                               key="profile_budget", help="In your usual currency.")
    notes = st.text_area("Style notes", value=profile.style_notes, key="profile_notes",
                         placeholder="What you like to wear, what you avoid, where you dress for...")
    if st.form_submit_button("Save profile", type="primary", key="profile_save"):
        try:
            with session_scope(ctx.engine) as session:
                store.save_profile(session, user_id=ctx.user_id, gender=gender or "",
                                   favourite_color=favourite.strip(), height_cm=height or None,
                                   weight_kg=weight or None, budget=budget, style_notes=notes.strip())
        except RelookXError as exc:
            st.error(str(exc))
        else:
            st.success("Profile saved.")
