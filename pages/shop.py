"""Shop: find products matching a recommended piece or a search, compare them, keep a wishlist."""

import streamlit as st

from relookx import history
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.fashion.pieces import piece_of
from relookx.shop import wishlist
from relookx.shop.search import filter_ranked, find_products, search_text
from relookx.shop.types import Product
from relookx.ui import components, deps
from relookx.ui.context import app_context
from relookx.ui.products import product_card, product_grid
from relookx.ui.safe import md_text

ctx = app_context()
RESULTS_KEY = "shop_results"

st.title("Shop")
try:
    sources, source_notes = deps.get_sources(ctx.settings)
except RelookXError as exc:
    st.error(f"The shops cannot be used: {exc}")
    st.stop()
if any(getattr(s, "name", "") == "catalog" for s in sources):
    st.info("These are **demo products** from the bundled catalog, not sold in a real shop. Set `RELOOKX_SHOPS` "
            "to search real Shopify or WooCommerce shops (and `RAPIDAPI_KEY` for ASOS).", icon=":material/info:")
else:
    where = components.shop_label(ctx.settings, admin=ctx.is_admin)
    st.caption(f"Searching {where}. Prices and stock come from the shops.")
for note in source_notes:
    if not note.startswith("Demo catalog"):
        st.warning(note, icon=":material/warning:")


def save(product: Product) -> None:
    """Add a product to the wishlist."""
    with session_scope(ctx.engine) as session:
        wishlist.add(session, user_id=ctx.user_id, product=product)
    st.toast(f"{md_text(product.name)} saved to your wishlist.", icon=":material/favorite:")


def run_search(label: str, search) -> None:  # noqa: ANN001 - a callable taking on_progress
    """Run a search with a progress display and keep its outcome for the next runs."""
    label = md_text(label)  # the user's words or a piece's name: shown as text
    with st.status(f"Asking {len(sources)} source(s) for {label}", expanded=False) as status:
        bar = st.progress(0.0)
        outcome = search(lambda text, fraction: bar.progress(min(max(fraction, 0.0), 1.0), text=text))
        status.update(label=f"{len(outcome.ranked)} product(s) for {label} in {outcome.seconds:.1f} s",
                      state="complete")
    st.session_state[RESULTS_KEY] = (label, outcome)


search_tab, wishlist_tab = st.tabs([":material/search: Search", ":material/favorite: Wishlist"])
with session_scope(ctx.engine) as session:
    recs = history.list_recommendations(session, user_id=ctx.user_id, limit=6)
    saved = wishlist.urls(session, user_id=ctx.user_id)
    kept = wishlist.items(session, user_id=ctx.user_id)
    budget = None

with search_tab:
    if recs:
        labels = {f"{r.piece['name']}": r for r in recs}
        picked = st.pills("From your recommendations", list(labels), key="shop_from_rec", format_func=md_text)
        if picked and st.session_state.get("shop_last_pick") != picked:
            st.session_state["shop_last_pick"] = picked
            rec = labels[picked]
            run_search(picked, lambda progress, rec=rec: find_products(
                piece_of(rec), sources, budget=rec.constraints.get("max_price"), limit=12, on_progress=progress))
    with st.form("shop_search_form"):
        query = st.text_input("Search", key="shop_query", placeholder="navy wool blazer, white sneakers...")
        if st.form_submit_button("Search", type="primary", key="shop_search", icon=":material/search:"):
            if query.strip():
                run_search(f"“{query.strip()}”", lambda progress: search_text(query, sources, limit=30,
                                                                            on_progress=progress))
            else:
                st.warning("Type what you are looking for, e.g. 'navy wool blazer'.")
    results = st.session_state.get(RESULTS_KEY)
    if results is None:
        st.caption("Search for anything, or pick one of your recommendations to see matching products.")
    else:
        label, outcome = results
        prices = [r.product.price for r in outcome.ranked if r.product.price is not None]
        f1, f2, f3 = st.columns([2, 2, 1], vertical_alignment="bottom")
        top = max(prices, default=0.0)
        low, high = (f1.slider("Price", 0.0, float(top) + 1, (0.0, float(top) + 1), key="shop_price")
                     if prices else (None, None))
        names = sorted({r.product.shop or r.product.source for r in outcome.ranked})
        chosen = f2.multiselect("Source", names, key="shop_sources", placeholder="all sources")
        in_stock = f3.checkbox("In stock only", key="shop_in_stock")
        shown = filter_ranked(outcome.ranked, price=None if low is None else (low, high), shops=chosen,
                              in_stock_only=in_stock)
        for note in outcome.notes:
            st.caption(f":material/info: {note}")
        if not shown:
            st.info(f"No product for {label} matches: try other words or widen the filters.",
                    icon=":material/search_off:")
        else:
            st.caption(f"{len(shown)} of {len(outcome.ranked)} products for {label}, best match first.")
            product_grid(shown, key_prefix="shop", columns=3, on_wishlist=save, saved=saved)

with wishlist_tab:
    if not kept:
        st.info("Your wishlist is empty: save products from a search or from a recommendation in Chat.",
                icon=":material/favorite_border:")
    for start in range(0, len(kept), 3):
        for col, item in zip(st.columns(3), kept[start:start + 3], strict=False):
            with col:
                product_card(Product.from_dict(item.product), key=f"wish_{item.id}")
                if st.button("Remove", key=f"wish_remove_{item.id}", icon=":material/delete:"):
                    with session_scope(ctx.engine) as session:
                        wishlist.remove(session, user_id=ctx.user_id, item_id=item.id or 0)
                    st.rerun()
