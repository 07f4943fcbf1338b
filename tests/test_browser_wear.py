"""Browser journey: the same outfit photographed twice is one set of items, each worn twice, with its cost per wear."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import ImageEnhance

from tests.browser import AppServer, go_to, main, open_app, screenshot, sign_up, upload
from tests.imagegen import to_bytes
from tests.realphotos import grace

pytestmark = pytest.mark.browser


@pytest.fixture
def same_outfit_twice(tmp_path: Path) -> list[Path]:
    """Two photos of one outfit: the second taken in brighter light and framed a little tighter."""
    first = grace()  # a real person: the offline analyzer's pose model finds her
    w, h = first.size
    second = ImageEnhance.Brightness(first).enhance(1.1).crop((int(w * 0.04), int(h * 0.02), w, h))
    paths = [tmp_path / "monday.jpg", tmp_path / "friday.jpg"]
    for path, img in zip(paths, (first, second), strict=True):
        path.write_bytes(to_bytes(img))
    return paths


def test_same_outfit_twice_is_worn_twice(app_page, app_server: AppServer, same_outfit_twice: list[Path],
                                        tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = app_page
    open_app(page, app_server)
    sign_up(page, "wendy", "correct horse battery")
    go_to(page, "Images")
    upload(page, same_outfit_twice)
    expect(main(page).get_by_text("Your photos (2)")).to_be_visible()
    expect(main(page).get_by_role("button", name=re.compile("Worn on"))).to_have_count(2)
    worn_in = re.compile(r"^Also worn in: White top \(image 1\); Black jacket \(image 1\)")
    expect(main(page).get_by_text(worn_in)).to_be_visible()  # on image 2's card: the same pieces
    screenshot(page, "wear-images")

    go_to(page, "Wardrobe")
    metric = main(page).locator('[data-testid="stMetric"]')
    expect(metric.filter(has_text="Items").locator('[data-testid="stMetricValue"]')).to_have_text("3")
    expect(metric.filter(has_text="Photos").locator('[data-testid="stMetricValue"]')).to_have_text("2")
    expect(main(page).get_by_text("3 of 3 items")).to_be_visible()
    expect(main(page).locator('[data-testid="stDataFrame"] canvas').first).to_be_visible()
    page.wait_for_timeout(1000)  # the grid draws its cells and crop images after it appears
    screenshot(page, "wear-wardrobe-items")

    page.get_by_role("tab", name="Wear").click()
    expect(metric.filter(has_text="Outfits").locator('[data-testid="stMetricValue"]')).to_have_text("2")
    expect(main(page).get_by_text(re.compile(r"Most worn: .+, worn 2 times, [\d.,]+ per wear\."))).to_be_visible()
    expect(main(page).get_by_text("Best value")).to_be_visible()
    screenshot(page, "wear-wardrobe-wear")

    # Trousers and shoes imported from a CSV file (the photos show her upper body only), then dress me.
    page.get_by_role("tab", name="Merge, split, import").click()
    csv_file = tmp_path / "more.csv"
    csv_file.write_text("name,category,color,price\nGrey trousers,bottom,grey,60\nBlack loafers,footwear,black,90\n")
    panel = main(page).get_by_role("tabpanel", name=re.compile("Merge, split, import"))
    panel.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv_file))
    expect(panel.get_by_text("Ready: 2 new item(s), 0 update(s).")).to_be_visible()
    screenshot(page, "wear-csv-preview")
    panel.get_by_role("button", name="Import").click()
    expect(metric.filter(has_text="Items").locator('[data-testid="stMetricValue"]')).to_have_text("5")
    go_to(page, "Outfits")
    main(page).get_by_role("textbox", name="Occasion").fill("the office")
    page.get_by_role("button", name="Dress me").click()
    expect(main(page).get_by_text("Why:")).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"item #\d+"))).to_have_count(4)
    page.get_by_role("button", name="I wore this today").click()
    expect(main(page).get_by_text(re.compile(r"\(suggested\):"))).to_be_visible()
    screenshot(page, "wear-outfits")
