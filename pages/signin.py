"""Sign in or create an account (or use the configured OIDC provider)."""

import streamlit as st

from relookx import auth
from relookx.errors import AuthError
from relookx.ui import deps
from relookx.ui.context import resolve, sign_in_as

settings, engine, signed_in = resolve()
if signed_in is not None:  # this script can be run directly (see relookx.ui.context.app_context)
    st.switch_page("pages/home.py")

_, middle, _ = st.columns([1, 2, 1])
with middle:
    st.title("👗 RelookX")
    st.markdown(
        "Your AI wardrobe assistant: upload outfit photos, get your garments catalogued, "
        "and see what your wardrobe is made of."
    )
    if deps.oidc_configured():
        st.button("Sign in with your account provider", key="oidc_login", icon=":material/key:",
                  on_click=st.login, type="primary")
        st.caption("Or use a RelookX username and password:")
    sign_in_tab, sign_up_tab = st.tabs(["Sign in", "Create an account"])
    with sign_in_tab, st.form("sign_in_form"):
        name = st.text_input("Username", key="signin_username", autocomplete="username")
        password = st.text_input("Password", type="password", key="signin_password",
                                 autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary", key="signin_submit"):
            try:
                user = auth.attempt_sign_in(engine, username=name, password=password,
                                            client=deps.client_address(settings))
            except AuthError as exc:
                st.error(str(exc))
            else:
                sign_in_as(user)
                st.rerun()
    with sign_up_tab, st.form("sign_up_form"):
        new_name = st.text_input("Username", key="signup_username", autocomplete="username",
                                 help="3 to 32 characters: letters, digits, '.', '_' or '-'.")
        new_password = st.text_input("Password", type="password", key="signup_password",
                                     autocomplete="new-password",
                                     help=f"At least {settings.min_password_length} characters.")
        confirm = st.text_input("Repeat the password", type="password", key="signup_confirm",
                                autocomplete="new-password")
        if st.form_submit_button("Create my account", type="primary", key="signup_submit"):
            if new_password != confirm:
                st.error("The two passwords differ: type the same password twice.")
            else:
                try:
                    user = auth.attempt_sign_up(engine, username=new_name, password=new_password,
                                                client=deps.client_address(settings),
                                                min_length=settings.min_password_length)
                except AuthError as exc:
                    st.error(str(exc))
                else:
                    sign_in_as(user)
                    st.rerun()
