"""Time `parse_product` on a 1 MB product page (target: under 100 ms).

The page looks like a real shop's: a head full of meta tags and inline scripts, a mega menu, thousands
of product tiles in "you may also like" grids, tracking scripts, and the JSON-LD block at the very end.
Run from the repository root: `.venv/bin/python benchmarks/shop_parse.py`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx.shop.parse import detect_currency, detect_platform, parse_product  # noqa: E402

TARGET_MS = 100.0
REPEATS = 20
PAGE_URL = "https://bigshop.example/en/products/tailored-wool-coat"
PRODUCT_LD = {
    "@context": "https://schema.org", "@type": "Product", "name": "Tailored Wool Coat",
    "brand": {"@type": "Brand", "name": "Bigshop Atelier"}, "color": "Camel", "url": "/en/products/tailored-wool-coat",
    "image": [{"@type": "ImageObject", "url": "/media/coat-camel-1.jpg"}],
    "offers": [{"@type": "Offer", "price": str(289 + size), "priceCurrency": "EUR",
                "availability": "https://schema.org/" + ("OutOfStock" if size == 0 else "InStock")}
               for size in range(6)],
}

_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tailored Wool Coat | Bigshop</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta property="og:type" content="product"><meta property="og:title" content="Tailored Wool Coat">
<meta property="og:image" content="https://bigshop.example/media/coat-camel-og.jpg">
<link rel="stylesheet" href="/assets/app.css?v=8123">
"""
_INLINE_SCRIPT = """<script>
(function(w,d){{var q=w.dataLayer=w.dataLayer||[];q.push({{event:"view_{i}",items:[{{id:"SKU{i}",price:{p}}}]}});
if(d.cookie.indexOf("consent")<0&&w.innerWidth>768){{d.body&&d.body.classList.add("needs-consent");}}
for(var k=0;k<3;k++){{q.push({{slot:"ad-"+k+"-{i}"}});}}}})(window,document);
</script>
"""
_TILE = """<li class="product-tile" data-sku="SKU{i}"><a href="/en/products/item-{i}" class="tile-link">
<img src="/media/thumbs/item-{i}.jpg" alt="Item {i}" loading="lazy" width="240" height="320">
<span class="tile-name">Everyday piece no. {i}</span><span class="tile-price">€{p},00</span></a></li>
"""


def make_page(size: int = 1_000_000, *, microdata: bool = False) -> str:
    """A product page of about `size` characters whose JSON-LD sits at the very end.

    With `microdata`, the main element is also a microdata Product: the reader must walk the whole page.
    """
    parts = [_HEAD]
    for i in range(12):
        parts.append(_INLINE_SCRIPT.format(i=i, p=10 + i))
    parts.append('</head><body class="template-product"><header><nav class="mega-menu"><ul>')
    for i in range(300):
        parts.append(f'<li class="menu-item"><a href="/en/c/{i}">Category {i}</a></li>')
    main = ('<main itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Tailored Wool Coat</h1>'
            '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" '
            'content="289.00"><meta itemprop="priceCurrency" content="EUR"></div>') if microdata else (
            '<main><h1>Tailored Wool Coat</h1>')
    parts.append(f'</ul></nav></header>{main}<p class="price">€289,00</p>')
    i, total = 0, sum(len(p) for p in parts)
    while total < size - 4000:
        chunk = (_TILE.format(i=i, p=20 + i % 180) if i % 40 else
                 '</ul><section class="grid"><ul>' + _INLINE_SCRIPT.format(i=i, p=i % 99))
        parts.append(chunk)
        total += len(chunk)
        i += 1
    parts.append("</ul></section></main><footer><p>© Bigshop</p></footer>")
    parts.append(f'<script type="application/ld+json">{json.dumps(PRODUCT_LD, indent=1)}</script>')
    parts.append("</body></html>")
    return "".join(parts)


def main() -> int:
    """Print best and median of REPEATS parses; exit 1 when the median misses the target."""
    page, wrapped = make_page(), make_page(microdata=True)
    for candidate in (page, wrapped):
        product = parse_product(candidate, PAGE_URL)
        assert product is not None and product.price == 290.0, product
    rows = []
    for label, func in (("parse_product", lambda: parse_product(page, PAGE_URL)),
                        ("  + microdata", lambda: parse_product(wrapped, PAGE_URL)),
                        ("detect_platform", lambda: detect_platform(page)),
                        ("detect_currency", lambda: detect_currency(page))):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
        rows.append((label, min(times), statistics.median(times)))
    print(f"page: {len(page.encode()) / 1_000_000:.2f} MB, {page.count('<li')} list items, "
          f"{page.count('<script')} scripts; {REPEATS} runs each")
    print(f"{'step':<16} {'best ms':>9} {'median ms':>10}")
    for label, best, median in rows:
        print(f"{label:<16} {best:>9.2f} {median:>10.2f}")
    parse_median = max(rows[0][2], rows[1][2])
    verdict = "OK" if parse_median < TARGET_MS else "MISSED"
    print(f"target: parse_product median under {TARGET_MS:.0f} ms on both pages -> {verdict}")
    print("(+ microdata: the same page with a microdata Product wrapping <main>, read tag by tag to its end)")
    return 0 if parse_median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
