"""Cached factories for the app: settings, engine, storage, analyzer. Built on first use, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from relookx.config import Settings, load_settings
from relookx.db import make_engine, upgrade
from relookx.media import PhotoStorage
from relookx.vision.base import OutfitAnalyzer


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
