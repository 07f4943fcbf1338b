"""Product cards: image, name, brand, price, availability, source, match reasons, link, wishlist."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

import streamlit as st

from relookx.shop.types import Product, RankedProduct
from relookx.shop.values import http_url
from relookx.ui.safe import md_text

AVAILABILITY_BADGES = {
    "in_stock": ":green-badge[in stock]", "out_of_stock": ":red-badge[out of stock]",
    "unknown": ":gray-badge[stock unknown]",
}


def price_text(product: Product) -> str:
    """'45.00 EUR', with the old price struck through when discounted; 'price not given' otherwise."""
    if product.price is None:
        return "price not given"
    text = f"**{product.price:,.2f} {product.currency}**".strip()
    if product.regular_price and product.regular_price > product.price:
        text += f" ~~{product.regular_price:,.2f}~~"
    return text


def product_card(
    item: RankedProduct | Product, *, key: str, on_wishlist: Callable[[Product], None] | None = None,
    in_wishlist: bool = False, compact: bool = False,
) -> None:
    """One product in a bordered card."""
    product = item.product if isinstance(item, RankedProduct) else item
    reasons = item.reasons if isinstance(item, RankedProduct) else []
    with st.container(border=True):
        if product.image and (http_url(product.image) or (product.demo and Path(product.image).is_file())):
            st.image(product.image, width="stretch")
        brand = f"{html.escape(product.brand)} · " if product.brand else ""
        st.markdown(f"**{md_text(product.name)}**")
        st.html(f'<div style="opacity:.75;font-size:.85rem">{brand}{html.escape(product.shop or product.source)}'
                "</div>")
        badges = [AVAILABILITY_BADGES.get(product.availability, "")]
        if product.demo:
            badges.append(":orange-badge[demo data]")
        st.markdown(f"{price_text(product)} " + " ".join(b for b in badges if b))
        if reasons and not compact:
            st.caption(" · ".join(md_text(r) for r in reasons))
        with st.container(horizontal=True):
            if product.demo:
                st.caption("Demo product: not sold in a real shop.")
            elif http_url(product.url):  # never a javascript: or data: link from a shop
                st.link_button("Open in shop", product.url, icon=":material/open_in_new:")
            if on_wishlist is not None:
                st.button("Saved" if in_wishlist else "Save", key=key, icon=":material/favorite:",
                          disabled=in_wishlist, on_click=on_wishlist, args=(product,))


def product_grid(
    items: Sequence[RankedProduct | Product], *, key_prefix: str, columns: int = 3,
    on_wishlist: Callable[[Product], None] | None = None, saved: set[str] | None = None, compact: bool = False,
) -> None:
    """Products in rows of `columns` cards."""
    saved = saved or set()
    for start in range(0, len(items), columns):
        for col, item in zip(st.columns(columns), items[start:start + columns], strict=False):
            product = item.product if isinstance(item, RankedProduct) else item
            with col:
                product_card(item, key=f"{key_prefix}_{start}_{product.url}", on_wishlist=on_wishlist,
                             in_wishlist=product.url in saved, compact=compact)
