"""RelookX entry point: page config, sign-in gate and navigation.

Signed-out visitors only get the sign-in page registered; each page also checks the user itself
(`relookx.ui.context.app_context`) and draws the sidebar.
"""

import streamlit as st

from relookx.ui.context import resolve

st.set_page_config(page_title="RelookX", page_icon="👗", layout="wide")

_, _, signed_in = resolve()  # a configuration error is shown and stops here

if signed_in is None:
    pages = [st.Page("pages/signin.py", title="Sign in", icon=":material/login:")]
else:
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/chat.py", title="Chat", icon=":material/forum:"),
        st.Page("pages/shop.py", title="Shop", icon=":material/shopping_bag:"),
        st.Page("pages/preview.py", title="Preview", icon=":material/auto_awesome:"),
        st.Page("pages/images.py", title="Images", icon=":material/photo_library:"),
        st.Page("pages/wardrobe.py", title="Wardrobe", icon=":material/checkroom:"),
        st.Page("pages/outfits.py", title="Outfits", icon=":material/styler:"),
        st.Page("pages/profile.py", title="Profile", icon=":material/person:"),
    ]
st.navigation(pages).run()
