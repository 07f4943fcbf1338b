"""Small shared widgets: color swatches, garment chips, status badges, backend status."""

from __future__ import annotations

import html

import streamlit as st

from relookx.config import Settings
from relookx.media import PhotoStorage
from relookx.models import Garment, Photo

STATUS_BADGES = {
    "pending": ":orange-badge[:material/hourglass_empty: pending]",
    "done": ":green-badge[:material/check: analysed]",
    "failed": ":red-badge[:material/error: failed]",
}


def swatch_html(hex_color: str, size: int = 14) -> str:
    """An inline color square (outlined, so white and cream stay visible)."""
    color = html.escape(hex_color or "#cccccc")
    return (
        f'<span style="display:inline-block;width:{size}px;height:{size}px;border-radius:3px;'
        f'background:{color};border:1px solid rgba(0,0,0,.25);vertical-align:middle;'
        f'margin-right:6px"></span>'
    )


def garment_line(garment: Garment) -> str:
    """One garment as an HTML line: swatch, name, category and price."""
    details = [] if garment.category in garment.name.lower() else [garment.category]
    if garment.color_name and garment.color_name not in garment.name.lower():
        details.append(garment.color_name)
    if garment.price is not None:
        details.append(f"~{garment.price:,.0f}")
    extra = f' <span style="opacity:.65">{html.escape(" · ".join(details))}</span>' if details else ""
    return (
        f'<div style="font-size:0.88rem;line-height:1.6">{swatch_html(garment.color_hex)}'
        f"<b>{html.escape(garment.name)}</b>{extra}</div>"
    )


def garment_list(garments: list[Garment]) -> None:
    """The garments of one photo, or a short note when there are none."""
    if not garments:
        st.caption("No garments found.")
        return
    st.html("".join(garment_line(g) for g in garments))


def photo_caption(photo: Photo) -> str:
    """'Image 7 · 25 Nov 2026' for galleries."""
    return f"**Image {photo.number}** · {photo.created_at:%d %b %Y}"


def analyzer_label(settings: Settings) -> str:
    """Which photo analyzer is active, in words."""
    if settings.active_analyzer == "mistral":
        return f"Mistral vision ({settings.vision_model})"
    return "Offline estimate (colors of body regions, no model)"


def store_label(settings: Settings) -> str:
    """Which store is active, in words (never the password)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite ({url.database})"
    return f"{url.get_backend_name().title()} ({url.host or 'local'}/{url.database or ''})"


def shop_label(settings: Settings) -> str:
    """Where products come from, in words."""
    shops = [*settings.shop_urls, *(["ASOS (RapidAPI)"] if settings.rapidapi_key else [])]
    return ", ".join(shops) if shops else "the bundled demo catalog (demo data; set RELOOKX_SHOPS for real shops)"


def preview_label(settings: Settings, tunnel_state: str = "") -> str:
    """How previews are made, in words."""
    if settings.ssh_host:
        state = f" ({tunnel_state})" if tunnel_state else ""
        return f"SD webui through the SSH tunnel via {settings.ssh_host}{state}"
    if settings.sd_url:
        return f"SD webui at {settings.sd_url}"
    return "offline mock-up (set RELOOKX_SD_URL or RELOOKX_SSH_HOST for real previews)"


def backend_status(settings: Settings, *, tunnel_state: str = "") -> None:
    """The active backends, with how to enable Mistral when it is off."""
    from relookx.ui.deps import stylist_label

    st.markdown(f":material/photo_camera: **Photo analysis:** {analyzer_label(settings)}")
    st.markdown(f":material/forum: **Stylist:** {stylist_label(settings)}")
    st.markdown(f":material/shopping_bag: **Shops:** {shop_label(settings)}")
    st.markdown(f":material/auto_awesome: **Preview:** {preview_label(settings, tunnel_state)}")
    st.markdown(f":material/database: **Store:** {store_label(settings)}")
    if settings.active_analyzer == "offline":
        st.caption(
            "Offline analysis only estimates colors per body region. For real garment recognition, "
            "set `MISTRAL_API_KEY` in `.streamlit/secrets.toml` or the environment and restart."
        )


def thumbnail(storage: PhotoStorage, photo: Photo) -> None:
    """The photo's thumbnail, or a note when its file is gone (e.g. an ephemeral disk was reset)."""
    path = storage.thumb_path(photo.content_hash)
    if path.exists():
        st.image(str(path), width="stretch")
    else:
        st.warning("The photo file is missing from the data folder.", icon=":material/broken_image:")
