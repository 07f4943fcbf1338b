"""Small shared widgets: color swatches, garment chips, status badges, backend status."""

from __future__ import annotations

import base64
import html

import streamlit as st

from relookx.config import Settings
from relookx.errors import NotFoundError, RelookXError, StorageError
from relookx.models import Garment, Photo
from relookx.redact import redact_url
from relookx.storage import KINDS, ObjectRef, Storage

STATUS_BADGES = {
    "pending": ":orange-badge[:material/hourglass_empty: pending]",
    "done": ":green-badge[:material/check: analysed]",
    "no_person": ":orange-badge[:material/person_off: no person found]",
    "failed": ":red-badge[:material/error: failed]",
}
CROP_CELL = 64  # px of a garment crop in lists and cards


def crop_data_uri(storage: Storage, key: str) -> str | None:
    """The garment crop as a `data:image/jpeg;base64,...` URI (tables and HTML), or None when there is none."""
    if not key:
        return None
    try:
        data = _object_bytes(storage, storage.describe(), "crop", key, "jpg")
    except (RelookXError, ValueError):  # missing, the storage unreachable, or not a key
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def swatch_html(hex_color: str, size: int = 14) -> str:
    """An inline color square (outlined, so white and cream stay visible)."""
    color = html.escape(hex_color or "#cccccc")
    return (
        f'<span style="display:inline-block;width:{size}px;height:{size}px;border-radius:3px;'
        f'background:{color};border:1px solid rgba(0,0,0,.25);vertical-align:middle;'
        f'margin-right:6px"></span>'
    )


def garment_line(garment: Garment, storage: Storage | None = None) -> str:
    """One garment as an HTML line: its crop (when stored), swatch, name, category and price."""
    details = [] if garment.category in garment.name.lower() else [garment.category]
    if garment.color_name and garment.color_name not in garment.name.lower():
        details.append(garment.color_name)
    if garment.price is not None:
        details.append(f"~{garment.price:,.0f}")
    extra = f' <span style="opacity:.65">{html.escape(" · ".join(details))}</span>' if details else ""
    uri = crop_data_uri(storage, garment.crop_key) if storage is not None else None
    crop = (f'<img src="{uri}" alt="{html.escape(garment.name)}" class="relookx-crop" style="width:{CROP_CELL}px;'
            f'height:{CROP_CELL}px;object-fit:cover;border-radius:6px;margin-right:8px;vertical-align:middle">'
            if uri else "")
    return (
        f'<div style="font-size:0.88rem;line-height:1.6;margin-bottom:4px">{crop}{swatch_html(garment.color_hex)}'
        f"<b>{html.escape(garment.name)}</b>{extra}</div>"
    )


def garment_list(garments: list[Garment], storage: Storage | None = None) -> None:
    """The garments of one photo (with their crops when `storage` is given), or a note when there are none."""
    if not garments:
        st.caption("No garments found.")
        return
    st.html("".join(garment_line(g, storage) for g in garments))


def photo_caption(photo: Photo) -> str:
    """'Image 7 · 25 Nov 2026' for galleries."""
    return f"**Image {photo.number}** · {photo.created_at:%d %b %Y}"


def analyzer_label(settings: Settings) -> str:
    """Which photo analyzer is active, in words (and when the offline pose model cannot run, why)."""
    from relookx.vision.pose import ModelUnavailableError, shared_pose_model

    model = shared_pose_model()
    if settings.active_analyzer == "mistral":
        crops = " (no garment crops: the pose model cannot load)" if isinstance(model, ModelUnavailableError) else ""
        return f"Mistral vision ({settings.vision_model}){crops}"
    if isinstance(model, ModelUnavailableError):
        return (f"Offline color heuristic: the bundled pose model cannot load ({model}), so garments are "
                "guessed from body proportions on a plain background")
    return "Offline pose model (BlazePose on this computer: garment regions and colors, no API key)"


def store_label(settings: Settings, *, admin: bool = False) -> str:
    """Which store is active, in words: host and path only for admins, never the password."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(settings.db_url)
    except Exception:  # sqlalchemy's ArgumentError: the app shows the ConfigError elsewhere
        return "not configured correctly (RELOOKX_DATABASE_URL)"
    name = url.get_backend_name()
    if not admin:
        return "SQLite" if name == "sqlite" else name.title()
    if name == "sqlite":
        return f"SQLite ({url.database})"
    return f"{name.title()} ({url.host or 'local'}/{url.database or ''})"


def shop_label(settings: Settings, *, admin: bool = False) -> str:
    """Where products come from, in words: shop URLs (without credentials) only for admins."""
    asos = ["ASOS (RapidAPI)"] if settings.rapidapi_key else []
    if not settings.shop_urls and not asos:
        return "the bundled demo catalog (demo data; set RELOOKX_SHOPS for real shops)"
    if not admin:
        count = len(settings.shop_urls)
        return ", ".join([*([f"{count} configured shop{'s' if count != 1 else ''}"] if count else []), *asos])
    return ", ".join([*(redact_url(u) for u in settings.shop_urls), *asos])


def preview_label(settings: Settings, tunnel_state: str = "", *, admin: bool = False) -> str:
    """How previews are made, in words: the webui's address and the SSH host only for admins."""
    if not settings.preview_configured:
        return "offline mock-up (set RELOOKX_SD_URL or RELOOKX_SSH_HOST for real previews)"
    if not admin:
        return "SD webui (configured)" + (" through an SSH tunnel" if settings.ssh_host else "")
    if settings.ssh_host:
        state = f" ({tunnel_state})" if tunnel_state else ""
        return f"SD webui through the SSH tunnel via {settings.ssh_host}{state}"
    return f"SD webui at {redact_url(settings.sd_url or '')}"


def backend_status(settings: Settings, *, tunnel_state: str = "", admin: bool = False) -> None:
    """The active backends (infrastructure details for admins only), with how to enable Mistral when it is off."""
    from relookx.storage import storage_label
    from relookx.ui.deps import stylist_label

    st.markdown(f":material/photo_camera: **Photo analysis:** {analyzer_label(settings)}")
    st.markdown(f":material/forum: **Stylist:** {stylist_label(settings)}")
    st.markdown(f":material/shopping_bag: **Shops:** {shop_label(settings, admin=admin)}")
    st.markdown(f":material/auto_awesome: **Preview:** {preview_label(settings, tunnel_state, admin=admin)}")
    st.markdown(f":material/database: **Store:** {store_label(settings, admin=admin)}")
    st.markdown(f":material/cloud: **Photo storage:** {storage_label(settings, admin=admin)}")
    if settings.active_analyzer == "offline":
        st.caption(
            "Offline analysis places garments with a pose model and measures their colors. For full garment "
            "recognition (types, materials, prices), "
            "set `MISTRAL_API_KEY` in `.streamlit/secrets.toml` or the environment and restart."
        )
    if not admin:
        st.caption("Hosts, addresses and paths are shown only to the administrators listed in RELOOKX_ADMINS.")


@st.cache_data(max_entries=256, show_spinner=False)
def _object_bytes(_storage: Storage, where: str, kind: str, key: str, fmt: str) -> bytes:
    # Objects are content-addressed, so a cached copy never goes stale; `where` keys the cache by storage.
    return _storage.get(ObjectRef(kind, key, fmt))


def stored_image(storage: Storage, ref: ObjectRef, *, caption: str | None = None, width: int | None = None) -> bool:
    """Draw a stored image from its bytes (no temporary file); a note instead when it cannot be read."""
    try:
        data = _object_bytes(storage, storage.describe(), ref.kind, ref.key, ref.fmt)
    except NotFoundError:
        st.warning(f"The {KINDS[ref.kind].label} file is missing from the {storage.backend} storage.",
                   icon=":material/broken_image:")
        return False
    except StorageError as exc:
        st.caption(f":material/cloud_off: The image cannot be loaded right now. {exc}")
        return False
    st.image(data, caption=caption, width=width if width is not None else "stretch")
    return True


def thumbnail(storage: Storage, photo: Photo) -> None:
    """The photo's thumbnail, or a note when its file is gone or the storage is unreachable."""
    stored_image(storage, ObjectRef("thumb", photo.content_hash))
