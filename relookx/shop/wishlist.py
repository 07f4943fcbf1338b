"""The wishlist: products a user keeps for later (user-scoped data functions)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from relookx.errors import NotFoundError
from relookx.models import WishlistItem
from relookx.shop.types import Product


def add(session: Session, *, user_id: int, product: Product, recommendation_id: int | None = None) -> WishlistItem:
    """Keep a product (adding the same link twice keeps one item)."""
    existing = session.exec(
        select(WishlistItem).where(WishlistItem.user_id == user_id, WishlistItem.url == product.url)
    ).first()
    if existing is not None:
        return existing
    item = WishlistItem(user_id=user_id, url=product.url, product=product.to_dict(),
                        recommendation_id=recommendation_id)
    session.add(item)
    session.flush()
    return item


def remove(session: Session, *, user_id: int, item_id: int) -> None:
    """Remove one of the user's wishlist items."""
    item = session.get(WishlistItem, item_id)
    if item is None or item.user_id != user_id:
        raise NotFoundError("This product is not in your wishlist.")
    session.delete(item)
    session.flush()


def items(session: Session, *, user_id: int) -> list[WishlistItem]:
    """The user's wishlist, newest first."""
    query = select(WishlistItem).where(WishlistItem.user_id == user_id).order_by(col(WishlistItem.id).desc())
    return list(session.exec(query))


def urls(session: Session, *, user_id: int) -> set[str]:
    """The links already in the user's wishlist."""
    return set(session.exec(select(WishlistItem.url).where(WishlistItem.user_id == user_id)))
