"""SQLModel tables. Every row that belongs to a person carries its `user_id`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

PHOTO_STATUSES = ("pending", "done", "failed")


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
    created_at: datetime = Field(default_factory=utcnow)
    analyzed_at: datetime | None = None


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
    source: str = "manual"
    created_at: datetime = Field(default_factory=utcnow)
