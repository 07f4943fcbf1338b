"""Plotly figures of the wear statistics; empty input gives a figure that says what would fill it."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from relookx.analytics.figures import ACCENT, UNKNOWN_HEX, _figure, _layout, count_axis
from relookx.analytics.wear import item_wear_stats, outfit_days, outfits_per_week, wears_by_category, wears_by_color

_OUTLINE = "rgba(60, 60, 60, 0.55)"
NO_WEARS = "No outfits yet: upload outfit photos or log an outfit"


def _empty(title: str, note: str = NO_WEARS) -> go.Figure:
    return _figure([], _layout(
        title, "", "", xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": note, "showarrow": False, "font": {"size": 13}, "xref": "paper", "yref": "paper",
                      "x": 0.5, "y": 0.5}],
    ))


def fig_most_worn(items: pd.DataFrame, wears: pd.DataFrame, *, today: date, top: int = 15) -> go.Figure:
    """Horizontal bars of the most worn items, in their own colors."""
    title = "Most worn items"
    stats = item_wear_stats(items, wears, today=today)
    stats = stats.loc[stats["wears"] > 0].sort_values(["wears", "id"], ascending=[False, True]).head(top)
    if stats.empty:
        return _empty(title)
    hexes = stats["color_hex"].replace("", UNKNOWN_HEX).tolist()
    labels = [f"{n} (#{i})" for n, i in zip(stats["name"], stats["id"], strict=True)]
    bar = go.Bar(x=stats["wears"].tolist(), y=labels, orientation="h",
                 marker={"color": hexes, "line": {"color": _OUTLINE, "width": 1}},
                 hovertemplate="%{y}: worn %{x} times<extra></extra>")
    return _figure([bar], _layout(title, "wears", "", yaxis={"autorange": "reversed"},
                                  xaxis=count_axis("wears", float(stats["wears"].max()))))


def fig_worn_colors(items: pd.DataFrame, wears: pd.DataFrame) -> go.Figure:
    """Wears per color, drawn in the color."""
    title = "Most worn colors"
    by = wears_by_color(items, wears).head(15)
    if by.empty:
        return _empty(title)
    hexes = by["color_hex"].replace("", UNKNOWN_HEX).tolist()
    bar = go.Bar(x=by["color_name"].tolist(), y=by["wears"].tolist(),
                 marker={"color": hexes, "line": {"color": _OUTLINE, "width": 1}},
                 hovertemplate="%{x}: %{y} wears<extra></extra>")
    return _figure([bar], _layout(title, "color", "", yaxis=count_axis("wears", float(by["wears"].max()))))


def fig_worn_categories(items: pd.DataFrame, wears: pd.DataFrame) -> go.Figure:
    """Wears per category."""
    title = "Most worn categories"
    by = wears_by_category(items, wears)
    if by.empty:
        return _empty(title)
    bar = go.Bar(x=by["category"].tolist(), y=by["wears"].tolist(), marker={"color": ACCENT},
                 hovertemplate="%{x}: %{y} wears<extra></extra>")
    return _figure([bar], _layout(title, "category", "", yaxis=count_axis("wears", float(by["wears"].max()))))


def fig_outfits_per_week(wears: pd.DataFrame) -> go.Figure:
    """Outfits per week (weeks start on Monday)."""
    title = "Outfits per week"
    weeks = outfits_per_week(wears)
    if weeks.empty:
        return _empty(title)
    # Each bar spans most of its week (a lone bar on a date axis would otherwise be a hairline).
    bar = go.Bar(x=weeks["week"].to_numpy(), y=weeks["outfits"].tolist(), marker={"color": "#6f7d5c"},
                 width=[6 * 86_400_000] * len(weeks), offset=0,
                 hovertemplate="week of %{x|%d %b %Y}: %{y} outfits<extra></extra>")
    # Whole weeks on the axis: with one bar plotly would otherwise zoom to milliseconds.
    first, last = weeks["week"].iloc[0], weeks["week"].iloc[-1]
    xaxis: dict[str, Any] = {"title": {"text": "week"}, "tickformat": "%d %b %Y", "type": "date",
             "range": [first - pd.Timedelta(days=2), last + pd.Timedelta(days=9)]}
    if len(weeks) <= 12:
        xaxis["dtick"] = 7 * 86_400_000
    return _figure([bar], _layout(title, "week", "", xaxis=xaxis,
                                  yaxis=count_axis("outfits", float(max(weeks["outfits"].max(), 1)))))


def fig_calendar(wears: pd.DataFrame, *, weeks: int = 26, today: date) -> go.Figure:
    """A calendar heat map of outfits per day over the last `weeks` weeks (rows: weekdays)."""
    title = "Outfit calendar"
    days = outfit_days(wears)
    end = pd.Timestamp(today).floor("D")
    start = end - pd.Timedelta(days=int(end.weekday()) + 7 * (weeks - 1))
    days = days.loc[(days["day"] >= start) & (days["day"] <= end)]
    if days.empty:
        return _empty(title, f"No outfits in the last {weeks} weeks")
    grid = np.full((7, weeks), np.nan)
    offset = ((days["day"] - start).dt.days).to_numpy()
    grid[offset % 7, offset // 7] = days["outfits"].to_numpy()
    all_days = np.arange(7 * weeks)
    counts = np.where(all_days <= (end - start).days, 0.0, np.nan).reshape(weeks, 7).T
    counts = np.where(np.isnan(grid), counts, grid)
    mondays = [start + pd.Timedelta(weeks=w) for w in range(weeks)]
    heat = go.Heatmap(z=counts, x=mondays, y=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                      colorscale=[[0, "#f1f3f5"], [1, ACCENT]], zmin=0, showscale=False, xgap=2, ygap=2,
                      hovertemplate="week of %{x|%d %b}, %{y}: %{z} outfits<extra></extra>")
    return _figure([heat], _layout(title, "", "", yaxis={"autorange": "reversed"}, height=240))
