"""Storage commands: `storage check`, `storage migrate --to s3`, `storage gc`."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import IO, Any

from relookx.cli.common import CliError, open_store
from relookx.config import Settings


def cmd_storage_check(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Reach the configured storage and do a write/read/delete round trip."""
    from relookx.storage import make_storage
    from relookx.storage.transfer import check

    for line in check(make_storage(settings)):
        print(line, file=out)
    return 0


def cmd_storage_migrate(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Copy every object from the data dir to the bucket (or back), verifying checksums."""
    from relookx.storage import LocalStorage, s3_storage
    from relookx.storage.transfer import migrate

    local, bucket = LocalStorage(settings.data_dir), s3_storage(settings)
    source, target = (local, bucket) if args.to == "s3" else (bucket, local)

    def show(name: str, outcome: str) -> None:
        if args.verbose_objects or outcome.startswith("failed"):
            print(f"{name}: {outcome}", file=out)

    report = migrate(source, target, on_object=show)
    print(f"From {source.describe()} to {target.describe()}: {len(report.copied)} copied and verified, "
          f"{len(report.present)} already there, {len(report.failed)} failed.", file=out)
    if report.failed:
        raise CliError(f"{len(report.failed)} object(s) were not copied (listed above); run the command again "
                       "to retry them: it skips what is already copied.")
    if args.to == "s3" and not report.failed:
        print("Every object is in the bucket: set RELOOKX_S3_BUCKET (already set) in the app's secrets and "
              "restart it to serve photos from the bucket.", file=out)
    return 0


def cmd_storage_gc(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Delete stored objects that no row refers to (orphans of failed uploads or storage outages)."""
    from relookx.storage import make_storage
    from relookx.storage.refs import collect_garbage

    if args.min_age_minutes < 0:
        raise CliError("--min-age-minutes cannot be negative.")
    storage = make_storage(settings)
    with open_store(settings) as engine:
        report = collect_garbage(engine, storage, min_age=timedelta(minutes=args.min_age_minutes),
                                 dry_run=args.dry_run)
    for name in report.orphans:
        print(f"{'orphan' if args.dry_run else 'deleted'}: {name}", file=out)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{storage.describe()}: {report.checked} object(s) checked, {len(report.orphans)} orphan(s), {verb} "
          f"{len(report.orphans) if args.dry_run else len(report.deleted)}; {report.recent} unreferenced newer "
          f"than {args.min_age_minutes:g} min left alone (uploads in flight).", file=out)
    if report.kinds_skipped:
        print(f"Not collected (no reference known): {', '.join(report.kinds_skipped)}.", file=out)
    return 0


def register(groups: Any) -> None:
    """Add the `storage` commands."""
    storage = groups.add_parser("storage", help="the photo storage (data dir or S3 bucket)").add_subparsers(
        dest="action", required=True)
    storage.add_parser("check", help="reach the storage and do a write/read/delete round trip").set_defaults(
        handler=cmd_storage_check)
    migrate = storage.add_parser("migrate", help="copy every object from the data dir to the bucket (resumable)")
    migrate.add_argument("--to", required=True, choices=("s3", "local"),
                         help="s3: data dir -> bucket; local: bucket -> data dir")
    migrate.add_argument("--list", dest="verbose_objects", action="store_true", help="print every object")
    migrate.set_defaults(handler=cmd_storage_migrate)
    gc = storage.add_parser("gc", help="delete stored objects that no row refers to")
    gc.add_argument("--dry-run", action="store_true", help="only list the orphans")
    gc.add_argument("--min-age-minutes", type=float, default=60.0,
                    help="leave younger objects alone (uploads in flight), default 60")
    gc.set_defaults(handler=cmd_storage_gc)
