"""The product record every source returns, the source interface, and a ranked result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

AVAILABILITY = ("in_stock", "out_of_stock", "unknown")


@dataclass
class Product:
    """One product of a shop (or of the demo catalog), normalised."""

    source: str  # "catalog", "shopify", "woocommerce", "asos" or "page"
    url: str  # absolute link to the product on the shop
    name: str
    brand: str = ""
    price: float | None = None  # current (discounted) price; None when the shop gives none: never guessed
    currency: str = ""  # ISO 4217, e.g. "EUR"
    regular_price: float | None = None  # the old price, only when higher than `price`
    availability: str = "unknown"  # one of AVAILABILITY
    image: str = ""  # absolute image URL, or a local file path for the demo catalog
    color: str = ""  # the color as the shop names it
    color_hex: str = ""  # "#rrggbb" when known or derived from `color`
    category: str = ""  # relookx.garments category when known or derived
    description: str = ""
    shop: str = ""  # the shop's name or host, for display
    demo: bool = False  # True for the bundled demo catalog: always labelled as demo data
    provenance: dict[str, str] = field(default_factory=dict)  # field -> where it came from ("json-ld", ...)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
        """The product from `to_dict`'s output (unknown keys ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class ProductSource(Protocol):
    """Anything that can find products for a text query."""

    name: str

    def search(self, query: str, limit: int) -> list[Product]:
        """Up to `limit` products matching the query; raise ShopError with a clear reason on failure."""
        ...


@dataclass
class RankedProduct:
    """A product scored against a recommended piece, with the reasons in words."""

    product: Product
    score: float  # 0..1, higher is better
    reasons: list[str] = field(default_factory=list)
