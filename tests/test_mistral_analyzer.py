"""MistralAnalyzer against a local Mistral-compatible server, through the real SDK."""

from __future__ import annotations

import base64
import io
import time

import pytest
from PIL import Image

from relookx import garments
from relookx.config import with_overrides
from relookx.errors import AnalysisError
from relookx.fashion import colors
from relookx.llm import make_client
from relookx.vision.factory import make_analyzer
from relookx.vision.mistral import MAX_SIDE, MistralAnalyzer, downscale, encode_image
from tests.imagegen import make_outfit_photo
from tests.mistral_server import delay, rate_limited, server_error, unauthorized

MODEL = "mistral-small-test"


def item(**overrides: object) -> dict:
    base = {
        "name": "Red crew-neck T-shirt", "category": "top", "color_name": "red", "color_hex": "#C0392B",
        "pattern": "solid", "material": "cotton", "fit": "regular", "estimated_price": "$15 - $25",
        "price": 20.0, "context": "casual", "description": "A plain red cotton tee.", "confidence": 0.9,
    }
    return {**base, **overrides}


GOOD = {"garments": [
    item(),
    item(name="Blue straight jeans", category="Jeans", color_name="navy", color_hex="not a color",
         material="denim", estimated_price="$40 - $60", price=None, confidence=1.7),
    item(name="Black sneakers", category="footwear", color_name="black", color_hex="#111111",
         estimated_price="around $80", price=None, context="sport"),
]}


@pytest.fixture
def analyzer(mistral_settings) -> MistralAnalyzer:
    client = make_client(mistral_settings)
    return MistralAnalyzer(client, model=MODEL, timeout_s=mistral_settings.mistral_timeout_s)


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return make_outfit_photo(size=(1500, 2000))


def sent_image(request) -> Image.Image:
    (url,) = [p["image_url"] for p in request.content_parts if p["type"] == "image_url"]
    url = url["url"] if isinstance(url, dict) else url
    prefix = "data:image/jpeg;base64,"
    assert url.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(url[len(prefix):])))


def test_good_analysis_is_normalised(mistral_server, analyzer, photo):
    mistral_server.queue(GOOD)
    result = analyzer.analyze(photo)
    assert result.analyzer == "mistral" and result.model == MODEL and result.seconds > 0
    tee, jeans, shoes = result.garments
    assert [g.category for g in result.garments] == ["top", "bottom", "footwear"]
    assert tee.color_hex == "#c0392b" and tee.price == 20.0 and tee.price_text == "$15 - $25"
    assert jeans.color_hex == colors.color_to_hex("navy")
    assert jeans.price == garments.parse_price("$40 - $60") and jeans.price is not None
    assert jeans.confidence == 1.0 and jeans.material == "denim"
    assert shoes.price == garments.parse_price("around $80") and shoes.context == "sport"
    assert all(g.category in garments.CATEGORIES for g in result.garments)


def test_request_carries_model_schema_and_a_small_jpeg(mistral_server, analyzer, photo):
    mistral_server.queue(GOOD)
    analyzer.analyze(photo)
    (req,) = mistral_server.chat_requests
    assert req.json["model"] == MODEL
    fmt = req.json["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["required"] == ["garments"]
    garment_schema = schema["$defs"]["GarmentOut"]
    assert garment_schema["properties"]["category"]["enum"] == list(garments.CATEGORIES)
    assert set(garment_schema["required"]) >= {"name", "category", "color_hex", "estimated_price", "price"}
    texts = [p["text"] for p in req.content_parts if p["type"] == "text"]
    assert texts and "JSON" in texts[0]
    img = sent_image(req)
    assert img.format == "JPEG" and img.size == (768, 1024)  # 1500x2000 scaled to 1024 on the long side
    assert not img.getexif() and "icc_profile" not in img.info
    assert req.size < 300_000


def test_small_photos_are_not_upscaled():
    small = make_outfit_photo(size=(300, 450))
    assert downscale(small) is small
    img = Image.open(io.BytesIO(base64.b64decode(encode_image(small).split(",", 1)[1])))
    assert img.size == (300, 450)
    wide = downscale(Image.new("RGBA", (4000, 1000)))
    assert wide.size == (MAX_SIDE, 256) and wide.mode == "RGB"


def test_invalid_json_then_good(mistral_server, analyzer, photo):
    mistral_server.queue("Here are the garments: a red tee...", GOOD)
    result = analyzer.analyze(photo)
    assert len(result.garments) == 3
    assert len(mistral_server.chat_requests) == 2


def test_invalid_twice_is_an_analysis_error(mistral_server, analyzer, photo):
    mistral_server.queue("not json", {"items": []})
    with pytest.raises(AnalysisError, match=f"{MODEL} twice returned output"):
        analyzer.analyze(photo)
    assert len(mistral_server.chat_requests) == 2


def test_no_garments_gives_a_note(mistral_server, analyzer, photo):
    mistral_server.queue({"garments": []})
    result = analyzer.analyze(photo)
    assert result.garments == [] and any("no garments" in n for n in result.notes)


def test_rate_limit_then_success(mistral_server, analyzer, photo):
    mistral_server.queue(rate_limited("0.01"), GOOD)
    assert len(analyzer.analyze(photo).garments) == 3
    assert len(mistral_server.chat_requests) == 2


def test_persistent_server_error_within_the_budget(mistral_server, mistral_settings, photo):
    mistral_server.default = lambda _req: server_error(500)
    settings = with_overrides(mistral_settings, mistral_retry_budget_s=0.5)
    analyzer = MistralAnalyzer(make_client(settings), model=MODEL, timeout_s=5)
    started = time.monotonic()
    with pytest.raises(AnalysisError, match=r"HTTP 500"):
        analyzer.analyze(photo)
    assert time.monotonic() - started < 10
    assert len(mistral_server.chat_requests) >= 2


def test_timeout_is_an_analysis_error_naming_the_time(mistral_server, mistral_settings, photo):
    mistral_server.queue(delay(3, GOOD))
    settings = with_overrides(mistral_settings, mistral_timeout_s=0.5, mistral_retry_budget_s=0.1)
    analyzer = MistralAnalyzer(make_client(settings), model=MODEL, timeout_s=settings.mistral_timeout_s)
    with pytest.raises(AnalysisError, match=r"did not answer within 0\.5 s"):
        analyzer.analyze(photo)


def test_unauthorized_is_about_the_key(mistral_server, analyzer, photo):
    mistral_server.queue(unauthorized())
    with pytest.raises(AnalysisError, match="check MISTRAL_API_KEY"):
        analyzer.analyze(photo)


def test_factory_builds_the_mistral_analyzer(mistral_server, mistral_settings, photo):
    analyzer = make_analyzer(with_overrides(mistral_settings, vision_model=MODEL))
    assert isinstance(analyzer, MistralAnalyzer) and analyzer.name == "mistral"
    mistral_server.queue(GOOD)
    assert analyzer.analyze(photo).model == MODEL
    assert mistral_server.last.headers["authorization"] == "Bearer test-key"


def test_factory_builds_the_offline_analyzer(tmp_path):
    from relookx.config import Settings

    analyzer = make_analyzer(Settings(data_dir=tmp_path))
    assert analyzer.name == "offline"
