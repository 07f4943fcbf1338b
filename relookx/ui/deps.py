"""Cached factories for the app: settings, engine, storage, analyzer. Built on first use, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import streamlit as st
from sqlalchemy.engine import Engine

from relookx.config import Settings, load_settings
from relookx.db import make_engine, upgrade
from relookx.media import PhotoStorage
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


@st.cache_resource(show_spinner="Opening the store...")
def get_engine(url: str) -> Engine:
    """One engine per database URL for the whole app, migrated on first use."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def get_storage(settings: Settings) -> PhotoStorage:
    """The photo storage under the data dir."""
    return PhotoStorage(settings.data_dir)


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
    )
