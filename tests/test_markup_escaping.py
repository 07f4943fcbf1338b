"""Text from garments, pieces, shops and models is shown as text, never as markup; links only http(s)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from relookx import history
from relookx.db import session_scope
from relookx.shop.types import Product
from relookx.shop.values import _url, http_url
from relookx.ui.safe import md_text, model_markdown
from tests.apphelpers import make_app, texts
from tests.conftest import create_user

EVIL_NAME = "![pixel](http://evil.example/t.png) [win](http://evil.example) <img src=x onerror=alert(1)> :red[x]"
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\((?!\s)|(?<!\\)!\[|(?<!\\)<img")


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JavaScript:alert(1)", "  JAVASCRIPT:alert(1)", "java\tscript:alert(1)",
    "\njavascript:alert(1)", "vbscript:x", "data:text/html,<b>", "file:///etc/passwd", "ftp://x.example/a",
])
def test_only_http_links_survive(link: str) -> None:
    joined = _url(link, "https://shop.example/p/")  # "" or a harmless path on the shop itself
    assert joined == "" or joined.startswith("https://shop.example/p/java"), joined
    assert http_url(link) == ""


def test_http_links_kept() -> None:
    assert _url("/img/a.png", "https://shop.example/p/") == "https://shop.example/img/a.png"
    assert http_url(" HTTPS://shop.example/a ") == "HTTPS://shop.example/a"


def test_md_text_and_model_markdown() -> None:
    shown = md_text(EVIL_NAME)
    assert "\\[" in shown and "\\<" in shown and "\\]" in shown
    critique = model_markdown("**Good** look. ![t](http://evil.example/t.png) see [here](https://evil.example)\n"
                              "- a list item\n$x$ www.evil.example")
    assert "**Good**" in critique and "- a list item" in critique  # formatting stays
    assert not UNESCAPED_LINK.search(critique)
    assert "\\$" in critique and "www\\.evil" in critique


def _garment_with_name(db: Engine, uid: int, name: str) -> None:
    from relookx.items import item_from
    from relookx.models import Garment

    with session_scope(db) as s:
        garment = Garment(user_id=uid, name=name, category="top", color_name=name, color_hex="#aa0000")
        item = item_from(garment)  # the wardrobe shows items: one for this garment, as the store makes it
        s.add(item)
        s.flush()
        garment.item_id = item.id
        s.add(garment)


def test_wardrobe_and_preview_pages_escape_data(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    _garment_with_name(db, uid, EVIL_NAME)
    at = make_app(data_dir, user_id=uid).run()
    at.switch_page("pages/wardrobe.py").run()
    assert not at.exception
    htmls = [str(el.proto.body) for el in at.get("html")]
    assert htmls and all("<img src=x" not in h for h in htmls)
    assert any("&lt;img src=x" in h for h in htmls)


def test_product_card_and_recommendation_escape(data_dir: Path, db: Engine) -> None:
    uid = create_user(db, "alice")
    product = Product(source="shopify", url="javascript:alert(1)", name=EVIL_NAME, brand="<b>B</b>",
                      price=10.0, currency="EUR", image="JAVASCRIPT:alert(1)", shop="s")
    with session_scope(db) as s:
        rec = history.add_recommendation(
            s, user_id=uid, query=EVIL_NAME, constraints={}, color_rule="complementary",
            piece_rule="accessory",
            piece={"name": EVIL_NAME, "category": "top", "color_name": "red", "color_hex": "#aa0000",
                   "description": EVIL_NAME, "reason": EVIL_NAME},
            critique="Nice. ![t](http://evil.example/t.png)", backend="offline",
            products=[{**product.to_dict(), "score": 1.0, "reasons": [EVIL_NAME]}])
        assert rec.id
    at = make_app(data_dir, user_id=uid).run()
    at.switch_page("pages/chat.py").run()
    assert not at.exception
    shown = texts(at)
    assert not UNESCAPED_LINK.search(shown), [line for line in shown.splitlines() if UNESCAPED_LINK.search(line)]
    assert all(b.proto.url.lower().startswith("http") for b in at.get("link_button"))
