"""Stylist commands: `recommend`, `finetune export`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, Any

from relookx import history, store
from relookx.cli.common import open_store, user_id, write_file
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError


def cmd_recommend(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Recommend one piece for the user's query; Mistral when configured, offline otherwise."""
    from relookx.stylist import intent
    from relookx.stylist.rules import COLOR_RULES, PIECE_RULES
    from relookx.stylist.workflow import make_stylist, recommend

    with open_store(settings) as engine:
        uid = user_id(engine, args.user)
        with session_scope(engine) as session:
            numbers = store.photo_numbers(session, user_id=uid)
            if store.counts(session, user_id=uid)["garments"] == 0:
                raise RelookXError(f"{args.user} has no garments yet: add photos with "
                                   f"python -m relookx photos add --user {args.user} PATH...")
        parsed = intent.parse_message(args.query, photo_numbers=numbers)
        if parsed.photo_phrase and parsed.photo_number is None:
            raise RelookXError(" ".join(parsed.notes) or f"Unknown photo: {parsed.photo_phrase}.")
        rec = recommend(engine, make_stylist(settings), user_id=uid, query=args.query,
                        photo_number=parsed.photo_number, constraints=parsed.constraints, seed=args.seed)
    piece = rec.piece
    record: dict[str, Any] = {
        "id": rec.id, "name": piece["name"], "category": piece["category"], "color": piece["color_name"],
        "color_hex": piece["color_hex"], "fit": piece.get("fit", ""), "price": piece.get("price"),
        "context": piece.get("context", ""), "description": piece.get("description", ""),
        "reason": piece.get("reason", ""), "color_rule": rec.color_rule, "piece_rule": rec.piece_rule,
        "backend": rec.backend, "photo_number": rec.photo_number, "constraints": rec.constraints,
        "harmony_score": rec.harmony_score, "critique": rec.critique, "calls": rec.calls,
        "seconds": round(rec.timings.get("total_s", 0.0), 3), "seed": rec.seed,
    }
    if args.json:
        print(json.dumps(record, indent=2, ensure_ascii=False), file=out)
        return 0
    price = f", about {record['price']:g}" if record["price"] is not None else ""
    target = f"image {rec.photo_number}" if rec.photo_number is not None else "your wardrobe"
    color_rule = COLOR_RULES[rec.color_rule].title if rec.color_rule in COLOR_RULES else rec.color_rule
    piece_rule = PIECE_RULES[rec.piece_rule].title if rec.piece_rule in PIECE_RULES else rec.piece_rule
    print(f"{record['name']} ({record['category']}, {record['color']} {record['color_hex']}{price}) "
          f"for {target}", file=out)
    print(f"Why: {record['reason']}", file=out)
    print(f"Rules: {color_rule} + {piece_rule}; backend {rec.backend}, {record['seconds']} s", file=out)
    print(f"\nCritique:\n{rec.critique}", file=out)
    return 0


def cmd_finetune_export(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Write one chat-format training example per stored Mistral workflow run (JSONL), one user's by default."""
    from relookx.stylist.export import PERSONAL_PROFILE_FIELDS, training_examples

    if not args.user and not args.all_users:
        raise RelookXError("Say whose runs to export: --user NAME (one person's data), or --all-users "
                           "(everyone's, for an administrator who may pool them).")
    with open_store(settings) as engine:
        uid = user_id(engine, args.user) if args.user else None
        with session_scope(engine) as session:
            runs = history.list_runs(session, user_id=uid)
    examples = training_examples([run.example for run in runs], include_profile=args.include_profile)
    target = Path(args.file)
    write_file(target, "".join(json.dumps(example, ensure_ascii=False) + "\n" for example in examples))
    whose = args.user or "all users"
    if not examples:
        print(f"No Mistral workflow runs stored yet for {whose}: {target} is empty. Recommendations made with "
              "MISTRAL_API_KEY set are recorded for fine-tuning.", file=out)
        return 0
    print(f"Wrote {len(examples)} training example(s) of {whose} to {target}", file=out)
    if args.include_profile:
        print("Personal profile fields included (--include-profile): keep this file private.", file=out)
    else:
        print(f"Personal profile fields ({', '.join(PERSONAL_PROFILE_FIELDS)}) were left out; favourite color "
              "and budget were kept. Add --include-profile to keep them all.", file=out)
    return 0


def register(groups: Any) -> None:
    """Add the `recommend` and `finetune` commands."""
    rec = groups.add_parser("recommend", help="recommend one new piece",
                            description="Recommend one piece, e.g. 'what would go with image 7?'")
    rec.add_argument("--user", required=True, help="username")
    rec.add_argument("query", help="what you ask the stylist")
    rec.add_argument("--json", action="store_true", help="print JSON instead of text")
    rec.add_argument("--seed", type=int, default=None, help="seed, for a repeatable recommendation")
    rec.set_defaults(handler=cmd_recommend)
    finetune = groups.add_parser("finetune", help="distillation data").add_subparsers(dest="action", required=True)
    export = finetune.add_parser("export", help="write the workflow runs as chat-format JSONL")
    export.add_argument("file", metavar="FILE.jsonl")
    whose = export.add_mutually_exclusive_group()
    whose.add_argument("--user", help="export this user's runs (the default way: one person's data)")
    whose.add_argument("--all-users", action="store_true", help="export every user's runs in one file")
    export.add_argument("--include-profile", action="store_true",
                        help="keep personal profile fields (gender, height, weight, style notes)")
    export.set_defaults(handler=cmd_finetune_export)
