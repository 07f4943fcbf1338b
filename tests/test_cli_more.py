"""`python -m relookx shop search|parse`, `preview` and `tunnel check`, against local test servers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.sd_server import SDServer
from tests.shop_site import LocalShop
from tests.test_cli import Cli, data_dir, error_line, photos, run, stocked  # noqa: F401 (fixtures)

PAGES = ROOT / "tests" / "data" / "pages"


def test_shop_search_demo_catalog_json(run: Cli) -> None:  # noqa: F811
    out = json.loads(run.ok("shop", "search", "burgundy sweater", "--limit", "3", "--json"))
    assert len(out["ranked"]) == 3 and any("demo" in note for note in out["notes"])
    first = out["ranked"][0]["product"]
    assert first["demo"] and "sweater" in first["name"].lower() and first["currency"] == "EUR"


def test_shop_search_a_shopify_site(run: Cli, shopify_site: LocalShop, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("RELOOKX_SHOP_SPACING_S", "0")
    text = run.ok("shop", "search", "wool blazer", "--source", f"shopify:{shopify_site.base_url}")
    assert "Slim Wool Blazer — 129.00 EUR — in stock" in text
    assert f"{shopify_site.base_url}/products/navy-wool-blazer" in text
    assert shopify_site.requests and all("RelookX" in r.headers["user-agent"] for r in shopify_site.requests)


def test_shop_parse_prints_the_record(run: Cli) -> None:  # noqa: F811
    page = PAGES / "jsonld_offer.html"
    text = run.ok("shop", "parse", str(page), "--url", "https://atelier-north.example/p/x")
    assert "price         249.0" in text and "currency      EUR" in text
    record = json.loads(run.ok("shop", "parse", str(page), "--url", "https://atelier-north.example/p/x", "--json"))
    assert set(record) >= {"name", "brand", "price", "currency", "availability", "image", "url", "color"}
    assert record["provenance"]["price"] == "json-ld"
    code, _, err = run("shop", "parse", str(PAGES / "no_product.html"), "--url", "https://x.example/")
    assert code == 1 and "No product data" in error_line(err)


def test_preview_mockup_then_webui(
    run: Cli, stocked: list[dict[str, Any]], tmp_path: Path, sd_server: SDServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run("preview", "--user", "alice", "--photo", "1", "--out", str(tmp_path / "x.png"))
    assert code == 1 and "No recommendation yet" in error_line(err)
    out = run.ok("preview", "--user", "alice", "--photo", "1", "--piece", "red beanie", "--out",
                 str(tmp_path / "mock.png"))
    assert "mock-up (no webui configured)" in out
    assert Image.open(tmp_path / "mock.png").format == "PNG"
    run.ok("recommend", "--user", "alice", "what would go with image 2?")
    monkeypatch.setenv("RELOOKX_SD_URL", sd_server.url)
    out = run.ok("preview", "--user", "alice", "--photo", "2", "--steps", "8", "--out", str(tmp_path / "sd.png"))
    assert "webui, photo mode" in out and "warning" not in out
    [generation] = sd_server.generations
    assert Image.open(tmp_path / "sd.png").size[0] > 0 and generation is not None


def test_tunnel_check_without_a_gateway_is_one_line(run: Cli) -> None:  # noqa: F811
    code, _, err = run("tunnel", "check")
    assert code == 1 and "RELOOKX_SSH_HOST" in error_line(err)
