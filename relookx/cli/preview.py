"""Preview commands: `preview` (render a preview of the user wearing a piece), `tunnel check`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO, Any

from relookx.cli.common import open_store, user_id, write_file
from relookx.config import Settings
from relookx.errors import RelookXError


def cmd_preview(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Render a preview of the user wearing a piece (the webui when configured, else a mock-up)."""
    from relookx import history
    from relookx.db import session_scope
    from relookx.fashion.pieces import piece_of
    from relookx.photos import storage_for
    from relookx.preview import service

    storage = storage_for(settings)
    with open_store(settings) as engine:
        uid = user_id(engine, args.user)
        rec_id = args.recommendation
        if args.piece:
            piece = service.piece_from_text(args.piece)
        else:
            with session_scope(engine) as session:
                rec = (history.get_recommendation(session, user_id=uid, recommendation_id=rec_id) if rec_id
                       else history.latest_recommendation(session, user_id=uid))
            if rec is None:
                raise RelookXError("No recommendation yet: pass --piece \"red beanie\" or ask for one first "
                                   f"(python -m relookx recommend --user {args.user} ...).")
            piece, rec_id = piece_of(rec), rec.id
        request = service.request_for(engine, storage, user_id=uid, photo_number=args.photo, piece=piece,
                                      mode=args.mode, steps=args.steps, seed=args.seed)
        client = service.webui_client(settings)
        kept: list[Any] = []

        def save(result: Any) -> int:
            kept.append(result)
            return service.save(engine, storage, user_id=uid, photo_number=args.photo, result=result,
                                piece=piece, recommendation_id=rec_id).id or 0

        if client is None:
            preview_id = save(service.generate(request, None))
        else:  # the webui is shared with the app: wait for its queue like any session
            from relookx.preview.jobs import JobTarget, run_queued

            job = run_queued(engine, settings, uid, request, client, save=save,
                             target=JobTarget.of(request, photo_number=args.photo, recommendation_id=rec_id))
            if job.status != "done" or job.preview_id is None:
                raise RelookXError(f"The preview did not finish ({job.status}): {job.error}")
            preview_id = job.preview_id
    result = kept[0]
    target = Path(args.out)
    write_file(target, result.image)
    what = "mock-up (no webui configured)" if result.backend == "mockup" else f"webui, {result.mode} mode"
    print(f"Wrote {target} ({result.format}, {what}, {result.seconds:.1f} s); saved as preview {preview_id}",
          file=out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=out)
    return 0


def cmd_tunnel_check(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Connect to the SSH gateway, verify its key, forward, and call the webui's health endpoint."""
    from relookx.preview.tunnel import check_tunnel

    if not settings.ssh_host:
        raise RelookXError("No SSH gateway configured: set RELOOKX_SSH_HOST (and RELOOKX_SSH_USER, a key or "
                           "password, and RELOOKX_SSH_KNOWN_HOSTS or RELOOKX_SSH_HOST_FINGERPRINT).")
    for line in check_tunnel(settings):
        print(line, file=out)
    return 0



def register(groups: Any) -> None:
    """Add the `preview` and `tunnel` commands."""
    preview = groups.add_parser("preview", help="render a preview of you wearing a piece")
    preview.add_argument("--user", required=True, help="username")
    preview.add_argument("--photo", required=True, type=int, metavar="N", help="the photo number")
    which = preview.add_mutually_exclusive_group()
    which.add_argument("--recommendation", type=int, metavar="ID", help="a recommendation id (default: latest)")
    which.add_argument("--piece", help="a piece in words, e.g. 'red beanie'")
    preview.add_argument("--mode", choices=("photo", "newlook"), default="photo")
    preview.add_argument("--steps", type=int, default=25)
    preview.add_argument("--seed", type=int, default=-1)
    preview.add_argument("--out", required=True, metavar="FILE", help="where to write the image")
    preview.set_defaults(handler=cmd_preview)

    tunnel = groups.add_parser("tunnel", help="the SSH tunnel to the webui").add_subparsers(dest="action",
                                                                                          required=True)
    tunnel.add_parser("check", help="connect, verify the host key, forward, call the webui").set_defaults(
        handler=cmd_tunnel_check)
