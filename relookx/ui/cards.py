"""The recommendation card and the chat history rendering."""

from __future__ import annotations

import html

import streamlit as st
from sqlalchemy.engine import Engine

from relookx import history, store
from relookx.db import session_scope
from relookx.models import Recommendation
from relookx.storage import ObjectRef, Storage
from relookx.stylist.rules import COLOR_RULES, PIECE_RULES
from relookx.ui.components import garment_list, stored_image, swatch_html
from relookx.ui.safe import md_text, model_markdown

BACKEND_LABELS = {
    "offline": "offline stylist", "mistral": "Mistral critic → advisor", "mistral-direct": "fine-tuned model",
}


def _save_feedback(engine: Engine, user_id: int, rec_id: int, key: str) -> None:
    value = st.session_state.get(key)
    feedback = 0 if value is None else (1 if value == 1 else -1)
    with session_scope(engine) as session:
        history.set_feedback(session, user_id=user_id, recommendation_id=rec_id, feedback=feedback)
    st.toast("Thanks for the feedback.", icon=":material/thumb_up:" if feedback > 0 else ":material/thumb_down:")


def outfit_summary(engine: Engine, storage: Storage, user_id: int, rec: Recommendation) -> None:
    """The garments of the photo a recommendation is for, each with its crop: which pieces were read."""
    if rec.photo_id is None:
        return
    with session_scope(engine) as session:
        worn = store.list_garments(session, user_id=user_id, photo_id=rec.photo_id)
    if worn:
        st.markdown(f"**The outfit of image {rec.photo_number}**")
        garment_list(worn, storage)


def recommendation_card(engine: Engine, user_id: int, rec: Recommendation, *, key_prefix: str = "",
                        storage: Storage | None = None) -> None:
    """A recommended piece: swatch, attributes, reason, rules, the outfit it is for (with its garments'
    crops when `storage` is given), the critique and thumbs feedback."""
    piece = rec.piece
    color_rule = COLOR_RULES.get(rec.color_rule)
    piece_rule = PIECE_RULES.get(rec.piece_rule)
    with st.container(border=True):
        left, right = st.columns([1, 10], vertical_alignment="center")
        left.html(f'<div style="width:72px;height:72px;border-radius:12px;background:{html.escape(piece["color_hex"])};'
                  f'border:1px solid rgba(0,0,0,.2)"></div>')
        price = f" · about {piece['price']:,.0f}" if piece.get("price") is not None else ""
        fit = f" · {piece['fit']}" if piece.get("fit") else ""
        right.markdown(f"#### {md_text(piece['name'])}")
        right.html(f'<div style="opacity:.8">{swatch_html(piece["color_hex"])}{html.escape(piece["category"])} · '
                   f'{html.escape(piece["color_name"])} ({html.escape(piece["color_hex"])}){html.escape(fit)}'
                   f'{html.escape(price)}{" · " + html.escape(piece["context"]) if piece.get("context") else ""}'
                   "</div>")
        if piece.get("description"):
            st.markdown(model_markdown(piece["description"]))
        st.markdown(f"**Why:** {model_markdown(piece.get('reason', ''))}")
        chips = [f":violet-badge[:material/palette: {color_rule.title if color_rule else rec.color_rule}]",
                 f":blue-badge[:material/checkroom: {piece_rule.title if piece_rule else rec.piece_rule}]"]
        if rec.harmony_score is not None:
            chips.append(f":gray-badge[outfit harmony {rec.harmony_score:.1f}/10]")
        chips.append(f":gray-badge[{BACKEND_LABELS.get(rec.backend, rec.backend)}]")
        if rec.photo_number is not None:
            chips.append(f":gray-badge[for image {rec.photo_number}]")
        st.markdown(" ".join(chips))
        if storage is not None:
            outfit_summary(engine, storage, user_id, rec)
        with st.expander("The critique behind it", icon=":material/rate_review:"):
            st.markdown(model_markdown(rec.critique))
            if rec.harmony_reasons:
                st.caption("Color harmony: " + "; ".join(md_text(r) for r in rec.harmony_reasons))
        if rec.products:
            products_block(engine, user_id, rec, key_prefix=f"{key_prefix}rec{rec.id}")
        key = f"{key_prefix}feedback_{rec.id}"
        st.feedback("thumbs", key=key, default={1: 1, -1: 0}.get(rec.feedback),
                    on_change=_save_feedback, args=(engine, user_id, rec.id or 0, key))


def products_block(engine: Engine, user_id: int, rec: Recommendation, *, key_prefix: str) -> None:
    """The products found for a recommendation, with a Save to wishlist button each."""
    from relookx.shop import wishlist
    from relookx.shop.types import Product, RankedProduct
    from relookx.ui.products import product_grid

    def save(product: Product) -> None:
        with session_scope(engine) as session:
            wishlist.add(session, user_id=user_id, product=product, recommendation_id=rec.id)
        st.toast(f"{md_text(product.name)} saved to your wishlist.", icon=":material/favorite:")

    items = [RankedProduct(Product.from_dict(p), float(p.get("score", 0)), list(p.get("reasons", [])))
             for p in rec.products]
    with session_scope(engine) as session:
        saved = wishlist.urls(session, user_id=user_id)
    demo = any(item.product.demo for item in items)
    st.markdown("**Where to buy it**" + (" :orange-badge[demo catalog]" if demo else ""))
    product_grid(items, key_prefix=key_prefix, columns=3, on_wishlist=save, saved=saved, compact=True)


def preview_gallery(engine: Engine, storage: Storage, user_id: int, *, limit: int = 12, columns: int = 4) -> int:
    """The user's latest previews with what they show and how they were made; returns how many."""
    with session_scope(engine) as session:
        previews = history.list_previews(session, user_id=user_id, limit=limit)
    for start in range(0, len(previews), columns):
        for col, item in zip(st.columns(columns), previews[start:start + columns], strict=False):
            with col.container(border=True):
                stored_image(storage, ObjectRef("preview", item.image_key, item.image_format))
                how = "mock-up" if item.backend == "mockup" else f"webui, {item.mode} mode"
                st.caption(f"**{md_text(item.piece.get('name', ''))}** on image {item.photo_number} · {how} · "
                           f"{item.created_at:%d %b %H:%M}")
                if item.params.get("steps"):
                    st.caption(f"{item.params.get('steps')} steps · seed {item.params.get('seed_used')} · "
                               f"{item.seconds:.1f} s")
    return len(previews)
