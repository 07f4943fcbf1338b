"""robots.txt (RFC 9309) and the polite HTTP layer, against the local shop site."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from relookx.db import session_scope
from relookx.models import HttpCacheEntry
from relookx.shop.http import DEFAULT_UA, PoliteHttp, ShopError, cache_key, looks_like_bot_check, parse_retry_after
from relookx.shop.robots import RobotsPolicy, normalize_path, parse_groups, product_token
from tests.shop_site import SHOPIFY_ROBOTS, LocalShop, Reply, captcha_page, robots_disallow

UA = DEFAULT_UA


def make_http(engine: Engine | None = None, **kwargs: Any) -> PoliteHttp:
    """A layer with short timings for tests (`trusted_hosts`: the shops configured on loopback)."""
    options = {"timeout_s": 2.0, "spacing_s": 0.0, "cache_ttl_s": 60.0, **kwargs}
    return PoliteHttp(engine=engine, **options)  # type: ignore[arg-type]


# --- robots.txt --------------------------------------------------------------------------------------


def test_shopify_default_robots_allows_predictive_search() -> None:
    policy = RobotsPolicy.parse(SHOPIFY_ROBOTS, UA)
    assert policy.allowed("/search/suggest.json?q=navy+blazer&resources[type]=product")
    assert policy.allowed("/products/navy-wool-blazer.js")
    assert policy.allowed("/")
    assert not policy.allowed("/search")
    assert not policy.allowed("/search?q=x")
    assert not policy.allowed("/search/?q=x")
    assert not policy.allowed("/cart.js")
    assert not policy.allowed("/collections/all?sort_by=price")
    assert not policy.allowed("/en/policies/refund-policy")


def test_named_group_wins_over_star_and_tokens_match_case_insensitively() -> None:
    text = "User-agent: *\nDisallow: /\n\nUser-agent: relookx\nUser-agent: other\nAllow: /\nDisallow: /private\n"
    assert product_token("RelookX/0.1 (+https://x)") == "relookx"
    mine = RobotsPolicy.parse(text, "RelookX/0.1 (+https://x)")
    assert mine.allowed("/products/x") and not mine.allowed("/private/1")
    assert not RobotsPolicy.parse(text, "SomeBot/2").allowed("/products/x")
    assert [g.agents for g in parse_groups(text)] == [["*"], ["relookx", "other"]]


def test_longest_match_wins_and_allow_wins_ties() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n"
                                "Allow: /page\nDisallow: /page\n", UA)
    assert not policy.allowed("/a/x")
    assert policy.allowed("/a/b/x")
    assert not policy.allowed("/a/b/c/d")
    assert policy.allowed("/page")


def test_wildcards_and_end_anchor() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?sessionid=\nDisallow: /fish*\n", UA)
    assert not policy.allowed("/docs/a.pdf")
    assert policy.allowed("/docs/a.pdf?x=1")
    assert not policy.allowed("/page?sessionid=3")
    assert not policy.allowed("/fish.html")
    assert policy.allowed("/Fish.html")  # paths are case-sensitive


def test_empty_disallow_comments_and_unknown_lines() -> None:
    policy = RobotsPolicy.parse("# hi\nSitemap: /s.xml\nUser-agent: * # all\nDisallow:\nCrawl-delay: 5\n", UA)
    assert policy.allowed("/anything")
    assert RobotsPolicy.parse("", UA).allowed("/x")


def test_percent_encoding_is_normalized() -> None:
    assert normalize_path("/a%7eb/%c3%a9") == "/a~b/%C3%A9"
    assert normalize_path("/é") == "/%C3%A9"
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /café\n", UA)
    assert not policy.allowed("/caf%C3%A9/menu")


@pytest.mark.parametrize(("status", "allowed"), [(200, False), (404, True), (401, True), (429, False),
                                                 (500, False), (503, False), (None, False)])
def test_policy_from_response_status(status: int | None, allowed: bool) -> None:
    policy = RobotsPolicy.from_response(status, "User-agent: *\nDisallow: /\n", UA)
    assert policy.allowed("/products/x") is allowed
    assert policy.unavailable is (status is None or status >= 500 or status == 429)
    assert policy.allowed("/robots.txt") or policy.unavailable


# --- helpers -----------------------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_bot_check_markers() -> None:
    assert looks_like_bot_check(captcha_page().body)  # type: ignore[arg-type]
    assert looks_like_bot_check("<html><div id='px-captcha'></div></html>")
    assert not looks_like_bot_check("<html>" + "x" * 20_000 + "<script src='recaptcha/api.js'></script></html>")
    assert not looks_like_bot_check('{"note": "captcha"}', "application/json")


# --- the polite layer against the local site ---------------------------------------------------------


def test_user_agent_sent_and_robots_read_once(shopify_site: LocalShop) -> None:
    http = make_http()
    http.get_json(f"{shopify_site.base_url}/search/suggest.json", params={"q": "wool"})
    http.get_json(f"{shopify_site.base_url}/search/suggest.json", params={"q": "coat"}, use_cache=False)
    assert len(shopify_site.requests_to("/robots.txt")) == 1
    assert {r.headers["user-agent"] for r in shopify_site.requests} == {DEFAULT_UA}
    assert shopify_site.requests[-1].query["q"] == "coat"


def test_robots_disallow_stops_before_the_request(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("shopify")
    site.route("/robots.txt", robots_disallow("/search"))
    with pytest.raises(ShopError) as err:
        make_http().get_json(f"{site.base_url}/search/suggest.json", params={"q": "x"})
    assert err.value.reason == f"robots.txt of {site.host} disallows /search/suggest.json?q=x"
    assert err.value.kind == "robots"
    assert site.requests_to("/search/suggest.json") == []


def test_robots_404_allows_everything(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("html")  # no robots.txt: 404
    assert "Plain site" in make_http().get_text(site.base_url + "/")


def test_robots_500_means_not_now(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("shopify")
    site.route("/robots.txt", Reply(status=500, body="oops"))
    with pytest.raises(ShopError) as err:
        make_http().get_text(site.base_url + "/")
    assert err.value.kind == "not_now"
    assert "HTTP 500" in err.value.reason and "try again later" in err.value.reason
    assert site.requests_to("/") == []


def test_spacing_between_requests_to_one_host(shopify_site: LocalShop) -> None:
    http = make_http(spacing_s=0.2)
    http.get_text(shopify_site.base_url + "/", use_cache=False)
    http.get_text(shopify_site.base_url + "/", use_cache=False)
    times = [r.time for r in shopify_site.requests]  # robots.txt, /, /
    assert len(times) == 3
    assert all(b - a >= 0.19 for a, b in zip(times, times[1:], strict=False))


def test_spacing_holds_across_threads(shopify_site: LocalShop) -> None:
    import threading

    http = make_http(spacing_s=0.15)
    threads = [threading.Thread(target=http.get_text, args=(f"{shopify_site.base_url}/",),
                                kwargs={"use_cache": False}) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(r.time for r in shopify_site.requests)
    assert len(times) == 4
    assert all(b - a >= 0.14 for a, b in zip(times, times[1:], strict=False))


def test_retry_after_is_honoured_once(shopify_site: LocalShop) -> None:
    shopify_site.script("/", Reply(status=429, body="slow down", headers={"Retry-After": "0.3"}))
    started = time.monotonic()
    page = make_http().get_text(shopify_site.base_url + "/")
    assert "Shopify.currency" in page
    assert time.monotonic() - started >= 0.3
    first, second = shopify_site.requests_to("/")
    assert second.time - first.time >= 0.29


def test_retry_after_too_long_is_a_clear_error(shopify_site: LocalShop) -> None:
    shopify_site.script("/", Reply(status=429, body="slow down", headers={"Retry-After": "120"}))
    with pytest.raises(ShopError) as err:
        make_http(max_retry_after_s=5).get_text(shopify_site.base_url + "/")
    assert err.value.kind == "rate_limited" and err.value.retry_after_s == 120
    assert "wait 120 s" in err.value.reason and "try again after" in err.value.reason
    assert len(shopify_site.requests_to("/")) == 1


def test_slow_answer_times_out(shopify_site: LocalShop) -> None:
    shopify_site.script("/", Reply(body="late", delay=1.0))
    started = time.monotonic()
    with pytest.raises(ShopError) as err:
        make_http(timeout_s=0.3).get_text(shopify_site.base_url + "/")
    assert err.value.kind == "timeout"
    assert "within 0.3 s" in err.value.reason
    assert time.monotonic() - started < 0.9


def test_403_stops_the_host(shopify_site: LocalShop) -> None:
    shopify_site.script("/", Reply(status=403, body="<html>Forbidden</html>"))
    http = make_http()
    with pytest.raises(ShopError) as err:
        http.get_text(shopify_site.base_url + "/")
    assert "the shop refused access (HTTP 403)" in err.value.reason
    count = len(shopify_site.requests)
    with pytest.raises(ShopError) as again:
        http.get_json(f"{shopify_site.base_url}/products/camel-coat.js")
    assert "not asking again" in again.value.reason and again.value.kind == "refused"
    assert len(shopify_site.requests) == count
    assert http.stopped_reason(shopify_site.base_url) is not None


def test_captcha_page_stops_the_host(shopify_site: LocalShop) -> None:
    shopify_site.script("/", captcha_page())
    http = make_http()
    with pytest.raises(ShopError) as err:
        http.get_text(shopify_site.base_url + "/")
    assert err.value.kind == "captcha" and "CAPTCHA" in err.value.reason
    with pytest.raises(ShopError):
        http.get_text(shopify_site.base_url + "/products/x")
    assert shopify_site.requests_to("/products/x") == []


def test_other_http_errors_and_bad_json(shopify_site: LocalShop) -> None:
    http = make_http()
    with pytest.raises(ShopError) as err:
        http.get_json(f"{shopify_site.base_url}/products/missing.js")
    assert err.value.status == 404 and "HTTP 404" in err.value.reason
    with pytest.raises(ShopError) as bad:
        http.get_json(shopify_site.base_url + "/")
    assert bad.value.kind == "invalid"
    with pytest.raises(ShopError) as invalid:
        http.get_text("ftp://example.com/x")
    assert invalid.value.kind == "invalid"


def test_cache_hit_avoids_a_second_request(shopify_site: LocalShop, memory_engine: Engine) -> None:
    http = make_http(memory_engine)
    url = f"{shopify_site.base_url}/products/camel-coat.js"
    first = http.get_json(url)
    assert make_http(memory_engine).get_json(url) == first  # a new layer, same store
    assert len(shopify_site.requests_to("/products/camel-coat.js")) == 1
    with session_scope(memory_engine) as session:
        entry = session.exec(select(HttpCacheEntry).where(HttpCacheEntry.key == cache_key(url))).one()
        assert entry.url == url and entry.status == 200


def test_expired_cache_entry_is_fetched_again(shopify_site: LocalShop, memory_engine: Engine) -> None:
    http = make_http(memory_engine, cache_ttl_s=0.2)
    url = f"{shopify_site.base_url}/products/camel-coat.js"
    http.get_json(url)
    time.sleep(0.25)
    http.get_json(url)
    assert len(shopify_site.requests_to("/products/camel-coat.js")) == 2
    with session_scope(memory_engine) as session:
        assert len(session.exec(select(HttpCacheEntry)).all()) == 1


def test_no_engine_means_no_cache(shopify_site: LocalShop) -> None:
    http = make_http(None)
    url = f"{shopify_site.base_url}/products/camel-coat.js"
    http.get_json(url)
    http.get_json(url)
    assert len(shopify_site.requests_to("/products/camel-coat.js")) == 2


# --- redirects: every hop is asked like a first request ----------------------------------------------


def _moved(location: str, status: int = 302) -> Reply:
    return Reply(status=status, body="moved", headers={"Location": location})


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_an_allowed_path_is_followed(shopify_site: LocalShop, memory_engine: Engine,
                                                 status: int) -> None:
    shopify_site.route("/old-coat.js", _moved("/products/camel-coat.js", status))  # relative Location
    http = make_http(memory_engine)
    url = f"{shopify_site.base_url}/old-coat.js"
    assert http.get_json(url)["handle"] == "camel-coat"
    assert [r.bare_path for r in shopify_site.requests] == ["/robots.txt", "/old-coat.js", "/products/camel-coat.js"]
    assert make_http(memory_engine).get_json(url)["handle"] == "camel-coat"  # cached under the original URL
    assert len(shopify_site.requests) == 3
    with session_scope(memory_engine) as session:
        assert session.exec(select(HttpCacheEntry).where(HttpCacheEntry.key == cache_key(url))).one().url == url


def test_redirect_to_a_disallowed_path_is_never_requested(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("shopify")
    site.route("/robots.txt", robots_disallow("/private"))
    site.route("/go", _moved("/private/page?x=1"))
    with pytest.raises(ShopError) as err:
        make_http().get_text(f"{site.base_url}/go")
    assert err.value.kind == "robots"
    assert err.value.reason == f"robots.txt of {site.host} disallows /private/page?x=1"
    assert err.value.url == f"{site.base_url}/private/page?x=1"
    assert site.requests_to("/private/page") == []


def test_redirect_to_another_host_reads_its_robots_first(shop_site: Callable[..., LocalShop]) -> None:
    first, second = shop_site("shopify"), shop_site("shopify")
    first.route("/coat", _moved(f"{second.base_url}/products/camel-coat.js", 301))
    both = [first.host, second.host]  # two shops configured on loopback: each may be reached
    assert make_http(trusted_hosts=both).get_json(f"{first.base_url}/coat")["handle"] == "camel-coat"
    assert [r.bare_path for r in second.requests] == ["/robots.txt", "/products/camel-coat.js"]
    assert second.requests_to("/products/camel-coat.js")[0].headers["accept"] == "application/json"


def test_redirect_to_another_host_obeys_its_robots_and_drops_credentials(
        shop_site: Callable[..., LocalShop]) -> None:
    first, second = shop_site("shopify"), shop_site("shopify")
    second.route("/robots.txt", robots_disallow("/search"))
    first.route("/find", _moved(f"{second.base_url}/search?q=coat"))
    first.route("/key", _moved(f"{second.base_url}/products/camel-coat.js"))
    http = make_http(trusted_hosts=[first.host, second.host])
    with pytest.raises(ShopError) as err:
        http.get_text(f"{first.base_url}/find")
    assert err.value.kind == "robots" and err.value.reason == f"robots.txt of {second.host} disallows /search?q=coat"
    assert second.requests_to("/search") == []
    http.get_json(f"{first.base_url}/key", headers={"X-Api-Key": "secret", "Authorization": "Bearer t"})
    sent = second.requests_to("/products/camel-coat.js")[0].headers
    assert "x-api-key" not in sent and "authorization" not in sent
    assert first.requests_to("/key")[0].headers["x-api-key"] == "secret"


def test_redirect_to_a_stopped_host_is_not_followed(shop_site: Callable[..., LocalShop]) -> None:
    first, second = shop_site("shopify"), shop_site("shopify")
    second.script("/", Reply(status=403, body="<html>Forbidden</html>"))
    first.route("/elsewhere", _moved(f"{second.base_url}/products/camel-coat.js"))
    http = make_http(trusted_hosts=[first.host, second.host])
    with pytest.raises(ShopError):
        http.get_text(second.base_url + "/")
    with pytest.raises(ShopError) as err:
        http.get_json(f"{first.base_url}/elsewhere")
    assert err.value.kind == "refused" and "not asking again" in err.value.reason
    assert second.requests_to("/products/camel-coat.js") == []


def test_redirect_hops_keep_the_spacing(shopify_site: LocalShop) -> None:
    shopify_site.route("/a", _moved("/b"))
    shopify_site.route("/b", _moved("/"))
    make_http(spacing_s=0.15).get_text(f"{shopify_site.base_url}/a")
    times = [r.time for r in shopify_site.requests]  # robots.txt, /a, /b, /
    assert len(times) == 4
    assert all(b - a >= 0.14 for a, b in zip(times, times[1:], strict=False))


def test_redirect_loop_stops_after_five_hops(shopify_site: LocalShop) -> None:
    shopify_site.route("/loop-a", _moved("/loop-b"))
    shopify_site.route("/loop-b", _moved(f"{shopify_site.base_url}/loop-a", 307))
    with pytest.raises(ShopError) as err:
        make_http().get_text(f"{shopify_site.base_url}/loop-a")
    assert err.value.kind == "invalid"
    assert "Too many redirects (more than 5)" in err.value.reason
    assert err.value.url == f"{shopify_site.base_url}/loop-a"
    assert len(shopify_site.requests_to("/loop-a")) + len(shopify_site.requests_to("/loop-b")) == 6


def test_redirect_to_a_non_web_address_is_refused(shopify_site: LocalShop) -> None:
    shopify_site.route("/ftp", _moved("ftp://files.example/x"))
    with pytest.raises(ShopError) as err:
        make_http().get_text(f"{shopify_site.base_url}/ftp")
    assert err.value.kind == "invalid" and "not a web address" in err.value.reason


def test_redirected_robots_txt_is_followed(shop_site: Callable[..., LocalShop]) -> None:
    site = shop_site("shopify")
    site.route("/robots.txt", _moved("/real-robots.txt", 301))
    site.route("/real-robots.txt", robots_disallow("/private"))
    http = make_http()
    with pytest.raises(ShopError) as err:
        http.get_text(f"{site.base_url}/private")
    assert err.value.kind == "robots"
    assert "Shopify.currency" in http.get_text(site.base_url + "/")
    assert site.requests_to("/private") == []
