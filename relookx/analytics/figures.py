"""Plotly figures of the wardrobe numbers in the garments' own colors; empty input gives an annotated empty figure."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from relookx.analytics.stats import category_counts, color_palette, growth, occasion_counts, value_by_category

# Bars of garments whose colour is unknown are drawn in a neutral grey.
UNKNOWN_HEX = "#c8c8c8"
_OUTLINE = "rgba(60, 60, 60, 0.55)"
_HEIGHT = 320
TEMPLATE = "plotly_white"
ACCENT = "#8e3b46"  # the app theme's primary color
ACCENT_2 = "#c08552"


def _figure(data: list[Any], layout: dict[str, Any]) -> go.Figure:
    """A validated figure wearing the "plotly_white" template."""
    fig = go.Figure(data=data, layout=layout)
    # Validating a template deep-copies all of it (~8 ms per figure, most of the analytics budget).
    # Registered templates are already valid, so attach it unvalidated, as plotly does for its default.
    fig.layout._validate = False
    try:
        fig.layout.template = pio.templates[TEMPLATE]
    finally:
        fig.layout._validate = True
    return fig


def _layout(title: str, x_title: str, y_title: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "height": _HEIGHT,
        "margin": {"l": 10, "r": 10, "t": 44, "b": 10},
        "showlegend": False,
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
    }
    layout.update(extra)
    return layout


def count_axis(title: str, largest: float) -> dict[str, Any]:
    """An axis of whole counts: integer ticks at a round step (never 0.5 on small wardrobes)."""
    step = 1
    while largest / step > 6:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return {"title": {"text": title}, "rangemode": "tozero", "tickformat": ",d", "dtick": step}


def _empty(title: str) -> go.Figure:
    """A figure with no data and a short note, so pages can always draw what they get."""
    return _figure(
        [],
        _layout(
            title, "", "",
            xaxis={"visible": False}, yaxis={"visible": False},
            annotations=[{"text": "Nothing to show yet", "showarrow": False, "font": {"size": 14},
                          "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}],
        )
    )


def fig_categories(df: pd.DataFrame) -> go.Figure:
    """Bar chart of garments per category, in taxonomy order."""
    title = "Garments by category"
    counts = category_counts(df)
    if counts.empty:
        return _empty(title)
    bar = go.Bar(x=counts["category"].tolist(), y=counts["count"].tolist(), marker={"color": ACCENT},
                 hovertemplate="%{x}: %{y} garments<extra></extra>")
    return _figure([bar], _layout(title, "category", "", yaxis=count_axis("garments", counts["count"].max())))


def fig_palette(df: pd.DataFrame) -> go.Figure:
    """Bar per colour name, each drawn in the garments' own hex colour with a thin outline."""
    title = "Color palette"
    palette = color_palette(df)
    if palette.empty:
        return _empty(title)
    hexes = palette["color_hex"].replace("", UNKNOWN_HEX).tolist()
    bar = go.Bar(
        x=palette["color_name"].tolist(), y=palette["count"].tolist(), customdata=hexes,
        marker={"color": hexes, "line": {"color": _OUTLINE, "width": 1}},
        hovertemplate="%{x} (%{customdata}): %{y} garments<extra></extra>",
    )
    return _figure([bar], _layout(title, "color", "", bargap=0.15,
                                  yaxis=count_axis("garments", palette["count"].max())))


def fig_value_by_category(df: pd.DataFrame) -> go.Figure:
    """Bar chart of the estimated value of priced garments per category."""
    title = "Estimated value by category"
    values = value_by_category(df)
    if values.empty:
        return _empty(title)
    bar = go.Bar(
        x=values["category"].tolist(), y=values["value"].tolist(), customdata=values["priced"].tolist(),
        marker={"color": ACCENT_2},
        hovertemplate="%{x}: %{y:,.2f} (%{customdata} priced)<extra></extra>",
    )
    return _figure([bar], _layout(title, "category", "estimated value"))


def fig_occasions(df: pd.DataFrame, *, top: int = 15) -> go.Figure:
    """Horizontal bars of the `top` most frequent occasions, most common first."""
    title = "Occasions"
    counts = occasion_counts(df).head(top)
    if counts.empty:
        return _empty(title)
    bar = go.Bar(x=counts["count"].tolist(), y=counts["occasion"].tolist(), orientation="h",
                 marker={"color": "#6f7d5c"}, hovertemplate="%{y}: %{x} garments<extra></extra>")
    layout = _layout(title, "garments", "", yaxis={"autorange": "reversed", "title": {"text": "occasion"}},
                     xaxis=count_axis("garments", counts["count"].max()))
    return _figure([bar], layout)


def fig_growth(garments: pd.DataFrame, photos: pd.DataFrame) -> go.Figure:
    """Cumulative garments and photos over time."""
    title = "Wardrobe growth"
    daily = growth(garments, photos)
    if daily.empty:
        return _empty(title)
    mode = "lines" if len(daily) > 1 else "markers"
    days = daily["day"].dt.tz_localize(None).to_numpy()
    traces = [
        go.Scatter(x=days, y=daily["garments_total"].to_numpy(), name="garments", mode=mode,
                   line={"color": ACCENT, "shape": "hv"}),
        go.Scatter(x=days, y=daily["photos_total"].to_numpy(), name="photos", mode=mode,
                   line={"color": "#868e96", "shape": "hv"}),
    ]
    largest = max(daily["garments_total"].max(), daily["photos_total"].max())
    layout = _layout(
        title, "date (UTC)", "", showlegend=True, hovermode="x unified", yaxis=count_axis("total", largest),
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
    )
    # Whole days on the axis: with a single day plotly would otherwise zoom to milliseconds.
    xaxis: dict[str, Any] = {"title": {"text": "date (UTC)"}, "tickformat": "%d %b %Y", "dtick": 86_400_000}
    if len(daily) == 1:
        day = pd.Timestamp(days[0])
        xaxis["range"] = [day - pd.Timedelta(days=1), day + pd.Timedelta(days=1)]
    elif (days[-1] - days[0]) > np.timedelta64(14, "D"):
        del xaxis["dtick"]
    layout["xaxis"] = xaxis
    return _figure(traces, layout)
