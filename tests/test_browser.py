"""End-to-end journeys in a real browser: `streamlit run Home.py` driven by headless Chromium.

Each page of the main journey is saved as a full-page screenshot in artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import AppServer, go_to, main, open_app, screenshot, sign_up, upload
from tests.imagegen import to_bytes
from tests.realphotos import busy_background, grace, outfit_photo

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"



@pytest.fixture
def outfit_files(tmp_path: Path) -> list[Path]:
    """Two photos of real people (the pose model needs people, not drawings) and one with nobody on it."""
    images = [outfit_photo("#c0392b", size=(700, 640), seed=1), grace(), busy_background((640, 480), seed=5)]
    paths = []
    for number, image in enumerate(images, start=1):
        path = tmp_path / f"outfit-{number}.jpg"
        path.write_bytes(to_bytes(image))
        paths.append(path)
    return paths


def test_main_journey(app_page, app_server: AppServer, outfit_files: list[Path]) -> None:
    """Sign up, upload two photos, browse the wardrobe and its charts, save the profile, sign out."""
    from playwright.sync_api import expect

    page = app_page
    # 1. Sign-in page, then create an account.
    open_app(page, app_server)
    expect(main(page).locator("h1").first).to_contain_text("RelookX")
    expect(page.get_by_role("tab", name="Sign in")).to_be_visible()
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)  # only one page registered
    screenshot(page, "signin")

    sign_up(page, "alice", PASSWORD)
    expect(main(page).get_by_text("Your wardrobe is empty")).to_be_visible()
    nav = page.locator('[data-testid="stSidebarNav"]')
    for title in ("Home", "Images", "Wardrobe", "Profile"):
        expect(nav).to_contain_text(title)
    screenshot(page, "home-empty")

    # 2. Images: upload two photos, see their statuses and the gallery.
    go_to(page, "Images")
    expect(main(page).get_by_text("No photos yet")).to_be_visible()
    upload(page, outfit_files)
    statuses = main(page).locator('[data-testid="stExpander"]')
    expect(statuses.filter(has_text=re.compile(r"outfit-1\.jpg: image 1, [1-9]\d* garments"))).to_be_visible()
    expect(statuses.filter(has_text=re.compile(r"outfit-2\.jpg: image 2, 3 garments"))).to_be_visible()
    expect(statuses.filter(has_text=re.compile(r"outfit-3\.jpg: image 3, no person found"))).to_be_visible()
    expect(main(page).get_by_text("Your photos (3)")).to_be_visible()
    blocks = main(page).locator('[data-testid="stVerticalBlock"]')
    for number, piece in ((1, re.compile(r"Red (top|jacket)")), (2, "White top")):
        caption = page.get_by_text(f"Image {number}", exact=True)  # relative: it is used in has=
        expect(main(page).locator(caption)).to_be_visible()
        card = blocks.filter(has=caption).last  # the innermost block holding the caption: the card
        expect(card.locator('[data-testid="stImage"] img')).to_have_count(1)
        expect(card).to_contain_text(piece)
        expect(card).to_contain_text("analysed")
        crops = card.locator("img.relookx-crop")
        expect(crops.first).to_be_visible()
        page.wait_for_function("els => els.every(i => i.complete && i.naturalWidth > 0)",
                               arg=crops.element_handles())
    empty = blocks.filter(has=page.get_by_text("Image 3", exact=True)).last
    expect(empty).to_contain_text("no person found")
    expect(empty).to_contain_text("Add a garment from this photo by hand")
    expect(main(page).locator('[data-testid="stImage"] img')).to_have_count(3)
    expect(main(page).get_by_role("button", name="Re-analyse")).to_have_count(3)
    screenshot(page, "images")

    # 3. Wardrobe: metrics, the table, then the statistics tab with its five charts.
    go_to(page, "Wardrobe")
    garments_metric = main(page).locator('[data-testid="stMetric"]').filter(has_text="Items")
    expect(garments_metric.locator('[data-testid="stMetricValue"]')).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(main(page).locator('[data-testid="stMetric"]').filter(has_text="Photos")
           .locator('[data-testid="stMetricValue"]')).to_have_text("3")
    expect(main(page).locator('[data-testid="stDataFrame"]').first).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"^\d+ of \d+ items"))).to_be_visible()
    screenshot(page, "wardrobe")

    page.get_by_role("tab", name="Statistics").click()
    panel = main(page).get_by_role("tabpanel", name=re.compile("Statistics"))
    charts = panel.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')
    expect(charts).to_have_count(5)
    for index in range(5):
        expect(charts.nth(index)).to_be_visible()
    expect(main(page).get_by_text("Your most frequent color is")).to_be_visible()
    screenshot(page, "wardrobe-stats")

    # 4. Profile, then Home with the latest photos.
    go_to(page, "Profile")
    color = main(page).get_by_role("textbox", name="Favourite color")
    budget = main(page).get_by_role("spinbutton", name="Budget for one new piece")
    color.fill("olive")
    budget.fill("120")
    page.get_by_role("button", name="Save profile").click()
    expect(main(page).get_by_text("Profile saved.")).to_be_visible()
    expect(color).to_have_value("olive")
    expect(budget).to_have_value("120")
    screenshot(page, "profile")

    go_to(page, "Home", heading="Hello, alice")
    expect(main(page).get_by_text("Latest photos")).to_be_visible()
    expect(main(page).locator('[data-testid="stImage"] img')).to_have_count(3)
    expect(main(page).locator('[data-testid="stMetric"]').filter(has_text="Photos")
           .locator('[data-testid="stMetricValue"]')).to_have_text("3")
    screenshot(page, "home")

    # 5. Chat: ask for a piece for image 1 and see the recommendation card.
    go_to(page, "Chat")
    expect(main(page).get_by_text("I am your stylist")).to_be_visible()
    box = page.locator('[data-testid="stChatInputTextArea"]')
    box.fill("Can you recommend a piece to match image 1?")
    box.press("Enter")
    card = main(page).locator('[data-testid="stVerticalBlock"]').filter(has_text="Why:").last
    expect(card).to_be_visible()
    expect(card).to_contain_text("for image 1")
    expect(card).to_contain_text("The outfit of image 1")
    expect(card.locator("img.relookx-crop").first).to_be_visible()
    expect(card.get_by_text("The critique behind it")).to_be_visible()
    expect(main(page).locator('[data-testid="stStatusWidget"], [data-testid="stExpander"]')
           .filter(has_text="Done")).to_have_count(1)
    screenshot(page, "chat")
    card.get_by_text("The critique behind it").click()
    expect(card).to_contain_text("Ratings")
    screenshot(page, "chat-critique")

    # 6. Sign out: back at the sign-in page, the signed-in pages are gone.
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("tab", name="Create an account")).to_be_visible()
    expect(main(page).locator("h1").first).to_contain_text("RelookX")
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)


def test_non_image_upload_is_refused(app_page, app_server: AppServer, tmp_path: Path) -> None:
    """A text file gets its specific error in the upload status, and the gallery stays empty."""
    from playwright.sync_api import expect

    page = app_page
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list: olive chinos, white sneakers.\n")
    open_app(page, app_server)
    sign_up(page, "bob", PASSWORD)
    go_to(page, "Images")
    upload(page, [notes])

    expect(main(page).locator('[data-testid="stExpander"]')).to_contain_text(
        '"notes.txt" is not an image: it looks like text. Please upload a JPEG, PNG, WebP or HEIC photo.'
    )
    expect(main(page).get_by_text("1 of 1 photos")).to_be_visible()
    expect(main(page).get_by_text("No photos yet")).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"Your photos \("))).to_have_count(0)
    expect(main(page).locator('[data-testid="stImage"]')).to_have_count(0)
    screenshot(page, "images-refused")
