"""Render time of the Wardrobe page (AppTest) for 5,000 items seen on 1,000 photos (target: under 2 s).

Run from the repository root: `.venv/bin/python benchmarks/wardrobe_page.py`.
It fills a temporary SQLite store through the real tables, then runs the app as a signed-in user.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.wardrobe_data import make_wardrobe  # noqa: E402
from relookx import auth  # noqa: E402
from relookx.config import Settings  # noqa: E402
from relookx.db import make_engine, session_scope, upgrade  # noqa: E402
from relookx.models import Garment, Photo  # noqa: E402

TARGET_S = 2.0
RUNS = 5


def fill(data_dir: Path, n_garments: int = 5000, n_photos: int = 1000) -> int:
    """A user with the synthetic wardrobe; returns the user id."""
    engine = make_engine(Settings(data_dir=data_dir).db_url)
    upgrade(engine)
    garment_rows, photo_rows = make_wardrobe(n_garments, n_photos)
    with session_scope(engine) as s:
        user = auth.sign_up(s, username="bench", password="quiet-linen-closet-7")
        uid = user.id or 0
        ids: dict[int, int] = {}
        for row in photo_rows:
            p = Photo(user_id=uid, number=row["number"], content_hash=f"{row['number']:064x}", status="done",
                      created_at=row["created_at"])
            s.add(p)
            s.flush()
            ids[row["number"]] = p.id or 0
        fields = ("name", "category", "color_name", "color_hex", "pattern", "material", "fit", "price", "context")
        s.add_all(Garment(user_id=uid, photo_id=ids.get(r["photo_number"]) if r["photo_number"] else None,
                          source=r["source"], created_at=r["created_at"], **{k: r[k] for k in fields})
                  for r in garment_rows)
        user.next_photo_number = n_photos + 1
    with engine.begin() as conn:  # one item per garment, as migration 0007 gives existing wardrobes
        fields = ", ".join(("name", "category", "color_name", "color_hex", "pattern", "material", "fit", "price",
                            "price_text", "context", "description", "confidence", "source", "created_at"))
        conn.execute(text(f"INSERT INTO item (id, user_id, {fields}) SELECT id, user_id, {fields} FROM garment"))
        conn.execute(text("UPDATE garment SET item_id = id"))
    engine.dispose()
    return uid


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        t0 = time.perf_counter()
        uid = fill(data_dir)
        print(f"filled store: 5,000 garments over 1,000 photos in {time.perf_counter() - t0:.1f} s")
        at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        at.secrets["RELOOKX_DATA_DIR"] = str(data_dir)
        at.session_state["relookx_user_id"] = uid
        at.run()
        at.switch_page("pages/wardrobe.py")
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        assert at.metric[0].value == "5000", at.metric[0].value
        print(f"{'Wardrobe page render (AppTest)':<34} best {min(times):.2f} s   "
              f"median {statistics.median(times):.2f} s   target < {TARGET_S:.0f} s")
        return 0 if min(times) < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
