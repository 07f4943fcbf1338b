"""Wardrobe page panels for wear tracking: the wear statistics, merge and split, CSV import."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from relookx import csv_import, items
from relookx.analytics import wear as wear_stats
from relookx.analytics import wear_figures
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.ui import components
from relookx.ui.safe import md_text
from relookx.wardrobe_items import WardrobeData

VALUE_COLUMNS: dict[str, Any] = {
    "name": "Item", "price": st.column_config.NumberColumn("Price", format="%.0f"),
    "wears": st.column_config.NumberColumn("Wears", format="%d"),
    "cost_per_wear": st.column_config.NumberColumn("Cost per wear", format="%.2f"),
    "last_worn": st.column_config.DateColumn("Last worn"),
}


def _value_table(frame: pd.DataFrame, key: str) -> None:
    st.dataframe(frame[list(VALUE_COLUMNS)], hide_index=True, key=key, column_config=VALUE_COLUMNS,
                 width="stretch")


def wear_tab(data: WardrobeData) -> None:
    """Wear statistics: headline numbers, charts, best and worst value, never and long not worn."""
    summary = wear_stats.wear_summary(data.items, data.wears, today=data.today)
    a, b, c, d = st.columns(4)
    a.metric("Outfits", summary.outfits, help="Analysed photos plus outfits logged by hand.")
    b.metric("Worn in the last 30 days", f"{summary.worn_share_30_days:.0%}", help="Share of your items.")
    c.metric("Worn in the last 90 days", f"{summary.worn_share_90_days:.0%}")
    d.metric("Never worn", summary.never_worn)
    if not summary.outfits:
        st.info("No outfits yet. Each analysed photo counts as an outfit worn on the day it was taken; you can "
                "also log an outfit by hand on the Outfits page. Wears, cost per wear and the calendar fill in "
                "from there.", icon=":material/calendar_month:")
    worn = data.stats.loc[data.stats["wears"] > 0].sort_values(["wears", "id"], ascending=[False, True])
    if not worn.empty:
        top = worn.iloc[0]
        cpw = f", {top['cost_per_wear']:,.2f} per wear" if top["cost_per_wear"] == top["cost_per_wear"] else ""
        st.markdown(f"Most worn: **{md_text(str(top['name']))}**, worn {int(top['wears'])} times{cpw}.")
    st.plotly_chart(wear_figures.fig_calendar(data.wears, today=data.today), width="stretch",
                    key="chart_calendar")
    left, right = st.columns(2)
    left.plotly_chart(wear_figures.fig_most_worn(data.items, data.wears, today=data.today), width="stretch",
                      key="chart_most_worn")
    right.plotly_chart(wear_figures.fig_outfits_per_week(data.wears), width="stretch", key="chart_weeks")
    left.plotly_chart(wear_figures.fig_worn_colors(data.items, data.wears), width="stretch", key="chart_worn_colors")
    right.plotly_chart(wear_figures.fig_worn_categories(data.items, data.wears), width="stretch",
                       key="chart_worn_categories")
    best, worst = wear_stats.best_and_worst_value(data.stats)
    left, right = st.columns(2)
    with left:
        st.subheader("Best value")
        if best.empty:
            st.caption("Items with a price that you have worn appear here, cheapest per wear first.")
        else:
            _value_table(best, "best_value")
    with right:
        st.subheader("Worst value")
        if worst.empty:
            st.caption("Add prices to your items to see which cost the most per wear.")
        else:
            _value_table(worst, "worst_value")
            st.caption("A never-worn item costs its whole price per wear.")
    never = wear_stats.never_worn(data.stats)
    stale = wear_stats.not_worn_since(data.stats)
    with st.expander(f"Never worn ({len(never)}) and not worn in {wear_stats.STALE_DAYS} days ({len(stale)})",
                     icon=":material/hourglass_empty:"):
        if never.empty and stale.empty:
            st.caption("Everything you own was worn recently.")
        else:
            _value_table(pd.concat([never, stale]), "forgotten_items")


def _item_label(row: dict[str, Any]) -> str:
    seen = ", ".join(str(n) for n in row["photo_numbers"][:4])
    return f"#{row['id']} {row['name']} ({row['category']}{', images ' + seen if seen else ''})"


def manage_tab(engine: Engine, user_id: int, data: WardrobeData) -> None:
    """Merge two items, split a sighting off an item, find repeats, import a CSV."""
    names = {row["id"]: _item_label(row) for row in data.rows}

    def labels(item_id: Any) -> str:
        return names.get(item_id, str(item_id))

    st.subheader("Merge two items")
    st.caption("The same piece counted twice? Merge them: sightings and logged wears move to the first item.")
    ids = list(names)
    left, right = st.columns(2)
    keep = left.selectbox("Keep", ids, format_func=labels, key="merge_keep", index=None)
    other = right.selectbox("Merge into it", ids, format_func=labels, key="merge_other", index=None)
    if st.button("Merge", key="merge_submit", icon=":material/merge:", disabled=keep is None or other is None):
        try:
            with session_scope(engine) as session:
                kept = items.merge(session, user_id=user_id, keep_id=int(keep or 0), other_id=int(other or 0))
        except RelookXError as exc:
            st.error(str(exc))
        else:
            st.toast(f"Merged into {kept.name}.", icon=":material/check:")
            st.rerun()
    st.subheader("Split a sighting off an item")
    target = st.selectbox("Item", ids, format_func=labels, key="split_item", index=None)
    if target is not None:
        with session_scope(engine) as session:
            seen = items.sightings(session, user_id=user_id, item_id=int(target))
        if len(seen) < 2:
            st.caption("This item has a single sighting: there is nothing to split off.")
        for garment, number in seen if len(seen) > 1 else []:
            row = st.container(horizontal=True, vertical_alignment="center")
            row.write(f"{garment.name} on {'image ' + str(number) if number else 'no photo (added by hand)'}")
            if row.button("Split off", key=f"split_{garment.id}", icon=":material/call_split:"):
                with session_scope(engine) as session:
                    new = items.split(session, user_id=user_id, garment_id=garment.id or 0)
                st.toast(f"Item #{new.id} created.", icon=":material/check:")
                st.rerun()
    st.subheader("Find repeats")
    st.caption("Links items that are clearly the same piece seen on several photos; likely ones become "
               "questions on the Images page.")
    if st.button("Find repeats", key="find_repeats", icon=":material/find_replace:"):
        with session_scope(engine) as session:
            result = items.find_repeats(session, user_id=user_id)
        st.toast(f"{result.linked} merged, {result.asked} question(s) on the Images page.", icon=":material/check:")
        st.rerun()
    import_panel(engine, user_id)


def import_panel(engine: Engine, user_id: int) -> None:
    """CSV import: preview of what will be imported, per-row errors, nothing written on a refused file."""
    st.subheader("Import items from CSV")
    st.caption("Use the columns of the Export CSV file (name, category, color or color_hex at least). Rows "
               "with the id of one of your items update it; the others become new items.")
    if done := st.session_state.pop("import_done", None):
        st.success(done, icon=":material/check:")
    round_ = st.session_state.get("import_round", 0)  # a new uploader after each import: the file is gone
    upload = st.file_uploader("CSV file", type=["csv"], key=f"import_csv_{round_}")
    if upload is None:
        return
    try:
        with session_scope(engine) as session:
            plan = csv_import.preview(session, user_id=user_id, data=upload.getvalue())
    except RelookXError as exc:
        st.error(f"This file cannot be imported: {exc}")
        return
    if plan.errors:
        st.error(f"Nothing will be imported: {len(plan.errors)} row(s) have errors. Fix them and upload again.")
        st.dataframe(pd.DataFrame(plan.errors, columns=["line", "error"]), hide_index=True, key="import_errors")
        return
    new = sum(1 for r in plan.rows if r.update_id is None)
    similar = sum(1 for r in plan.rows if r.update_id is None and r.similar_id is not None)
    st.write(f"Ready: {new} new item(s), {len(plan.rows) - new} update(s).")
    table = pd.DataFrame([{"line": r.line, "action": "update" if r.update_id else "new",
                           **{k: r.fields[k] for k in ("name", "category", "color_name", "price")},
                           "looks like": f"your {r.similar_name} ({r.similar_score:.0%})" if r.similar_id else ""}
                          for r in plan.rows])
    st.dataframe(table if similar else table.drop(columns="looks like"), hide_index=True, key="import_preview")
    skip = False
    if similar:
        st.warning(f"{similar} new row(s) look like items you already own (see “looks like”): importing them "
                   "may count one piece twice.", icon=":material/content_copy:")
        skip = st.checkbox(f"Skip the {similar} row(s) that look like items I own", key="import_skip_similar")
    if st.button("Import", key="import_submit", type="primary", icon=":material/upload_file:"):
        with session_scope(engine) as session:
            created, updated = csv_import.apply(session, user_id=user_id, plan=plan, skip_similar=skip)
        st.session_state["import_round"] = round_ + 1
        skipped = f", skipped {similar} that looked like items you own" if skip else ""
        st.session_state["import_done"] = f"Imported {created} new item(s), updated {updated}{skipped}."
        st.rerun()


def _answer(engine: Engine, user_id: int, garment_id: int, same: bool) -> None:
    with session_scope(engine) as session:
        items.answer_question(session, user_id=user_id, garment_id=garment_id, same=same)
    st.toast("Merged: one item, seen on both photos." if same else "Kept as two items.", icon=":material/check:")


def questions_panel(engine: Engine, user_id: int) -> None:
    """The middle-band questions: "Is the black boots of image 5 the same as your black boots from image 3?"."""
    with session_scope(engine) as session:
        open_questions = items.questions(session, user_id=user_id)
    if not open_questions:
        return
    st.subheader(f"Same piece? ({len(open_questions)})")
    for q in open_questions[:10]:
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.html(f"<div>{components.swatch_html(q['color_hex'] or '#cccccc', 18)} "
                    f"{components.swatch_html(q['item_color_hex'] or '#cccccc', 18)}</div>", width="content")
            st.markdown(md_text(items.question_text(q)))
            st.button("Yes, the same", key=f"same_yes_{q['garment_id']}", type="primary",
                      on_click=_answer, args=(engine, user_id, q["garment_id"], True))
            st.button("No", key=f"same_no_{q['garment_id']}", on_click=_answer,
                      args=(engine, user_id, q["garment_id"], False))
    if len(open_questions) > 10:
        st.caption(f"{len(open_questions) - 10} more after these.")


def seen_elsewhere(garments: list[Any], numbers: dict[int, list[int]], number: int) -> str:
    """ "Also worn in: Black jacket (image 1); White top (images 1, 4)" for a photo's garments ("" when none)."""
    parts = []
    for garment in garments:
        others = [n for n in numbers.get(garment.item_id or 0, []) if n != number]
        if others:
            where = f"image {others[0]}" if len(others) == 1 else "images " + ", ".join(map(str, others[:5]))
            parts.append(f"{md_text(garment.name)} ({where})")
    return "Also worn in: " + "; ".join(parts) if parts else ""
