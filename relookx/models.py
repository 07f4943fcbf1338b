"""SQLModel tables. Every row that belongs to a person carries its `user_id`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

PHOTO_STATUSES = ("pending", "done", "no_person", "failed")  # no_person: analysed, nothing found


def utcnow() -> datetime:
    """Timezone-aware now (the columns store aware UTC datetimes)."""
    return datetime.now(UTC)


def _user_fk() -> Column[int]:
    return Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)


class User(SQLModel, table=True):
    """An account: a local username with a password hash, or an OIDC identity."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    password_hash: str | None = None
    oidc_subject: str | None = Field(default=None, unique=True, max_length=255)
    display_name: str = ""
    next_photo_number: int = 1
    created_at: datetime = Field(default_factory=utcnow)


class Profile(SQLModel, table=True):
    """What the stylist knows about a person."""

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    )
    gender: str = ""
    favourite_color: str = ""
    height_cm: float | None = None
    weight_kg: float | None = None
    style_notes: str = ""
    budget: float | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Photo(SQLModel, table=True):
    """An uploaded outfit photo with its stable per-user number ("image 7")."""

    __table_args__ = (
        UniqueConstraint("user_id", "number", name="uq_photo_user_number"),
        UniqueConstraint("user_id", "content_hash", name="uq_photo_user_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    number: int
    content_hash: str = Field(max_length=64, index=True)
    filename: str = ""
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    status: str = "pending"
    analyzer: str = ""
    error: str = ""
    # What the analysis assumed or could not see ("several people: the largest was analysed").
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow)
    analyzed_at: datetime | None = None
    claimed_at: datetime | None = None  # an analysis is running (or was, if the server stopped) since then
    taken_at: datetime | None = None  # EXIF DateTimeOriginal (upload time when absent), editable: the day worn


class Garment(SQLModel, table=True):
    """One garment of the wardrobe, seen on a photo or added by hand."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    photo_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("photo.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    name: str = ""
    category: str = "other"
    color_name: str = ""
    color_hex: str = ""
    pattern: str = ""
    material: str = ""
    fit: str = ""
    price: float | None = None
    price_text: str = ""
    context: str = ""
    description: str = ""
    confidence: float = 0.0
    # sha256 of the garment's crop, stored like thumbnails (relookx.storage, kind "crop"); "" when none.
    crop_key: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    source: str = "manual"
    created_at: datetime = Field(default_factory=utcnow)
    # The wardrobe item this garment is a sighting of, and an item it may be (the question asked).
    item_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("item.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    candidate_item_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("item.id", ondelete="SET NULL"), nullable=True),
    )
    candidate_score: float | None = None


class Item(SQLModel, table=True):
    """One physical piece of the wardrobe; photos show sightings of it (Garment rows)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    name: str = ""
    category: str = "other"
    color_name: str = ""
    color_hex: str = ""
    pattern: str = ""
    material: str = ""
    fit: str = ""
    price: float | None = None
    price_text: str = ""
    context: str = ""
    description: str = ""
    confidence: float = 0.0
    source: str = "manual"
    created_at: datetime = Field(default_factory=utcnow)


class Wear(SQLModel, table=True):
    """An outfit logged by hand for a day (photos are outfits worn on their own date)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    worn_on: date
    source: str = "manual"  # manual | suggestion
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class WearItem(SQLModel, table=True):
    """One item of a logged outfit."""

    wear_id: int = Field(
        sa_column=Column(Integer, ForeignKey("wear.id", ondelete="CASCADE"), primary_key=True)
    )
    item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Recommendation(SQLModel, table=True):
    """One recommended piece, with the rules and critique behind it and the user's feedback."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    photo_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("photo.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    photo_number: int | None = None  # kept when the photo is deleted: the history still makes sense
    query: str = ""
    constraints: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    color_rule: str = ""
    piece_rule: str = ""
    critique: str = ""
    piece: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    harmony_score: float | None = None
    harmony_reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    backend: str = ""
    seed: int = 0
    calls: int = 0
    timings: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    feedback: int = 0  # 1 thumbs up, -1 thumbs down, 0 none
    products: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ChatMessage(SQLModel, table=True):
    """One turn of the chat history. A failed user turn keeps its text with the error."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    role: str = "user"  # user | assistant
    kind: str = "text"  # text | recommendation | answer | notice | products | preview
    text: str = ""
    status: str = "ok"  # ok | failed (user turns whose answer failed; they can be retried)
    error: str = ""
    recommendation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("recommendation.id", ondelete="SET NULL"), nullable=True),
    )
    preview_id: int | None = None  # a message showing a generated preview (kind "preview")
    created_at: datetime = Field(default_factory=utcnow)


class StylistRun(SQLModel, table=True):
    """What a Mistral workflow run sent and got back: the distillation data for fine-tuning."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    recommendation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("recommendation.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    backend: str = ""
    models: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    request: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    critique: str = ""
    output: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    example: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    timings: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AuthThrottle(SQLModel, table=True):
    """Failed sign-ins (or sign-up attempts) of one username or address, and until when it is locked."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True, max_length=200)  # user:NAME, client:ADDR or signup:ADDR
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class PreviewJob(SQLModel, table=True):
    """One preview waiting for, or running on, a webui: the queue every replica of the app shares."""

    id: int | None = Field(default=None, primary_key=True)
    webui: str = Field(index=True, max_length=64)  # a hash of the webui's address: one queue per webui
    user_id: int = Field(sa_column=_user_fk())
    status: str = "queued"  # queued | running | done | interrupted | cancelled | failed | abandoned
    cancel_requested: bool = False
    progress: float = 0.0
    message: str = ""
    preview_id: int | None = None
    error: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    # What the job renders, kept so that an interrupted job can be run again (relookx.preview.jobs.JobTarget).
    photo_number: int | None = None
    recommendation_id: int | None = None
    piece: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    mode: str = "photo"
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dismissed: bool = False  # the owner ran it again or put it away: no longer offered


class HttpCacheEntry(SQLModel, table=True):
    """A shop's answer kept for a while (public data, shared by all users)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, index=True)  # sha256 of the method and URL
    url: str = ""
    status: int = 200
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    fetched_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=utcnow)


class ShopSite(SQLModel, table=True):
    """A configured shop and the platform detected from its home page (remembered)."""

    id: int | None = Field(default=None, primary_key=True)
    base_url: str = Field(max_length=500, unique=True, index=True)
    platform: str = "unknown"  # shopify | woocommerce | html | unknown
    currency: str = ""
    name: str = ""
    note: str = ""
    detected_at: datetime = Field(default_factory=utcnow)


class WishlistItem(SQLModel, table=True):
    """A product a user keeps for later."""

    __table_args__ = (UniqueConstraint("user_id", "url", name="uq_wishlist_user_url"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    url: str = Field(max_length=2000)
    product: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recommendation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("recommendation.id", ondelete="SET NULL"), nullable=True),
    )
    added_at: datetime = Field(default_factory=utcnow)


class Preview(SQLModel, table=True):
    """A generated preview of the user wearing a piece, with how it was made."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    photo_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("photo.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    photo_number: int | None = None
    recommendation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("recommendation.id", ondelete="SET NULL"), nullable=True),
    )
    piece: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    mode: str = "photo"
    backend: str = ""
    image_key: str = ""  # sha256 of the stored image (relookx.storage, kind "preview")
    image_format: str = "png"
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seconds: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


class ObjectLock(SQLModel, table=True):
    """A row per stored object name, locked while the object is written, checked or deleted.

    Uploads hold it from storing the object until their row is committed; deletions and `storage gc`
    hold it while they check that no row refers to the object and delete it. So a re-upload never
    loses its file to a concurrent delete (relookx.storage.refs).
    """

    __tablename__ = "object_lock"

    name: str = Field(primary_key=True, max_length=200)
    locked_at: datetime = Field(default_factory=utcnow)
