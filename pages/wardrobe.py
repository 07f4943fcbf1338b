"""Wardrobe: every item in a filterable, editable table with its wears, statistics as charts, merge and import."""

import hashlib
import html
from urllib.parse import quote

import streamlit as st

from relookx import analytics, garments, wardrobe, wardrobe_items
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.ui import components, wear_panels
from relookx.ui.context import app_context
from relookx.ui.safe import md_text

ctx = app_context()
st.title("Wardrobe")

with session_scope(ctx.engine) as session:
    data = wardrobe_items.load(session, user_id=ctx.user_id)
frame = wardrobe_items.table(data)
photos_df = data.photos


def add_form() -> None:
    """The form to add a garment by hand."""
    with st.form("add_garment_form", clear_on_submit=True):
        a, b, c = st.columns(3)
        name = a.text_input("Name", key="add_name", placeholder="Olive chinos")
        category = b.selectbox("Category", garments.CATEGORIES, key="add_category")
        color = c.text_input("Color", key="add_color", placeholder="olive or #708238")
        price = a.text_input("Estimated price", key="add_price", placeholder="45")
        context = b.text_input("Occasion", key="add_context", placeholder="work, weekend")
        fit = c.text_input("Fit", key="add_fit", placeholder="slim")
        if st.form_submit_button("Add to wardrobe", key="add_submit", icon=":material/add:"):
            try:
                with session_scope(ctx.engine) as session:
                    added = wardrobe.add_by_hand(session, user_id=ctx.user_id, name=name, category=category,
                                                 color=color, price=price, context=context, fit=fit)
                    linked = wardrobe.linked_to(session, user_id=ctx.user_id, garment=added)
            except RelookXError as exc:
                st.error(str(exc))
            else:
                st.toast(f"{md_text(name.strip())} added" + (f": the same as your {md_text(linked)}." if linked
                                                              else "."), icon=":material/check:")
                st.rerun()


if frame.empty:
    st.info(
        "Your wardrobe is empty. Upload outfit photos on the Images page and their garments appear "
        "here, with statistics about your categories, colors and occasions. You can also add a garment "
        "by hand below.", icon=":material/checkroom:",
    )
    st.page_link("pages/images.py", label="Upload photos", icon=":material/upload:")
    add_form()
    wear_panels.import_panel(ctx.engine, ctx.user_id)
    st.stop()

summary = analytics.summary(frame, photos_df)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Items", summary.garments, help="Each physical piece once, however many photos show it.")
m2.metric("Photos", summary.photos)
m3.metric("Estimated value", f"{summary.total_value:,.0f}", help=f"{summary.priced} garments have a price.")
m4.metric("Most frequent color", summary.top_color_name or "-")

table_tab, wear_tab, stats_tab, manage_tab = st.tabs([
    ":material/table: Items", ":material/calendar_month: Wear", ":material/bar_chart: Statistics",
    ":material/build: Merge, split, import"])

with table_tab:
    f1, f2, f3, f4 = st.columns(4)
    cats = f1.multiselect("Category", sorted(frame["category"].unique()), key="filter_category")
    colors = f2.multiselect("Color", sorted(frame["color_name"].unique()), key="filter_color")
    occasions = f3.multiselect("Occasion", analytics.occasion_counts(frame)["occasion"].tolist(),
                               key="filter_occasion")
    numbers = f4.multiselect("Photo", sorted(int(n) for n in frame["photo_number"].dropna().unique()),
                             key="filter_photo", format_func=lambda n: f"image {n}")
    shown = analytics.filter_garments(frame.loc[wardrobe_items.seen_on(data, numbers).to_numpy()],
                                      categories=cats, colors=colors, occasions=occasions)
    table = shown[["id", "photos", *wardrobe.EDITABLE, "wears", "last_worn", "cost_per_wear", "source"]]
    table = table.reset_index(drop=True)
    crop_keys = {row["id"]: row.get("crop_key", "") for row in data.rows}
    table.insert(1, "crop", [components.crop_data_uri(ctx.storage, crop_keys.get(i, "")) for i in table["id"]])
    table.insert(1, "swatch", [
        "data:image/svg+xml;utf8," + quote(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" '
            f'rx="4" fill="{h or "#cccccc"}" stroke="#888"/></svg>') for h in table["color_hex"]])
    table["delete"] = False
    # A new key whenever the filters change, so pending edits never land on other rows.
    editor_key = "garment_editor_" + hashlib.sha1(repr((cats, colors, occasions, numbers, len(frame)))
                                                  .encode()).hexdigest()[:10]
    st.data_editor(
        table, key=editor_key, hide_index=True, width="stretch",
        column_order=["delete", "photos", "crop", "swatch", "name", "category", "color_name", "color_hex", "price",
                      "wears", "cost_per_wear", "last_worn", "context", "fit", "pattern", "material", "description",
                      "source"],
        disabled=["id", "photos", "crop", "swatch", "source", "wears", "cost_per_wear", "last_worn"],
        column_config={
            "id": None,
            "photos": st.column_config.TextColumn("Images", width="small", help="The photos this item is seen on"),
            "crop": st.column_config.ImageColumn("Seen on photo", width="small",
                                                 help="The part of a photo this item was read from"),
            "wears": st.column_config.NumberColumn("Wears", format="%d", width="small"),
            "cost_per_wear": st.column_config.NumberColumn("Cost/wear", format="%.2f", width="small",
                                                           help="Price divided by wears"),
            "last_worn": st.column_config.DatetimeColumn("Last worn", format="YYYY-MM-DD"),
            "swatch": st.column_config.ImageColumn("", width="small"),
            "name": st.column_config.TextColumn("Name", required=True),
            "category": st.column_config.SelectboxColumn("Category", options=garments.CATEGORIES,
                                                         required=True),
            "color_name": "Color", "color_hex": "Hex", "pattern": "Pattern", "material": "Material",
            "fit": "Fit", "context": "Occasion", "source": "Source",
            "description": st.column_config.TextColumn("Description", width="medium"),
            "price": st.column_config.NumberColumn("Price", min_value=0, format="%.0f"),
            "delete": st.column_config.CheckboxColumn("Delete", width="small",
                                                      help="Tick to delete, then save"),
        },
    )
    st.caption(f"{len(shown)} of {len(frame)} items. Edit any cell or tick Delete (it removes the item and its "
               "sightings), then save.")
    pending = st.session_state.get(editor_key, {}).get("edited_rows", {})
    actions = st.container(horizontal=True)
    if actions.button("Save changes", key="save_edits", type="primary", icon=":material/save:",
                       disabled=not pending):
        ids = table["id"].tolist()
        deletions = [ids[i] for i, c in pending.items() if c.get("delete")]
        edits = {ids[i]: {k: v for k, v in c.items() if k != "delete"} for i, c in pending.items()
                 if ids[i] not in deletions}
        try:
            with session_scope(ctx.engine) as session:
                changed = wardrobe.apply_edits(session, user_id=ctx.user_id, edits=edits, deletions=deletions)
        except RelookXError as exc:
            st.error(f"Nothing was saved: {exc}")
        else:
            st.session_state.pop(editor_key, None)
            st.toast(f"{changed} item(s) saved.", icon=":material/check:")
            st.rerun()
    actions.download_button(
        "Export CSV", data=wardrobe.garments_csv(shown.drop(columns="photos").to_dict("records")),
        file_name="wardrobe.csv",
        mime="text/csv", key="export_csv", icon=":material/download:",
    )
    with st.expander("Add a garment by hand", icon=":material/add:"):
        add_form()

with wear_tab:
    wear_panels.wear_tab(data)

with manage_tab:
    wear_panels.manage_tab(ctx.engine, ctx.user_id, data)

with stats_tab:
    figures = {
        "categories": analytics.fig_categories(frame), "palette": analytics.fig_palette(frame),
        "value": analytics.fig_value_by_category(frame), "occasions": analytics.fig_occasions(frame),
    }
    names = list(figures)
    for start in range(0, len(names), 2):
        for col, name in zip(st.columns(2), names[start:start + 2], strict=False):
            col.plotly_chart(figures[name], width="stretch", key=f"chart_{name}")
    st.plotly_chart(analytics.fig_growth(frame, photos_df), width="stretch", key="chart_growth")
    if analytics.occasion_counts(frame).empty:
        st.caption("No occasions yet: the offline analyzer does not guess them. Add them in the Occasion "
                   "column of the table (e.g. 'work, weekend').")
    if summary.top_color_hex:
        st.html(f"<div>{components.swatch_html(summary.top_color_hex, 18)} Your most frequent color is "
                f"<b>{html.escape(summary.top_color_name)}</b>.</div>")
