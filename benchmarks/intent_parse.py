"""Time the local chat-message parser (intent, photo reference, constraints) on typical messages.

Target: under 10 ms a message with 500 photos to resolve "image N" against, so the chat never waits on it.
Run from the repository root: `.venv/bin/python benchmarks/intent_parse.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relookx.stylist.intent import parse_message  # noqa: E402

TARGET_MS = 10.0
REPEATS = 20
MESSAGES = (
    "Can you recommend a piece to match image 7?",
    "I need something red for a party under 80 euros",
    "what would go with the last photo for the office in winter?",
    "show me a preview of the new outfit",
    "where can I buy it?",
    "how many blue tops do I have?",
    "a navy wool blazer under $150 for a wedding, to wear with image 312",
    "hello! what colors suit me?",
)


def main() -> int:
    """Print the median and worst time per message; exit 1 when the median misses the target."""
    photos = list(range(1, 500))
    for text in MESSAGES:  # warm-up: compiled regexes, caches
        parse_message(text, photo_numbers=photos)
    per_message = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for text in MESSAGES:
            parse_message(text, photo_numbers=photos)
        per_message.append((time.perf_counter() - start) / len(MESSAGES) * 1000)
    median = statistics.median(per_message)
    print(f"parse_message: median {median:.2f} ms, worst {max(per_message):.2f} ms per message "
          f"({len(MESSAGES)} messages x {REPEATS}, 499 photos; target {TARGET_MS:.0f} ms)")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
