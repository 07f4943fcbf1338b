"""Understanding a chat message: intent, photo reference and constraints, parsed locally first.

`parse_message` is pure and local (vocabulary, color names, numbers). It sets `ambiguous` when:
1. intent: no intent cue matched but the message carries exactly one fashion signal (a photo
   reference, a garment, a color, a budget, an occasion or a season: "image 7", "burgundy?");
   the two best intents score within 2 points of each other ("do I have something to go with
   image 3?"); or a yes/no question that reads as general talk refers to a photo
   ("is image 3 ok for a wedding?": chat, or a critique?);
2. a bare number remains that is neither a photo reference, an amount (currency, or after
   "under", "max", "budget of"...), a size, a quantity nor a year ("what goes with 7?");
3. the photo reference is several different images ("image 2 or image 5");
4. for recommend and shop requests: two different target colors ("red or green") or garment
   categories ("shoes or a bag"); colors and garments the user already owns ("my navy jeans",
   "with black") are not targets.
Only then does `refine_with_model` make one small structured Mistral call.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any, Literal

import pydantic
from mistralai.client import Mistral

from relookx import llm
from relookx.errors import RelookXError
from relookx.fashion.colors import color_to_hex
from relookx.garments import CATEGORIES, normalize_category, parse_price
from relookx.stylist.lexicon import (
    AMOUNT_RE,
    COLOR_KEYS,
    CUE_RES,
    DETERMINERS,
    GARMENT_PAIRS,
    MAX_AFTER_RE,
    MAX_BEFORE_RE,
    MIN_RE,
    MIN_WITH_CURRENCY_RE,
    NEGATIONS,
    NOT_COLORS,
    OCCASIONS,
    ORDINAL_INDEX,
    OWNED_MARKERS,
    PHOTO_NUMBER_RE,
    PHOTO_ORDINAL_RE,
    PRIORITY,
    QUANTITY_AFTER_RE,
    SEASON_HINTS,
    SEASON_NAMES,
    SIZE_BEFORE_RE,
    WEAK_GARMENTS,
    WORD_RE,
    color_key,
)
from relookx.stylist.types import INTENTS, SEASONS, ParsedMessage

log = logging.getLogger(__name__)


# --- parsing --------------------------------------------------------------------------------------


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _number_list(numbers: Sequence[int]) -> str:
    """'1-4, 7, 9' for a sorted list of photo numbers."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}" if prev > start + 1 else f"{start}, {prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def unknown_photo_note(number: int, photo_numbers: Sequence[int]) -> str:
    """The message for a photo number the user does not have, listing the valid ones."""
    if not photo_numbers:
        return f"There is no image {number}: you have no photos yet. Upload one on the Images page."
    return f"There is no image {number} in your wardrobe. Your images: {_number_list(sorted(photo_numbers))}."


def _find_photo(low: str, numbers: list[int], result: ParsedMessage) -> tuple[str, int]:
    """Resolve the photo reference into `result`; return the masked text and how many distinct refs."""
    found: list[tuple[int, str, int | None]] = []  # (position, phrase, number; None when unresolvable)
    for m in PHOTO_NUMBER_RE.finditer(low):
        typed = int(m.group(1) or m.group(2))
        if typed not in numbers:
            result.notes.append(unknown_photo_note(typed, numbers))
        found.append((m.start(), m.group(0), typed if typed in numbers else None))
        low = _mask(low, m.start(), m.end())
    for m in PHOTO_ORDINAL_RE.finditer(low):
        index = ORDINAL_INDEX[m.group(1).replace("-", " ")]
        resolved = numbers[index] if -len(numbers) <= index < len(numbers) else None
        if resolved is None:
            result.notes.append(
                "You have no photos yet: upload one on the Images page, then ask again." if not numbers else
                f"You have only {len(numbers)} photo{'s' if len(numbers) > 1 else ''} "
                f"(images {_number_list(numbers)}), so there is no {m.group(1)} one."
            )
        found.append((m.start(), m.group(0), resolved))
        low = _mask(low, m.start(), m.end())
    found.sort()
    if found:
        result.photo_phrase, result.photo_number = found[0][1], found[0][2]
    return low, len({number if number is not None else phrase for _, phrase, number in found})


def _find_prices(low: str, result: ParsedMessage) -> tuple[str, int]:
    """Set max_price from amounts; return the masked text and the count of bare numbers."""
    bare = 0
    pending = False  # a number that may be the lower end of a range ("50-80 euros")
    last_was_price = False
    for m in AMOUNT_RE.finditer(low):
        before, after = low[max(0, m.start() - 25):m.start()], low[m.end():m.end() + 25]
        value = parse_price(m.group("num"))
        if value is None:
            continue
        value *= 1000 if m.group("k") else 1
        has_currency = bool(m.group("cur") or m.group("after") or m.group("k"))
        joined = bool(re.search(r"(?:\band|\bto|-|–)\s*$", before))
        if MIN_RE.search(before) or (has_currency and MIN_WITH_CURRENCY_RE.search(before)):
            result.notes.append(f"A minimum price ({value:g}) is not a constraint the stylist uses.")
            is_price = False
        elif has_currency or MAX_BEFORE_RE.search(before) or MAX_AFTER_RE.search(after) or (
                joined and last_was_price):
            # The upper end wins: "between 50 and 80" or "50-80 euros" -> 80.
            current = result.constraints.max_price
            result.constraints.max_price = value if current is None else max(current, value)
            pending, is_price = False, True
        elif re.match(r"\s*(?:-|–|to|and)\s*[$€£]?\s?\d", after):
            bare += int(pending)
            pending, is_price = True, False
            low = _mask(low, m.start(), m.end())
            continue
        else:
            is_price = False
            next_words = after.split()
            quantity = (QUANTITY_AFTER_RE.search(after) or SIZE_BEFORE_RE.search(before)
                        or 1900 <= value <= 2100
                        or (next_words and normalize_category(next_words[0]) != "other"))
            bare += int(not quantity) + int(pending)
            pending = False
        last_was_price = is_price
        low = _mask(low, m.start(), m.end())
    return low, bare + int(pending)


def _find_colors(words: list[tuple[str, int]], result: ParsedMessage) -> tuple[list[str], list[str], set[int]]:
    """(target, owned) color names, negated ones left out, and the word indexes colors cover."""
    targets: list[str] = []
    owned: list[str] = []
    covered: set[int] = set()
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            phrase = " ".join(w for w, _ in words[i:i + n]).replace("-", " ")
            if len(words[i:i + n]) == n and color_key(phrase) in COLOR_KEYS and phrase not in NOT_COLORS:
                break
        else:
            i += 1
            continue
        covered.update(range(i, i + n))
        context = {w for w, _ in words[max(0, i - 3):i]}
        if context & NEGATIONS:
            result.notes.append(f"Avoiding {phrase} is not a constraint the stylist can enforce yet.")
        else:
            kind = owned if context & OWNED_MARKERS else targets
            if phrase not in kind:
                kind.append(phrase)
        i += n
    return targets, owned, covered


_Garments = list[tuple[str, str]]  # (garment word, category)


def _find_garments(words: list[tuple[str, int]], covered: set[int]) -> tuple[_Garments, _Garments]:
    """(target, owned) lists of (garment word, category)."""
    targets: _Garments = []
    owned: _Garments = []
    i = 0
    while i < len(words):
        pair = " ".join(w.replace("-", " ") for w, _ in words[i:i + 2])
        if pair in GARMENT_PAIRS:
            word, n = pair, 2
        else:
            word, n = words[i][0], 1
            prev = words[i - 1][0] if i else ""
            if word in WEAK_GARMENTS and prev not in DETERMINERS and (i - 1) not in covered:
                i += 1
                continue
        category = normalize_category(word)
        if category != "other":
            context = {w for w, _ in words[max(0, i - 2):i]}
            (owned if context & OWNED_MARKERS else targets).append((word, category))
        i += n
    return targets, owned


def _first_match(patterns: Sequence[tuple[str, str]], low: str) -> str | None:
    """The first name in `patterns` (most specific first) whose pattern occurs in the text."""
    return next((name for name, pattern in patterns if re.search(pattern, low)), None)


def parse_message(text: str, *, photo_numbers: Sequence[int]) -> ParsedMessage:
    """Understand a chat message locally: intent, photo reference among `photo_numbers`, constraints."""
    numbers = sorted(set(photo_numbers))
    result = ParsedMessage(text=text, intent="chat")
    low = " ".join(text.lower().replace("’", "'").replace("colour", "color").split())
    masked, photo_refs = _find_photo(low, numbers, result)
    masked, bare_numbers = _find_prices(masked, result)
    words = [(m.group(0), m.start()) for m in WORD_RE.finditer(masked)]
    colors, owned_colors, covered = _find_colors(words, result)
    garments, owned_garments = _find_garments(words, covered)
    c = result.constraints
    c.occasion = _first_match(OCCASIONS, masked)
    c.season = _first_match(SEASON_NAMES, masked) or _first_match(SEASON_HINTS, masked)

    scores = {i: sum(w for intent, w, cue in CUE_RES if intent == i and cue.search(low)) for i in INTENTS}
    best, second = sorted(INTENTS, key=lambda i: (-scores[i], PRIORITY.index(i)))[:2]
    if best == "wardrobe_question":  # "do I have blue tops": the owned things are the subject
        colors, garments = colors or owned_colors, garments or owned_garments
    if colors:
        c.color_name, c.color_hex = colors[0], color_to_hex(colors[0])
    if garments:
        c.garment, c.category = garments[0]
    signals = int(bool(result.photo_phrase)) + sum(
        v is not None for v in (c.category, c.color_name, c.max_price, c.occasion, c.season))
    if scores[best] == 0:
        result.intent = "recommend" if signals >= 2 or result.photo_phrase else "chat"
        ambiguous = signals == 1
    else:
        result.intent = best
        ambiguous = scores[second] > 0 and scores[best] - scores[second] < 2
        ambiguous = ambiguous or (best == "chat" and bool(result.photo_phrase))
    if result.intent in ("recommend", "shop"):
        ambiguous = ambiguous or len(colors) > 1 or len({cat for _, cat in garments}) > 1
    result.ambiguous = ambiguous or bare_numbers > 0 or photo_refs > 1
    return result


# --- the model, only for ambiguous messages --------------------------------------------------------


class _Reading(pydantic.BaseModel):
    """What the router model returns: every field present, null when the message does not say."""

    intent: Literal["recommend", "preview", "shop", "wardrobe_question", "outfit", "chat"]
    photo_number: int | None
    category: str | None
    garment: str | None
    color_name: str | None
    max_price: float | None
    occasion: str | None
    season: str | None


_ROUTER_PROMPT = """You read one message sent to RelookX, a wardrobe assistant, and return one JSON object.
intent: "recommend" (suggest one new piece for an outfit or the wardrobe, or critique an outfit),
"preview" (show an image of the user wearing the recommended piece), "shop" (where to buy it, its price),
"wardrobe_question" (a question answered from the user's stored garments: counts, colors, value, lists),
"outfit" (put together a whole outfit from what the user already owns, e.g. what to wear tomorrow),
"chat" (anything else: general fashion talk, greetings).
photo_number: the user's photo the message refers to, one of [{numbers}], or null.
category: one of {categories}, or null. garment: the garment word, or null.
color_name: the color the user wants for the new piece, or null. max_price: the most the user will pay, or null.
occasion: one short word (party, work, wedding, date...), or null. season: one of {seasons}, or null.
A local parser read the message as: {local}"""


def _merge(parsed: ParsedMessage, reading: _Reading, numbers: Sequence[int]) -> ParsedMessage:
    """The local parse updated with the model's valid answers (explicit photo and price kept)."""
    c = replace(parsed.constraints)
    photo_number = parsed.photo_number
    if not parsed.photo_phrase and reading.photo_number is not None:  # a typed reference is kept
        if reading.photo_number in numbers:
            photo_number = reading.photo_number
        else:
            log.warning("Router model named image %s, which the user does not have", reading.photo_number)
    category = (reading.category or "").strip().lower()
    garment = (reading.garment or "").strip().lower()
    if category not in CATEGORIES or category == "other":
        category = normalize_category(garment) if garment else ""
    if category and category != "other":
        if garment and normalize_category(garment) == category:
            c.garment = garment
        elif c.category != category:
            c.garment = None
        c.category = category
    if reading.color_name and (hex_ := color_to_hex(reading.color_name)):
        c.color_name, c.color_hex = reading.color_name.strip().lower(), hex_
    price = reading.max_price
    if c.max_price is None and price is not None and math.isfinite(price) and price > 0:
        c.max_price = price
    if reading.occasion and re.fullmatch(r"[a-z][a-z \-]{1,29}", reading.occasion.strip().lower()):
        c.occasion = reading.occasion.strip().lower()
    season = (reading.season or "").strip().lower().replace("fall", "autumn")
    if season in SEASONS:
        c.season = season
    return replace(parsed, intent=reading.intent, photo_number=photo_number,
                   photo_phrase=parsed.photo_phrase or (f"image {photo_number}" if photo_number else ""),
                   constraints=c, ambiguous=False, notes=list(parsed.notes))


def refine_with_model(client: Mistral, *, model: str, parsed: ParsedMessage, photo_numbers: Sequence[int],
                      timeout_s: float) -> ParsedMessage:
    """Settle an ambiguous parse with one small structured call; the local parse if the model fails."""
    if not parsed.ambiguous:
        return parsed
    numbers = sorted(set(photo_numbers))
    local: dict[str, Any] = {"intent": parsed.intent, "photo_number": parsed.photo_number,
                             **{k: v for k, v in asdict(parsed.constraints).items() if k != "color_hex"}}
    system = _ROUTER_PROMPT.format(numbers=", ".join(map(str, numbers[-200:])), categories=", ".join(CATEGORIES),
                                   seasons=", ".join(SEASONS), local=json.dumps(local))
    messages = [{"role": "system", "content": system}, {"role": "user", "content": parsed.text}]
    try:
        reading = llm.complete_json(client, model=model, messages=messages, schema=_Reading,
                                    timeout_s=timeout_s, temperature=0.0, max_tokens=300)
    except RelookXError as exc:
        log.warning("Router model failed, keeping the local parse: %s", exc)
        return replace(parsed, notes=[*parsed.notes, f"Read your message without Mistral: {exc}"])
    return _merge(parsed, reading, numbers)
