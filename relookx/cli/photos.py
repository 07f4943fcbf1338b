"""Photo commands: `photos add` (store and analyse)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from relookx import store
from relookx.cli.common import CliError, open_store, user_id
from relookx.cli.output import plural
from relookx.config import Settings, with_overrides
from relookx.db import session_scope
from relookx.errors import ConfigError


def cmd_photos_add(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Store and analyse each file; one line per file; non-zero when any file failed."""
    from relookx.photos import add_and_analyze_batch, storage_for
    from relookx.vision.factory import make_analyzer

    if args.analyzer:
        if args.analyzer == "mistral" and not settings.mistral_api_key:
            raise ConfigError(
                "--analyzer mistral needs a Mistral API key: set MISTRAL_API_KEY in "
                ".streamlit/secrets.toml or the environment (or use --analyzer offline)."
            )
        settings = with_overrides(settings, analyzer=args.analyzer)
    analyzer = make_analyzer(settings)
    storage = storage_for(settings)
    failed = 0
    with open_store(settings) as engine:
        uid = user_id(engine, args.user)
        for path in args.paths:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                print(f"{path}: cannot read the file: {exc.strerror or exc}", file=out)
                failed += 1
                continue
            (outcome,) = add_and_analyze_batch(
                engine, storage, settings, analyzer, user_id=uid, files=[(Path(path).name, data)]
            )
            photo = outcome.photo
            if photo is None:
                kind = "duplicate" if outcome.duplicate_of is not None else "refused"
                print(f"{path}: {kind}: {outcome.error}", file=out)
                failed += 1
            elif photo.status == "no_person":
                print(f"{path}: image {photo.number}: no person found ({photo.analyzer}); add its garments by "
                      "hand on the Images page", file=out)
            elif photo.status != "done":
                print(f"{path}: image {photo.number} stored, analysis failed ({photo.analyzer}): "
                      f"{photo.error}", file=out)
                failed += 1
            else:
                with session_scope(engine) as session:
                    n = len(store.list_garments(session, user_id=uid, photo_id=photo.id))
                print(f"{path}: image {photo.number}: {plural(n, 'garment')} ({photo.analyzer})", file=out)
            out.flush()
    if failed:
        raise CliError(f"{failed} of {plural(len(args.paths), 'file')} failed (see above).")
    return 0


def register(groups: Any) -> None:
    """Add the `photos` commands."""
    photos = groups.add_parser("photos", help="outfit photos").add_subparsers(dest="action", required=True)
    add_photos = photos.add_parser("add", help="store and analyse photos")
    add_photos.add_argument("--user", required=True, help="username")
    add_photos.add_argument("--analyzer", choices=("offline", "mistral"),
                            help="override RELOOKX_ANALYZER for this run")
    add_photos.add_argument("paths", nargs="+", metavar="PATH")
    add_photos.set_defaults(handler=cmd_photos_add)
