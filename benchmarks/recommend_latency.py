"""Time for one recommendation: the critic -> advisor workflow (2 calls) vs the original 7-call chain.

Starts the local Mistral-compatible test server in-process with a fixed delay per call (default
300 ms), answering by request content (a streamed call gets a critique, a JSON-schema call a valid
piece, the original chain's small calls a small JSON or text). Then, for "Can you recommend a piece
to match image 7?", measures the median over a few runs of:
- new: `MistralStylist.critique` (streamed) + `advise`: 2 sequential calls;
- original: intent, preview check, photo number, constraints, critique (streamed, same prompt),
  advice (same prompt), final rephrasing: 7 sequential real SDK calls.
Reports calls, total seconds, time to the first critique text and the ratio; exits 1 when the new
workflow does not take under half the time of the original.

Run from the repository root: `.venv/bin/python benchmarks/recommend_latency.py [--delay-ms 300]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mistralai.client import Mistral  # noqa: E402

from relookx import llm  # noqa: E402
from relookx.config import Settings  # noqa: E402
from relookx.fashion.pieces import OutfitItem  # noqa: E402
from relookx.guides import GUIDE_NAMES, GUIDES_DIR  # noqa: E402
from relookx.stylist.mistral import MistralStylist, PieceOut, advisor_messages, critic_messages  # noqa: E402
from relookx.stylist.types import Constraints, StyleRequest  # noqa: E402
from tests.mistral_server import MistralServer, Reply  # noqa: E402

QUERY = "Can you recommend a piece to match image 7?"
MODEL = "mistral-small-latest"
CRITIQUE = (
    "**Strengths**\n- The white oxford shirt and navy chinos make a clean, classic base.\n"
    "- Brown loafers warm up the cool palette.\n**Improvements**\n- Add a textured outer layer in a "
    "warm color to break the flat cotton.\n- A belt matching the loafers would tie the outfit together.\n"
    "**Verdict** Neat but safe: one bold layer would give it character.\n"
    "**Ratings** style 6/10, comfort 8/10, versatility 7/10, overall 7/10"
)
PIECE = {
    "name": "Rust corduroy overshirt", "category": "outerwear", "color_name": "rust", "color_hex": "#b7410e",
    "fit": "relaxed", "estimated_price": 65, "context": "smart casual",
    "description": "A rust wide-wale corduroy overshirt with chest pockets.",
    "reason": "Rust sits opposite the navy chinos on the color wheel and corduroy adds the missing texture.",
}
# The original chain's first four steps and its last one: (system prompt, JSON answer or None for text).
LEGACY_STEPS: dict[str, tuple[str, Any]] = {
    "intent": ("Classify the user's message as one of: recommend, preview, shop, wardrobe_question, chat. "
               'Answer in JSON: {"intent": "..."}', {"intent": "recommend"}),
    "preview": ("Does the user ask to see a preview of the outfit with a new piece? "
                'Answer in JSON: {"preview": true or false}', {"preview": False}),
    "photo": ("Which photo number does the user refer to (image 7, photo #3, the last photo)? "
              'Answer in JSON: {"photo_number": number or null}', {"photo_number": 7}),
    "constraints": ("Extract the constraints on the new piece from the message: garment type, color, "
                    "maximum price, occasion and season. Answer in JSON with those keys, null when absent.",
                    {"garment": None, "color": None, "max_price": None, "occasion": None, "season": None}),
    "rephrase": ("Rewrite this recommendation for the user in a warm, friendly tone, in two short "
                 "paragraphs.", None),
}
REPHRASED = "Here is my suggestion: a rust corduroy overshirt. It warms up the navy and adds texture."


def make_request() -> StyleRequest:
    """The request behind 'Can you recommend a piece to match image 7?' with a small wardrobe."""
    outfit = [
        OutfitItem("White oxford shirt", "top", "white", "#f8f8f8", pattern="solid", material="cotton",
                   fit="regular", context="office"),
        OutfitItem("Navy slim chinos", "bottom", "navy", "#1f2a44", material="cotton", fit="slim"),
        OutfitItem("Brown leather loafers", "footwear", "brown", "#6b4226", material="leather"),
    ]
    wardrobe = [*outfit, OutfitItem("Grey wool coat", "outerwear", "grey", "#808080", material="wool")]
    return StyleRequest(query=QUERY, outfit=outfit, wardrobe=wardrobe, constraints=Constraints(),
                        color_rule="complementary", piece_rule="texture_mixing", photo_number=7,
                        profile={"gender": "man", "favourite_color": "green"})


def answerer(delay_s: float) -> Callable[[Any], Reply]:
    """The server's answer by request content, after `delay_s`."""
    by_system = {system: answer for system, answer in LEGACY_STEPS.values()}

    def answer(body: Any) -> Reply:
        messages = body.get("messages") or [{}]
        system = messages[0].get("content") if messages[0].get("role") == "system" else None
        fmt = body.get("response_format") or {}
        if body.get("stream"):
            content = CRITIQUE
        elif fmt.get("type") == "json_schema":
            content = json.dumps(PIECE)
        elif system in by_system and by_system[system] is not None:
            content = json.dumps(by_system[system])
        else:
            content = REPHRASED
        return Reply(content=content, delay=delay_s)

    return answer


def guides_root(tmp: Path) -> Path | None:
    """The real guides when all exist, else placeholder guides of a realistic size in `tmp`."""
    if all((GUIDES_DIR / f"{name}.md").exists() for name in GUIDE_NAMES):
        return None
    for name in GUIDE_NAMES:
        (tmp / f"{name}.md").write_text(f"# The {name} guide\n\n" + "A rule of the guide. " * 400, encoding="utf-8")
    return tmp


def run_new(stylist: MistralStylist, request: StyleRequest) -> tuple[float, float]:
    """Critique (streamed) then advise: (total seconds, seconds to the first critique text)."""
    t0 = time.perf_counter()
    first, parts = 0.0, []
    for part in stylist.critique(request):
        first = first or time.perf_counter() - t0
        parts.append(part)
    stylist.advise(request, "".join(parts))
    return time.perf_counter() - t0, first


def _small_json(client: Mistral, step: str, timeout_s: float) -> Any:
    system, _ = LEGACY_STEPS[step]
    res = client.chat.complete(
        model=MODEL, messages=[{"role": "system", "content": system}, {"role": "user", "content": QUERY}],
        response_format={"type": "json_object"}, timeout_ms=int(timeout_s * 1000),
    )
    return json.loads(llm.message_text(res.choices[0].message.content))


def run_original(client: Mistral, request: StyleRequest, root: Path | None, timeout_s: float) -> tuple[float, float]:
    """The original 7 sequential calls: (total seconds, seconds to the first critique text)."""
    t0 = time.perf_counter()
    for step in ("intent", "preview", "photo", "constraints"):
        _small_json(client, step, timeout_s)
    first, parts = 0.0, []
    for part in llm.stream_text(client, model=MODEL, messages=critic_messages(request, guides_root=root),
                                timeout_s=timeout_s):
        first = first or time.perf_counter() - t0
        parts.append(part)
    piece = llm.complete_json(client, model=MODEL, messages=advisor_messages(request, "".join(parts), guides_root=root),
                              schema=PieceOut, timeout_s=timeout_s)
    res = client.chat.complete(
        model=MODEL, timeout_ms=int(timeout_s * 1000),
        messages=cast(Any, [{"role": "system", "content": LEGACY_STEPS["rephrase"][0]},
                            {"role": "user", "content": piece.model_dump_json()}]),
    )
    llm.message_text(res.choices[0].message.content)
    return time.perf_counter() - t0, first


def measure(server: MistralServer, runs: int, fn: Callable[[], tuple[float, float]]) -> tuple[int, float, float]:
    """(calls per run, median total, median first-text time) over `runs` runs."""
    totals, firsts, calls = [], [], set()
    for _ in range(runs):
        before = len(server.chat_requests)
        total, first = fn()
        calls.add(len(server.chat_requests) - before)
        totals.append(total)
        firsts.append(first)
    if len(calls) != 1:
        raise RuntimeError(f"call counts differ between runs: {sorted(calls)}")
    return calls.pop(), statistics.median(totals), statistics.median(firsts)


def main(argv: list[str] | None = None) -> int:
    """Run both workflows against the delayed local server and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--delay-ms", type=float, default=300.0, help="server delay per call (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="runs per workflow; the median is shown")
    args = parser.parse_args(argv)
    timeout_s = 30.0
    request = make_request()
    with tempfile.TemporaryDirectory() as tmp, MistralServer() as server:
        root = guides_root(Path(tmp))
        server.default = answerer(args.delay_ms / 1000)
        settings = Settings(mistral_api_key="benchmark-key", mistral_server_url=server.url,
                            mistral_timeout_s=timeout_s, mistral_retry_budget_s=1, data_dir=Path(tmp))
        client = llm.make_client(settings)
        stylist = MistralStylist(client, critic_model=MODEL, advisor_model=MODEL, timeout_s=timeout_s,
                                 guides_root=root)
        run_new(stylist, request)  # warm-up: connection pool, imports, guide cache
        new = measure(server, args.runs, lambda: run_new(stylist, request))
        old = measure(server, args.runs, lambda: run_original(client, request, root, timeout_s))

    print(f'One recommendation for "{QUERY}" with {args.delay_ms:g} ms per call '
          f"(median of {args.runs}; guides: {'guides/' if root is None else 'placeholders'})")
    print(f"{'workflow':<34}{'calls':>6}{'total s':>10}{'first critique s':>19}{'ratio':>8}")
    print("-" * 77)
    for label, (calls, total, first) in (("critic -> advisor (new)", new), ("original 7-call sequence", old)):
        print(f"{label:<34}{calls:>6}{total:>10.3f}{first:>19.3f}{total / old[1]:>8.2f}")
    print("-" * 77)
    ratio = new[1] / old[1]
    ok = new[0] <= 3 and ratio < 0.5
    print(f"new / original total time: {ratio:.2f}; first critique text {old[2] / new[2]:.1f}x sooner; "
          f"target: under 0.5 with at most 3 calls: {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
