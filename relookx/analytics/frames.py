"""Typed frames of plain garment and photo rows: the input every statistic and figure takes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

GARMENT_COLUMNS: tuple[str, ...] = (
    "id", "photo_number", "name", "category", "color_name", "color_hex", "pattern", "material", "fit", "price",
    "context", "description", "price_text", "confidence", "source", "created_at",
)
PHOTO_COLUMNS: tuple[str, ...] = ("number", "created_at", "status")
_HEX_RE = re.compile(r"#?(?:[0-9a-f]{3}|[0-9a-f]{6})")


def _column(records: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    return [r.get(key) for r in records]


def _clean_text(
    values: list[Any], *, default: str = "", norm: Callable[[str], str] = str.strip
) -> pd.Series:
    """Normalise a text column once per distinct value (wardrobe columns repeat a lot)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    cleaned = [norm(str(u)) or default for u in uniques]
    cleaned.append(default)  # code -1 (missing) picks the last element
    return pd.Series(np.asarray(cleaned, dtype=object)[codes], dtype="str")


def _lower(value: str) -> str:
    return value.strip().lower()


def _norm_hex(value: str) -> str:
    value = value.strip().lower()
    return "#" + value.lstrip("#") if _HEX_RE.fullmatch(value) else ""


def _timestamps(values: list[Any]) -> pd.Series:
    stamps = pd.to_datetime(pd.Series(values, dtype=object), utc=True, errors="coerce", format="ISO8601")
    return stamps.astype("datetime64[us, UTC]")


def _whole_numbers(values: list[Any]) -> pd.Series:
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers) & (numbers == np.round(numbers)))
    return numbers.astype("Int64")


def garments_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the typed garment frame (GARMENT_COLUMNS) from plain rows; missing keys get defaults."""
    records = list(rows)
    ids = pd.to_numeric(pd.Series(_column(records, "id"), dtype=object), errors="coerce")
    ids = ids.fillna(pd.Series(np.arange(len(records)), dtype=float)).astype("int64")
    price = pd.to_numeric(pd.Series(_column(records, "price"), dtype=object), errors="coerce").astype(float)
    frame = {
        "id": ids,
        "photo_number": _whole_numbers(_column(records, "photo_number")),
        "name": _clean_text(_column(records, "name")),
        "category": _clean_text(_column(records, "category"), default="other", norm=_lower),
        "color_name": _clean_text(_column(records, "color_name"), norm=_lower),
        "color_hex": _clean_text(_column(records, "color_hex"), norm=_norm_hex),
        "pattern": _clean_text(_column(records, "pattern"), norm=_lower),
        "material": _clean_text(_column(records, "material"), norm=_lower),
        "fit": _clean_text(_column(records, "fit"), norm=_lower),
        "price": price.where(np.isfinite(price)),
        "context": _clean_text(_column(records, "context")),
        "description": _clean_text(_column(records, "description")),
        "price_text": _clean_text(_column(records, "price_text")),
        "confidence": pd.to_numeric(pd.Series(_column(records, "confidence"), dtype=object),
                                    errors="coerce").astype(float),
        "source": _clean_text(_column(records, "source"), default="manual", norm=_lower),
        "created_at": _timestamps(_column(records, "created_at")),
    }
    return pd.DataFrame(frame, columns=list(GARMENT_COLUMNS))


def photos_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build the typed photo frame (number: Int64, created_at: UTC, status: str) from plain rows."""
    records = list(rows)
    frame = {
        "number": _whole_numbers(_column(records, "number")),
        "created_at": _timestamps(_column(records, "created_at")),
        "status": _clean_text(_column(records, "status"), default="pending", norm=_lower),
    }
    return pd.DataFrame(frame, columns=list(PHOTO_COLUMNS))
