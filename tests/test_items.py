"""Items and sightings: the same outfit photographed twice, the middle-band question, merge, split, wears."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from PIL import Image, ImageEnhance
from sqlalchemy.engine import Engine

from relookx import items, photos, store, wardrobe, wear
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import NotFoundError, RelookXError
from relookx.fashion.colors import delta_e_matrix, hex_to_rgb, lab_array, lab_to_hex
from relookx.fashion.matching import (
    ASK_SCORE,
    DESCRIPTOR_SIZE,
    LINK_SCORE,
    GarmentFeatures,
    crop_descriptor,
    decision,
    match_scores,
    name_words,
)
from relookx.media import capture_time
from relookx.vision.base import AnalysisResult, GarmentDraft
from relookx.vision.offline import OfflineAnalyzer
from tests.imagegen import make_outfit_photo, to_bytes
from tests.realphotos import grace, outfit_photo


class ListedAnalyzer:
    """Answers each photo with the next list of garments (what a vision model would have returned)."""

    name = "mistral"

    def __init__(self, *answers: list[GarmentDraft]) -> None:
        self.answers = list(answers)

    def analyze(self, image: Image.Image) -> AnalysisResult:
        return AnalysisResult(garments=self.answers.pop(0), analyzer=self.name)


def relit(img: Image.Image) -> Image.Image:
    """The same outfit photographed again: brighter light, framed a little differently."""
    w, h = img.size
    return ImageEnhance.Brightness(img).enhance(1.1).crop((int(w * 0.04), int(h * 0.02), w, h))


def upload(engine: Engine, settings: Settings, uid: int, img: Image.Image, analyzer: object, name: str) -> int:
    storage = photos.storage_for(settings)
    photo = photos.add_upload(engine, storage, settings, user_id=uid, data=to_bytes(img), filename=name)
    photos.analyze(engine, storage, analyzer, user_id=uid, photo_id=photo.id or 0)  # type: ignore[arg-type]
    return photo.number


def test_matcher_scores_same_piece_above_look_alike() -> None:
    boots = GarmentFeatures(category="footwear", color_hex="#111111", material="leather", name="black chelsea boots")
    again = GarmentFeatures(category="footwear", color_hex="#1b1b1b", material="leather", name="boots")
    suede = GarmentFeatures(category="footwear", color_hex="#161616", material="suede", name="black sneakers")
    shirt = GarmentFeatures(category="top", color_hex="#111111", name="black shirt")
    s = match_scores([again, suede, shirt], [boots])
    assert s[0, 0] >= LINK_SCORE and decision(float(s[0, 0])) == "link"
    assert s[1, 0] < ASK_SCORE and decision(float(s[1, 0])) == "new"
    assert s[2, 0] == 0.0  # another category never matches
    assert name_words("Black Chelsea-boots") == {"chelsea", "boots"}


def test_crop_descriptor_is_stable_under_light_and_tells_patterns_apart() -> None:
    plain = Image.new("RGB", (80, 120), (40, 60, 150))
    striped = plain.copy()
    for y in range(0, 120, 8):
        striped.paste((230, 230, 230), (0, y, 80, y + 3))
    a, b = crop_descriptor(plain), crop_descriptor(ImageEnhance.Brightness(plain).enhance(1.2))
    c = crop_descriptor(striped)
    assert np.linalg.norm(a - b) < 0.1 < np.linalg.norm(a - c)
    with_crop = [GarmentFeatures(category="top", color_hex="#283c96", descriptor=a)]
    assert match_scores([GarmentFeatures(category="top", color_hex="#283c96", descriptor=c)], with_crop)[0, 0] < \
        match_scores([GarmentFeatures(category="top", color_hex="#283c96", descriptor=b)], with_crop)[0, 0]


def fabric(rgb: tuple[int, int, int], background: tuple[int, int, int], *, light: float = 1.0,
           balance: tuple[float, float, float] = (1.0, 1.0, 1.0), pattern: str = "plain", period: int = 8,
           seed: int = 0) -> Image.Image:
    """A garment crop: fabric on a background at its edges, under a light, with sensor noise, as a JPEG."""
    dark = tuple(int(c * 0.45) for c in rgb)
    img = Image.new("RGB", (96, 128), background)
    cloth = Image.new("RGB", (80, 112), rgb)
    for x in range(0, 112, period):
        if pattern in ("striped", "checked"):
            cloth.paste(dark, (0, x, 80, x + period // 3))
        if pattern in ("vertical", "checked"):
            cloth.paste(dark, (x, 0, x + period // 3, 112))
    img.paste(cloth, (4 + seed % 8, 12 - seed % 8))
    noise = np.random.default_rng(seed).normal(0, 4, (128, 96, 3))
    arr = np.clip(np.asarray(img, dtype=float) * light * np.array(balance) + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=85)
    return Image.open(buf).convert("RGB")


def seen(crop: Image.Image, **tags: str) -> GarmentFeatures:
    """What an analyzer reports of a crop: the mean color of its middle, the given tags, the descriptor."""
    mid = np.asarray(crop.crop((30, 40, 66, 88)), dtype=float).reshape(-1, 3).mean(axis=0)
    return GarmentFeatures(category="top", color_hex="#" + "".join(f"{int(c):02x}" for c in mid),
                           descriptor=crop_descriptor(crop), **tags)


def test_crop_descriptor_sees_pattern_scale_and_angle_through_light_and_background() -> None:
    navy, red_wall, green_wall = (40, 60, 150), (200, 40, 30), (30, 160, 60)
    first = fabric(navy, red_wall, pattern="striped")
    again = fabric(navy, green_wall, pattern="striped", light=1.15, balance=(1.03, 1.0, 0.97), seed=5)
    others = [fabric(navy, green_wall, pattern="striped", period=12, seed=1),  # wider stripes
              fabric(navy, green_wall, pattern="vertical", seed=2),  # the stripes the other way
              fabric(navy, green_wall, pattern="checked", seed=3),
              fabric(navy, green_wall, seed=4)]  # plain
    a, b = crop_descriptor(first), crop_descriptor(again)
    assert a.shape == b.shape == (DESCRIPTOR_SIZE,)
    assert np.linalg.norm(a - b) < 0.1
    for other in others:
        assert np.linalg.norm(a - crop_descriptor(other)) > 0.45
    scores = match_scores([seen(again, name="shirt")] + [seen(o, name="shirt") for o in others],
                          [seen(first, name="shirt")])[:, 0]
    assert decision(float(scores[0])) == "link"
    assert all(decision(float(s)) == "new" for s in scores[1:])  # the pattern tags were missed: the crops tell


def test_look_alike_in_a_close_hue_and_unseen_material_is_asked_about() -> None:
    # The same plain fabric re-lit on another background, against a piece of another hue 4 delta E away
    # (CIEDE2000; not a lightness change, which exposure explains) whose material only one photo's
    # analysis saw: the photos cannot settle it, so the user is asked.
    blue, close_blue = lab_to_hex(np.array([[45.0, 10.0, -40.0], [45.0, 14.0, -37.0]]))
    assert 4 < delta_e_matrix(lab_array([blue]), lab_array([close_blue]))[0, 0] < 4.5
    owned = seen(fabric(hex_to_rgb(blue), (200, 40, 30)), name="shirt", pattern="plain", material="cotton")
    again = seen(fabric(hex_to_rgb(blue), (30, 160, 60), light=0.9, balance=(0.98, 1.0, 1.02), seed=2),
                 name="shirt", pattern="plain")
    other = seen(fabric(hex_to_rgb(close_blue), (30, 160, 60), light=0.9, seed=3), name="shirt", pattern="plain")
    scores = match_scores([again, other], [owned])[:, 0]
    assert decision(float(scores[0])) == "link"
    assert decision(float(scores[1])) == "ask"


def test_descriptor_of_another_size_is_ignored() -> None:
    # Descriptors are computed from the stored crops at each analysis, never stored: one of another
    # size (an older layout) counts as no crop rather than failing.
    plain = GarmentFeatures(category="top", color_hex="#283c96", name="shirt")
    old = replace(plain, descriptor=np.full(20, 20 ** -0.5))
    assert match_scores([old], [plain])[0, 0] == match_scores([plain], [plain])[0, 0] > 0.9
    assert match_scores([old], [replace(plain, descriptor=crop_descriptor(Image.new("RGB", (80, 120),
                                                                                  (40, 60, 150))))])[0, 0] > 0.9


def test_same_outfit_twice_is_one_item_per_piece_worn_twice(engine: Engine, settings: Settings, alice: int) -> None:
    img = grace()  # a real person: the offline analyzer's pose model finds her
    upload(engine, settings, alice, img, OfflineAnalyzer(), "monday.jpg")
    upload(engine, settings, alice, relit(img), OfflineAnalyzer(), "friday.jpg")
    with session_scope(engine) as s:
        rows = items.item_rows(s, user_id=alice)
        worn = wear.wear_rows(s, user_id=alice)
        assert store.counts(s, user_id=alice)["garments"] == 6
    assert sorted(r["category"] for r in rows) == ["headwear", "outerwear", "top"]
    assert all(r["photo_numbers"] == [1, 2] for r in rows)
    assert len(worn) == 6 and {w["outfit"] for w in worn} == {"image 1", "image 2"}


def test_reanalysis_keeps_items_and_delete_drops_orphans(engine: Engine, settings: Settings, alice: int) -> None:
    upload(engine, settings, alice, grace(), OfflineAnalyzer(), "a.jpg")
    upload(engine, settings, alice, outfit_photo(), OfflineAnalyzer(), "b.jpg")
    storage = photos.storage_for(settings)
    with session_scope(engine) as s:
        before = {r["id"] for r in items.item_rows(s, user_id=alice)}
        photo = store.get_photo(s, user_id=alice, number=1)
    photos.analyze(engine, storage, OfflineAnalyzer(), user_id=alice, photo_id=photo.id or 0)
    with session_scope(engine) as s:
        assert {r["id"] for r in items.item_rows(s, user_id=alice)} == before
    photos.delete(engine, storage, user_id=alice, number=2)
    with session_scope(engine) as s:
        left = items.item_rows(s, user_id=alice)
    assert {r["category"] for r in left} == {"top", "outerwear", "headwear"} and len(left) == 3


def test_middle_band_asks_then_yes_merges(engine: Engine, settings: Settings, alice: int) -> None:
    first = [GarmentDraft(name="Black chelsea boots", category="footwear", color_name="black", color_hex="#111111",
                          material="leather")]
    second = [GarmentDraft(name="Black ankle boots", category="footwear", color_name="black", color_hex="#2a2a2a",
                           material="")]
    analyzer = ListedAnalyzer(first, second, list(second))
    upload(engine, settings, alice, make_outfit_photo(), analyzer, "a.jpg")
    upload(engine, settings, alice, make_outfit_photo(top="#336699"), analyzer, "b.jpg")
    with session_scope(engine) as s:
        [question] = items.questions(s, user_id=alice)
        assert len(items.list_items(s, user_id=alice)) == 2  # a new item until the user answers
    assert question["photo_number"] == 2 and question["item_photos"] == [1]
    assert ASK_SCORE <= question["score"] < LINK_SCORE
    assert items.question_text(question) == \
        "Is the Black ankle boots of image 2 the same as your Black chelsea boots from image 1?"
    with session_scope(engine) as s:
        kept = items.answer_question(s, user_id=alice, garment_id=question["garment_id"], same=True)
        assert kept is not None and kept.material == "leather"
    with session_scope(engine) as s:
        [row] = items.item_rows(s, user_id=alice)
        assert row["photo_numbers"] == [1, 2] and items.questions(s, user_id=alice) == []
        with pytest.raises(NotFoundError, match="already answered"):
            items.answer_question(s, user_id=alice, garment_id=question["garment_id"], same=False)


def test_no_forgets_the_question(engine: Engine, settings: Settings, alice: int) -> None:
    a = [GarmentDraft(name="Navy blazer", category="outerwear", color_hex="#1f2a44", color_name="navy")]
    b = [GarmentDraft(name="Navy wool blazer", category="outerwear", color_hex="#34507a", color_name="navy")]
    analyzer = ListedAnalyzer(a, b)
    upload(engine, settings, alice, make_outfit_photo(), analyzer, "a.jpg")
    upload(engine, settings, alice, make_outfit_photo(top="#445566"), analyzer, "b.jpg")
    with session_scope(engine) as s:
        [q] = items.questions(s, user_id=alice)  # a lighter blue than lighting explains: asked, not linked
        assert items.answer_question(s, user_id=alice, garment_id=q["garment_id"], same=False) is None
    with session_scope(engine) as s:
        assert len(items.list_items(s, user_id=alice)) == 2 and items.questions(s, user_id=alice) == []


def test_merge_and_split_move_sightings_and_wears(engine: Engine, bob: int, alice: int) -> None:
    with session_scope(engine) as s:
        g1 = wardrobe.add_by_hand(s, user_id=alice, name="Red scarf", category="accessory", color="red")
        g2 = wardrobe.add_by_hand(s, user_id=alice, name="Grey beanie", category="headwear", color="grey")
        i1, i2 = g1.item_id or 0, g2.item_id or 0
        log = wear.log_outfit(s, user_id=alice, item_ids=[i1, i2], worn_on=date.today())
        with pytest.raises(NotFoundError):
            items.merge(s, user_id=bob, keep_id=i1, other_id=i2)
        with pytest.raises(RelookXError, match="two different"):
            items.merge(s, user_id=alice, keep_id=i1, other_id=i1)
        kept = items.merge(s, user_id=alice, keep_id=i1, other_id=i2)
        assert kept.id == i1
    with session_scope(engine) as s:
        assert [r["id"] for r in items.item_rows(s, user_id=alice)] == [i1]
        assert [w["item_ids"] for w in wear.logged(s, user_id=alice)] == [[i1]]
        new = items.split(s, user_id=alice, garment_id=g2.id or 0)
        assert new.name == "Grey beanie" and new.id != i1
        with pytest.raises(RelookXError, match="only one"):
            items.split(s, user_id=alice, garment_id=g2.id or 0)
        wear.undo(s, user_id=alice, wear_id=log.id or 0)
        assert wear.logged(s, user_id=alice) == []


def test_wear_log_refuses_bad_input_and_writes_nothing(engine: Engine, alice: int, bob: int) -> None:
    with session_scope(engine) as s:
        mine = wardrobe.add_by_hand(s, user_id=alice, name="Olive chinos", category="bottom", color="olive")
        theirs = wardrobe.add_by_hand(s, user_id=bob, name="Blue jeans", category="bottom", color="blue")
    with session_scope(engine) as s:
        with pytest.raises(NotFoundError, match=f"No item with id {theirs.item_id}"):
            wear.log_outfit(s, user_id=alice, item_ids=[mine.item_id or 0, theirs.item_id or 0],
                            worn_on=date.today())
        with pytest.raises(RelookXError, match="future"):
            wear.log_outfit(s, user_id=alice, item_ids=[mine.item_id or 0], worn_on=date.today() + timedelta(2))
        with pytest.raises(RelookXError, match="at least one"):
            wear.log_outfit(s, user_id=alice, item_ids=[], worn_on=date.today())
    with session_scope(engine) as s:
        assert wear.wear_rows(s, user_id=alice) == []


def test_find_repeats_merges_clear_repeats(engine: Engine, alice: int) -> None:
    with session_scope(engine) as s:
        for hex_ in ("#111111", "#141414"):
            store.add_garment(s, user_id=alice, draft=GarmentDraft(
                name="Black boots", category="footwear", color_hex=hex_, color_name="black"), source="mistral")
        # Garments added without matching, as the migration leaves them: one item each.
        for g in store.list_garments(s, user_id=alice):
            item = items.item_from(g)
            s.add(item)
            s.flush()
            g.item_id = item.id
        result = items.find_repeats(s, user_id=alice)
        assert result.linked == 1 and len(items.list_items(s, user_id=alice)) == 1


def test_capture_date_is_read_from_exif_and_editable(engine: Engine, settings: Settings, alice: int) -> None:
    img = make_outfit_photo()
    exif = Image.Exif()
    exif[0x0132] = "2026:05:04 09:30:00"
    exif.get_ifd(0x8769)[0x9003] = "2026:05:03 18:45:10"
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS: never stored
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    assert capture_time(Image.open(io.BytesIO(buf.getvalue()))) == datetime(2026, 5, 3, 18, 45, 10)
    storage = photos.storage_for(settings)
    photo = photos.add_upload(engine, storage, settings, user_id=alice, data=buf.getvalue(), filename="x.jpg")
    assert photo.taken_at is not None and photo.taken_at.date() == date(2026, 5, 3)
    assert not Image.open(storage.photo_path(photo.content_hash)).getexif()
    with session_scope(engine) as s:
        store.set_taken_at(s, user_id=alice, number=1, taken_at=datetime(2026, 5, 1, 12))
        assert wear.photo_day(store.get_photo(s, user_id=alice, number=1)) == date(2026, 5, 1)
        with pytest.raises(RelookXError, match="future"):
            store.set_taken_at(s, user_id=alice, number=1, taken_at=datetime(2999, 1, 1))


def test_relit_colors_come_close_but_other_lightness_does_not() -> None:
    from relookx.fashion.colors import delta_e_matrix, lab_array
    from relookx.fashion.matching import lit_delta_e

    navy = lab_array(["#1f2a44"])
    brighter = navy * 1.1  # the same piece under 10 % more light (Lab scales like XYZ's cube root)
    lighter_blue = lab_array(["#5a7bb5"])
    assert lit_delta_e(brighter, navy)[0, 0] < 0.5 < delta_e_matrix(brighter, navy, kl=2)[0, 0]
    assert lit_delta_e(lighter_blue, navy)[0, 0] > 10
    assert np.allclose(lit_delta_e(navy, navy), 0)


def test_garment_crops_decide_between_look_alikes(engine: Engine, alice: int) -> None:
    plain = Image.new("RGB", (80, 120), (40, 60, 150))
    striped = plain.copy()
    for y in range(0, 120, 8):
        striped.paste((230, 230, 230), (0, y, 80, y + 3))
    descriptors = {"a" * 64: crop_descriptor(plain), "b" * 64: crop_descriptor(ImageEnhance.Brightness(plain)
                                                                                .enhance(1.15)),
                   "c" * 64: crop_descriptor(striped)}
    shirt = {"name": "Blue shirt", "category": "top", "color_hex": "#283c96", "color_name": "blue"}
    with session_scope(engine) as s:
        first = store.add_garment(s, user_id=alice, draft=GarmentDraft(**shirt, crop_key="a" * 64), source="mistral")
        items.link_garments(s, user_id=alice, garments=[first], crops=descriptors.get)
        again = store.add_garment(s, user_id=alice, draft=GarmentDraft(**shirt, crop_key="b" * 64), source="mistral")
        other = store.add_garment(s, user_id=alice, draft=GarmentDraft(**shirt, crop_key="c" * 64), source="mistral")
        items.link_garments(s, user_id=alice, garments=[again], crops=descriptors.get)
        items.link_garments(s, user_id=alice, garments=[other], crops=descriptors.get)
        assert again.item_id == first.item_id  # the same fabric, re-lit
        assert other.item_id != first.item_id  # same tags, but the crop shows stripes
        assert items.item_rows(s, user_id=alice)[0]["crop_key"] == "a" * 64
