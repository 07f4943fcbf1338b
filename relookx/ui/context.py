"""Who is signed in, and the objects every page needs."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine

from relookx import auth
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import NotFoundError, RelookXError
from relookx.models import User
from relookx.storage import Storage
from relookx.store import get_user
from relookx.ui import deps
from relookx.ui.safe import md_text

USER_KEY = "relookx_user_id"


@dataclass(frozen=True)
class AppContext:
    """What a page needs: settings, store, storage and the signed-in user."""

    settings: Settings
    engine: Engine
    storage: Storage
    user_id: int
    username: str
    display_name: str
    via_oidc: bool = False

    @property
    def is_admin(self) -> bool:
        """True when the user is listed in RELOOKX_ADMINS (sees hosts, URLs and paths)."""
        return self.settings.is_admin(self.username)


def _oidc_user(engine: Engine) -> User | None:
    if not deps.oidc_configured() or not st.user.get("is_logged_in"):
        return None
    subject = str(st.user.get("sub") or st.user.get("email") or "")
    if not subject:
        return None
    with session_scope(engine) as session:
        return auth.oidc_user(
            session, subject=subject, email=str(st.user.get("email") or ""), name=str(st.user.get("name") or "")
        )


def current_user(engine: Engine) -> tuple[User, bool] | None:
    """The signed-in user and whether they came through OIDC, or None."""
    user = _oidc_user(engine)
    if user is not None:
        return user, True
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    try:
        with session_scope(engine) as session:
            return get_user(session, user_id=user_id), False
    except NotFoundError:
        st.session_state.pop(USER_KEY, None)
        return None


def sign_in_as(user: User) -> None:
    """Remember the signed-in local user for this browser session."""
    st.session_state[USER_KEY] = user.id


def sign_out(via_oidc: bool) -> None:
    """Forget the signed-in user (and log out of the OIDC provider when used)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if via_oidc:
        st.logout()


def resolve() -> tuple[Settings, Engine, tuple[User, bool] | None]:
    """Settings, the store and the signed-in user (None when nobody is signed in).

    A configuration or store error is shown at the page edge and stops the page.
    """
    try:
        settings = deps.get_settings()
        deps.apply_upload_limit(settings)
        engine = deps.get_engine(settings.db_url)
        return settings, engine, current_user(engine)
    except RelookXError as exc:
        st.error(f"RelookX cannot start: {exc}")
        st.stop()


def app_context() -> AppContext:
    """The context of a signed-in page, with the sidebar; stops the page when nobody is signed in.

    Every page calls this itself rather than trusting Home.py to have run first: Streamlit may run
    a script of `pages/` directly (on a server's first request, and in AppTest).
    """
    settings, engine, found = resolve()
    if found is None:
        st.switch_page("pages/signin.py")
    user, via_oidc = found
    assert user.id is not None
    ctx = AppContext(
        settings=settings, engine=engine, storage=deps.get_storage(settings), user_id=user.id,
        username=user.username, display_name=user.display_name or user.username, via_oidc=via_oidc,
    )
    _sidebar(ctx)
    return ctx


def _sidebar(ctx: AppContext) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{md_text(ctx.display_name)}**")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            sign_out(ctx.via_oidc)
            st.rerun()
