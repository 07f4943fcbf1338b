"""The wear-tracking commands: wardrobe items/merge/split/import/find-repeats, wear log/list/undo."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PIL import ImageEnhance

from tests.imagegen import to_bytes
from tests.realphotos import grace
from tests.test_cli import Cli, data_dir, error_line, photos, run, stocked  # noqa: F401  (fixtures)

ITEM_KEYS = {"id", "name", "category", "color", "color_hex", "price", "wears", "last_worn", "cost_per_wear",
             "photo_numbers"}


def relit_grace(tmp_path: Path) -> Path:
    """Grace Hopper's photo again, in brighter light and framed tighter: the same outfit, another photo."""
    img = grace()
    w, h = img.size
    path = tmp_path / "again.jpg"
    path.write_bytes(to_bytes(ImageEnhance.Brightness(img).enhance(1.1).crop((int(w * 0.04), int(h * 0.02), w, h))))
    return path


def test_items_json_counts_wears_and_cost_per_wear(run: Cli, stocked: list[dict[str, Any]],  # noqa: F811
                                                   tmp_path: Path) -> None:
    run.ok("photos", "add", "--user", "alice", "--analyzer", "offline", str(relit_grace(tmp_path)))
    found = run.json("wardrobe", "items", "--user", "alice")
    assert ITEM_KEYS <= set(found[0]) and len(found) == len(stocked)  # the third photo added no item
    jacket = next(i for i in found if i["category"] == "outerwear")
    assert jacket["photo_numbers"] == [2, 3] and jacket["wears"] == 2
    assert jacket["cost_per_wear"] == round(jacket["price"] / 2, 2)
    assert jacket["last_worn"] == date.today().isoformat()
    assert "worn   2x" in run.ok("wardrobe", "items", "--user", "alice")
    text = run.ok("wardrobe", "stats", "--user", "alice")
    assert "Outfits: 3   Never worn: 0" in text and "Most worn:" in text


def test_merge_wear_log_and_undo(run: Cli, stocked: list[dict[str, Any]]) -> None:  # noqa: F811
    found = run.json("wardrobe", "items", "--user", "alice")
    top1, top2 = [i["id"] for i in found if i["category"] == "top"]
    assert run.ok("wardrobe", "merge", "--user", "alice", str(top1), str(top2)).startswith(f"Merged item {top2}")
    out = run.ok("wear", "log", "--user", "alice", "--items", f"{top1}", "--date", "2026-11-01")
    assert out.startswith("Logged outfit 1 on 2026-11-01")
    merged = next(i for i in run.json("wardrobe", "items", "--user", "alice") if i["id"] == top1)
    assert merged["wears"] == 3 and merged["photo_numbers"] == [1, 2]
    assert run.json("wear", "list", "--user", "alice")[0]["item_ids"] == [top1]
    run.ok("wear", "undo", "--user", "alice", "1")
    assert run.json("wear", "list", "--user", "alice") == []
    code, _out, err = run("wear", "log", "--user", "alice", "--items", f"{top1},x")
    assert code == 1 and "'x' is not an item id" in error_line(err)
    code, _out, err = run("wear", "log", "--user", "alice", "--items", str(top1), "--date", "01/11/2026")
    assert code == 1 and "is not a date" in error_line(err)
    code, _out, err = run("wardrobe", "merge", "--user", "alice", str(top1), "999")
    assert code == 1 and "No item with id 999" in error_line(err)


def test_csv_export_imports_back_into_another_account(run: Cli, stocked: list[dict[str, Any]],  # noqa: F811
                                                      tmp_path: Path) -> None:
    target = tmp_path / "wardrobe.csv"
    run.ok("wardrobe", "export", "--user", "alice", "--csv", str(target))
    run.add_user("bob")
    assert run.ok("wardrobe", "import", "--user", "bob", "--csv", str(target), "--dry-run").startswith(
        f"Would import {len(stocked)} new items")
    assert run.json("wardrobe", "items", "--user", "bob") == []
    assert run.ok("wardrobe", "import", "--user", "bob", "--csv", str(target)) == \
        f"Imported {len(stocked)} new items, updated 0 items.\n"
    keys = ("name", "category", "color", "color_hex", "price", "pattern", "material", "context")
    assert [{k: i[k] for k in keys} for i in run.json("wardrobe", "items", "--user", "bob")] == \
        [{k: i[k] for k in keys} for i in run.json("wardrobe", "items", "--user", "alice")]
    # Her own export read back updates her items instead of duplicating them.
    assert run.ok("wardrobe", "import", "--user", "alice", "--csv", str(target)) == \
        f"Imported 0 new items, updated {len(stocked)} items.\n"


def test_csv_import_lists_look_alikes_and_skips_them_on_request(run: Cli, tmp_path: Path) -> None:  # noqa: F811
    run.add_user("dana")
    source = tmp_path / "mine.csv"
    source.write_text("name,category,color,material\nBlack leather chelsea boots,footwear,black,leather\n")
    run.ok("wardrobe", "import", "--user", "dana", "--csv", str(source))
    [owned] = run.json("wardrobe", "items", "--user", "dana")
    source.write_text("name,category,color\nChelsea boots,footwear,black\nRed scarf,accessory,red\n")
    listed = run.ok("wardrobe", "import", "--user", "dana", "--csv", str(source), "--dry-run")
    assert f"line 2: Chelsea boots looks like your Black leather chelsea boots (item {owned['id']}," in listed
    assert "Red scarf looks like" not in listed and "Would import 2 new items" in listed
    done = run.ok("wardrobe", "import", "--user", "dana", "--csv", str(source), "--skip-similar")
    assert done.endswith("Imported 1 new item, updated 0 items, skipped 1 look-alike.\n")
    assert sorted(i["name"] for i in run.json("wardrobe", "items", "--user", "dana")) == [
        "Black leather chelsea boots", "Red scarf"]


def test_bad_csv_files_are_refused_whole(run: Cli, tmp_path: Path) -> None:  # noqa: F811
    run.add_user("carol")
    bad = tmp_path / "bad.csv"
    cases = {
        "name,category,color\nRed top,top,red\n,top,red\nJeans,trousers,blue\nHat,headwear,nocolor\n":
            "line 3: the name is empty; line 5: the color 'nocolor' is unknown",
        "name,size\nRed top,M\n": "Unknown column(s) size",
        "": "The file is empty",
        "name,category,color,price\nRed top,top,red,cheap\n": "line 2: 'cheap' is not a price",
    }
    for text, message in cases.items():
        bad.write_text(text)
        code, _out, err = run("wardrobe", "import", "--user", "carol", "--csv", str(bad))
        assert code == 1 and message in error_line(err), err
    bad.write_bytes(b"\xff\xfe\x00n\x00a")
    code, _out, err = run("wardrobe", "import", "--user", "carol", "--csv", str(bad))
    assert code == 1 and "not a CSV text file" in error_line(err)
    assert run.json("wardrobe", "items", "--user", "carol") == []  # nothing was written


def test_find_repeats_reports(run: Cli, stocked: list[dict[str, Any]]) -> None:  # noqa: F811
    out = run.ok("wardrobe", "find-repeats", "--user", "alice")
    assert out.startswith("Merged 0 repeats;")


def test_outfits_suggest_json_and_wear(run: Cli, tmp_path: Path) -> None:  # noqa: F811
    run.add_user("dana")
    csv_file = tmp_path / "items.csv"
    csv_file.write_text("name,category,color,context\nWhite shirt,top,white,work\nNavy trousers,bottom,navy,work\n"
                        "Black loafers,footwear,black,work\nGrey hoodie,top,grey,casual\n")
    run.ok("wardrobe", "import", "--user", "dana", "--csv", str(csv_file))
    ids = {i["name"]: i["id"] for i in run.json("wardrobe", "items", "--user", "dana")}
    found = run.json("outfits", "suggest", "--user", "dana", "--occasion", "the office", "--date", "2026-01-10")
    assert sorted(found["item_ids"]) == sorted([ids["White shirt"], ids["Navy trousers"], ids["Black loafers"]])
    assert found["backend"] == "rules" and found["reason"] and found["logged"] is None
    kept = run.json("outfits", "suggest", "--user", "dana", "--keep", str(ids["Grey hoodie"]))
    assert ids["Grey hoodie"] in kept["item_ids"] and ids["White shirt"] not in kept["item_ids"]
    out = run.ok("outfits", "suggest", "--user", "dana", "--occasion", "office", "--wear")
    assert "White shirt (#" in out and out.startswith("White shirt") or "Why:" in out
    assert "Logged as worn on" in out and len(run.json("wear", "list", "--user", "dana")) == 1
    code, _out, err = run("outfits", "suggest", "--user", "dana", "--keep", "999")
    assert code == 1 and "Item 999 is not in your wardrobe" in error_line(err)
