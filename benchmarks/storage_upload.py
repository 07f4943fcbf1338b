"""Upload plus thumbnail of a 12 MP phone photo: the local data dir against an S3 bucket (moto on loopback).

Each round runs the app's own upload path, `relookx.photos.add_upload` (validate, rotate, convert to
sRGB, re-encode, thumbnail, store the photo and its thumbnail under the object lock, write the row),
with a new photo each time so nothing is deduplicated, then reads the thumbnail back as the gallery
does. The S3 server is moto's standalone server on 127.0.0.1: the figures show the client's and the
protocol's overhead, not a real network's latency (add your round-trip time x 4 requests per upload).

Run from the repository root: `.venv/bin/python benchmarks/storage_upload.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.vision_payload import phone_photo  # noqa: E402
from relookx import photos  # noqa: E402
from relookx.auth import sign_up  # noqa: E402
from relookx.config import Settings, with_overrides  # noqa: E402
from relookx.db import make_engine, session_scope, upgrade  # noqa: E402
from relookx.media import prepare_upload  # noqa: E402
from tests.s3_server import ANY_KEY, REGION, start_s3_server  # noqa: E402


def jpeg(seed: int) -> bytes:
    """A distinct 12 MP phone-quality JPEG."""
    buf = io.BytesIO()
    phone_photo(seed=seed).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def run(settings: Settings, photos_in: list[bytes]) -> tuple[list[float], list[float]]:
    """Upload each photo through the app's path; (upload seconds, thumbnail read seconds) per photo."""
    engine = make_engine(settings.db_url)
    upgrade(engine)
    with session_scope(engine) as session:
        uid = sign_up(session, username=f"bench{time.time_ns()}", password="correct horse battery").id or 0
    storage = photos.storage_for(settings)
    uploads, reads = [], []
    for data in photos_in:
        started = time.perf_counter()
        photo = photos.add_upload(engine, storage, settings, user_id=uid, data=data, filename="12mp.jpg")
        uploads.append(time.perf_counter() - started)
        started = time.perf_counter()
        storage.read_thumb(photo.content_hash)
        reads.append(time.perf_counter() - started)
    engine.dispose()
    return uploads, reads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"Generating {args.rounds * 2} distinct 12 MP photos...")
    originals = [jpeg(seed) for seed in range(args.rounds * 2)]
    started = time.perf_counter()
    prepared = prepare_upload(originals[0], max_bytes=50 << 20, max_pixels=120_000_000)
    prepare_s = time.perf_counter() - started
    print(f"Photo: 4000x3000 JPEG of {len(originals[0]) / 1e6:.1f} MB -> stored {len(prepared.jpeg) / 1e6:.2f} MB "
          f"+ thumbnail {len(prepared.thumb) / 1e3:.0f} KB; validate+normalise+thumbnail alone: {prepare_s:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(data_dir=Path(tmp) / "data")
        local = run(base, originals[:args.rounds])
        server = start_s3_server(Path(tmp))
        try:
            server.client().create_bucket(Bucket="bench")
            s3 = with_overrides(base, s3_bucket="bench", s3_endpoint_url=server.endpoint, s3_region=REGION,
                                s3_access_key_id=ANY_KEY[0], s3_secret_access_key=ANY_KEY[1],
                                data_dir=Path(tmp) / "data-s3")
            bucket = run(s3, originals[args.rounds:])
        finally:
            server.stop()
    print(f"\n{'backend':<34}{'upload+thumb median':>20}{'min':>8}{'max':>8}{'thumb read':>12}")
    for name, (uploads, reads) in (("local data dir", local), ("S3 (moto on 127.0.0.1)", bucket)):
        print(f"{name:<34}{statistics.median(uploads):>19.3f}s{min(uploads):>7.3f}s{max(uploads):>7.3f}s"
              f"{statistics.median(reads) * 1000:>10.1f}ms")
    by_median = statistics.median(bucket[0]) - statistics.median(local[0])
    by_min = min(bucket[0]) - min(local[0])
    print(f"\nS3 overhead per upload: {by_median * 1000:+.0f} ms by medians, {by_min * 1000:+.0f} ms by best runs "
          "(on a shared 2-core machine the best runs are the steadier figure).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
