"""Cached factories for the app: settings, engine, storage, analyzer. Built on first use, never at import."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import streamlit as st
from sqlalchemy.engine import Engine

from relookx.config import Settings, load_settings
from relookx.db import make_engine, upgrade
from relookx.errors import RelookXError
from relookx.redact import redact_text, redact_url
from relookx.storage import Storage
from relookx.stylist.types import Stylist
from relookx.vision.base import OutfitAnalyzer

if TYPE_CHECKING:
    from relookx.chat import ChatDeps


def secrets_mapping() -> dict[str, Any]:
    """Top-level secrets as a plain dict; empty when there is no secrets file."""
    try:
        return {k: v for k, v in st.secrets.items() if not isinstance(v, Mapping)}
    except Exception:  # StreamlitSecretNotFoundError, or a secrets file that does not parse
        return {}


def oidc_configured() -> bool:
    """True when an [auth] section is configured for Streamlit's built-in OIDC login."""
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def get_settings() -> Settings:
    """The settings: secrets, then environment, then defaults."""
    return load_settings(secrets_mapping(), os.environ)


def client_address(settings: Settings) -> str | None:
    """The visitor's address for the sign-in limits; None when unknown (local use), and then not limited.

    By default the connection's own peer (`st.context.ip_address`, which a visitor cannot forge). Behind a
    reverse proxy every visitor would share the proxy's address, so RELOOKX_CLIENT_IP_HEADER names the
    proxy's header, and its LAST address (the one the proxy appended) is used: earlier ones can be forged.
    """
    if settings.client_ip_header:
        value = st.context.headers.get(settings.client_ip_header) or ""
        last = value.split(",")[-1].strip()
        if last:
            return last[:100]
    address = st.context.ip_address
    return address[:100] if address else None


def apply_upload_limit(settings: Settings) -> None:
    """Make the server's upload limit (`server.maxUploadSize`, whole MB) follow RELOOKX_MAX_UPLOAD_MB.

    Streamlit's upload endpoint reads this option on every request, so a file larger than the setting is
    refused (HTTP 413) while it streams in, before it is ever held in memory by a page. Set from here, it
    works the same for `streamlit run Home.py` and on Community Cloud, where no flag can be passed;
    `.streamlit/config.toml` holds the default for the first request before any page has run.
    """
    from streamlit import config

    limit = max(1, math.ceil(settings.max_upload_mb))
    if config.get_option("server.maxUploadSize") != limit:
        config.set_option("server.maxUploadSize", limit, "RELOOKX_MAX_UPLOAD_MB")


@st.cache_resource(show_spinner="Opening the store...")
def get_engine(url: str) -> Engine:
    """One engine per database URL for the whole app, migrated on first use."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


@st.cache_resource(show_spinner=False)
def get_storage(settings: Settings) -> Storage:
    """The configured storage (a bucket, or the data dir): one client shared by all sessions."""
    from relookx.storage import make_storage

    return make_storage(settings)


@st.cache_resource(show_spinner=False)
def get_analyzer(settings: Settings) -> OutfitAnalyzer:
    """The configured photo analyzer (Mistral when a key is set, offline otherwise)."""
    from relookx.vision.factory import make_analyzer

    return make_analyzer(settings)


def stylist_label(settings: Settings) -> str:
    """Which stylist answers, in words."""
    if not settings.mistral_configured:
        return ("offline stylist (color-wheel and piece rules applied to your wardrobe). "
                "Set MISTRAL_API_KEY for the Mistral critic and advisor.")
    if settings.direct_model:
        return f"fine-tuned model {settings.direct_model} (one call per recommendation)"
    return f"Mistral critic ({settings.critic_model}) → advisor ({settings.advisor_model})"


@st.cache_resource(show_spinner=False)
def get_stylist(settings: Settings) -> Stylist:
    """The configured stylist backend."""
    from relookx.stylist.workflow import make_stylist

    return make_stylist(settings)


@st.cache_resource(show_spinner=False)
def get_client(settings: Settings) -> Any:
    """The Mistral client (only when a key is set)."""
    from relookx.llm import make_client

    return make_client(settings)


def chat_deps(settings: Settings) -> ChatDeps:
    """What a chat turn needs, built lazily from the cached factories."""
    from relookx.chat import ChatDeps

    return ChatDeps(
        settings=settings, stylist=lambda: get_stylist(settings),
        client=(lambda: get_client(settings)) if settings.mistral_configured else None,
        sources=lambda: get_sources(settings), storage=get_storage(settings),
        webui=lambda: get_webui_client(settings),
    )


@st.cache_resource(show_spinner="Connecting to the shops...")
def get_sources(settings: Settings) -> tuple[list[Any], list[str]]:
    """The product sources (configured shops, or the demo catalog) and notes about them."""
    from relookx.shop.service import configured_sources

    return configured_sources(settings, get_engine(settings.db_url))


@dataclass
class WebuiStatus:
    """Whether previews are rendered by a webui, and what to tell the user."""

    client: Any  # relookx.preview.client.WebuiClient, or None for the offline mock-up
    message: str
    error: str = ""
    checkpoints: list[str] = field(default_factory=list)


@st.cache_resource(show_spinner=False)
def get_webui_client(settings: Settings) -> Any:
    """The webui client (starting the shared SSH tunnel when one is configured)."""
    from relookx.preview.service import webui_client

    return webui_client(settings)


@st.cache_data(ttl=30, show_spinner="Asking the webui...")
def _webui_checkpoints(settings: Settings) -> list[str]:
    return list(get_webui_client(settings).discover().checkpoints)


def preview_status(settings: Settings, *, admin: bool = False) -> WebuiStatus:
    """The preview backend's state, checked at most every 30 s (addresses only for admins, never passwords)."""
    if not settings.preview_configured:
        return WebuiStatus(None, "No Stable Diffusion webui is configured, so previews are offline mock-ups "
                                 "composed with Pillow. Set RELOOKX_SD_URL (direct) or RELOOKX_SSH_HOST (through "
                                 "an SSH gateway) in .streamlit/secrets.toml to render real previews.")
    if admin:
        route = (f"through the SSH tunnel via {settings.ssh_host}" if settings.ssh_host
                 else f"at {redact_url(settings.sd_url or '')}")
    else:
        route = "through the SSH tunnel" if settings.ssh_host else "(configured)"
    try:
        client = get_webui_client(settings)
        checkpoints = _webui_checkpoints(settings)
    except RelookXError as exc:
        get_webui_client.clear()  # a failed tunnel start is retried on the next run
        why = redact_text(str(exc), settings.secret_values) if admin else "ask an administrator to check it."
        return WebuiStatus(None, "", error=f"The webui {route} cannot be reached: {why}")
    state = _tunnel_state(settings) if admin else ""
    return WebuiStatus(client, f"Previews by the Stable Diffusion webui {route}{state}.", checkpoints=checkpoints)


def _tunnel_state(settings: Settings) -> str:
    if not settings.ssh_host:
        return ""
    from relookx.preview.tunnel import shared_tunnel

    return f" ({shared_tunnel(settings).state.describe()})"


def tunnel_state_text(settings: Settings) -> str:
    """The shared SSH tunnel's state in words, without starting it ("" when no tunnel is configured)."""
    if not settings.ssh_host:
        return ""
    from relookx.preview.tunnel import shared_state

    state = shared_state(settings)
    return state.describe() if state is not None else "not started yet: it opens with the first preview"
