"""Which product sources a search uses: the configured shops (and ASOS), or the bundled demo catalog."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from relookx.config import Settings, with_overrides
from relookx.errors import ConfigError
from relookx.shop.addresses import netloc_of
from relookx.shop.catalog import CatalogSource
from relookx.shop.http import PoliteHttp
from relookx.shop.types import ProductSource


def make_http(settings: Settings, engine: Engine | None) -> PoliteHttp:
    """The one polite HTTP layer for all shops, caching answers in the store; internal addresses only for them."""
    return PoliteHttp(engine=engine, timeout_s=settings.shop_timeout_s, spacing_s=settings.shop_spacing_s,
                      cache_ttl_s=settings.shop_cache_ttl_s,
                      trusted_hosts=[netloc_of(u) for u in settings.shop_urls if netloc_of(u)])


def catalog(settings: Settings) -> CatalogSource:
    """The demo catalog, its images drawn under the data dir."""
    return CatalogSource(settings.data_dir / "catalog")


def configured_sources(
    settings: Settings, engine: Engine | None, *, http: PoliteHttp | None = None,
    demo: CatalogSource | None = None,
) -> tuple[list[ProductSource], list[str]]:
    """The configured shops (platform detected and remembered) or, when none is set, the demo catalog."""
    if not settings.shop_urls and not settings.rapidapi_key:
        return [demo or catalog(settings)], []  # find_products itself says the results are demo data
    from relookx.shop.sources import sources_for

    sources, notes = sources_for(settings, http or make_http(settings, engine), engine)
    if not sources:
        notes.append("No configured shop could be used, so the demo catalog answered instead.")
        sources = [demo or catalog(settings)]
    return sources, notes


def source_from_spec(spec: str, settings: Settings, engine: Engine | None) -> ProductSource:
    """One source from the CLI's --source: catalog, shopify:URL, woocommerce:URL or asos."""
    kind, _, url = spec.partition(":")
    named = with_overrides(settings, shops=",".join([*settings.shop_urls, url])) if url else settings
    http = make_http(named, engine)  # the shop named on the command line counts as configured
    if kind == "catalog":
        return catalog(settings)
    if kind == "shopify" and url:
        from relookx.shop.shopify import ShopifySource

        return ShopifySource(url, http)
    if kind == "woocommerce" and url:
        from relookx.shop.sources import WooCommerceSource

        return WooCommerceSource(url, http)
    if kind == "asos":
        if not settings.rapidapi_key:
            raise ConfigError("The ASOS source needs RAPIDAPI_KEY (RapidAPI's asos2 API).")
        from relookx.shop.sources import AsosSource

        return AsosSource(settings.rapidapi_key, http)
    raise ConfigError(f"Unknown source '{spec}': use catalog, shopify:URL, woocommerce:URL or asos.")
