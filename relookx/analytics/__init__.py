"""Pure wardrobe analytics: plain garment/photo rows -> typed frames, numbers and plotly figures.

Nothing here touches Streamlit or the database; pages fetch rows, call these functions and draw the result.
Every function accepts empty input and returns an empty frame or an empty (annotated) figure.
`frames` builds the frames, `stats` computes the numbers, `figures` draws them; this module is their API.
"""

from relookx.analytics.figures import (
    ACCENT,
    ACCENT_2,
    TEMPLATE,
    UNKNOWN_HEX,
    count_axis,
    fig_categories,
    fig_growth,
    fig_occasions,
    fig_palette,
    fig_value_by_category,
)
from relookx.analytics.frames import GARMENT_COLUMNS, PHOTO_COLUMNS, garments_frame, photos_frame
from relookx.analytics.stats import (
    WardrobeSummary,
    category_counts,
    color_palette,
    filter_garments,
    growth,
    occasion_counts,
    split_occasions,
    summary,
    value_by_category,
)

__all__ = [
    "ACCENT", "ACCENT_2", "GARMENT_COLUMNS", "PHOTO_COLUMNS", "TEMPLATE", "UNKNOWN_HEX", "WardrobeSummary",
    "category_counts", "color_palette", "count_axis", "fig_categories", "fig_growth", "fig_occasions",
    "fig_palette", "fig_value_by_category", "filter_garments", "garments_frame", "growth", "occasion_counts",
    "photos_frame", "split_occasions", "summary", "value_by_category",
]
