"""Chat answers computed from the user's own data: wardrobe questions, offline talk, chat context."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd

from relookx import analytics
from relookx.fashion.colors import color_to_hex, delta_e, hex_to_hsl, normalize_hex
from relookx.garments import CATEGORIES, normalize_category
from relookx.stylist.intent import parse_message

# Color families by hue, with lightness and chroma for the neutrals (see `color_family`).
FAMILIES = ("black", "white", "grey", "brown", "beige", "red", "orange", "yellow", "green", "teal", "blue",
            "purple", "pink")
_FAMILY_ALIASES = {"gray": "grey", "tan": "beige", "navy": None}  # None: a shade, matched by distance
# Words naming a whole category: "shoes" counts every footwear, "jeans" only garments named so.
_GENERIC_WORDS = frozenset({*CATEGORIES, "tops", "bottoms", "shoe", "shoes", "accessories", "bags", "dresses",
                            "clothes", "clothing", "garments", "items"})
_OCCASION_WORDS: dict[str, tuple[str, ...]] = {
    "work": ("work", "office", "business"), "sport": ("sport", "gym", "workout", "athletic"),
    "evening": ("evening", "dinner", "cocktail", "night"), "formal": ("formal", "gala", "black tie"),
    "travel": ("travel", "vacation", "holiday", "trip"), "casual": ("casual", "everyday", "daily"),
}
_SHADE_DISTANCE = 10.0  # CIEDE2000: a garment within this of the asked color counts as that shade
_LIST_LIMIT = 15
_PLURALS = {"accessory": "accessories", "dress": "dresses", "footwear": "footwear", "outerwear": "outerwear",
            "headwear": "headwear", "other": "other garments"}


def color_family(hex_: str) -> str:
    """The family of a hex color: black/white/grey by lightness and chroma, else by hue (navy -> blue)."""
    r, g, b = (int(hex_[i:i + 2], 16) / 255 for i in (1, 3, 5))
    chroma = max(r, g, b) - min(r, g, b)
    hue, _, light = hex_to_hsl(hex_)
    if light < 0.12:
        return "black"
    if chroma < 0.08 or light > 0.92:
        return "white" if light > 0.85 else "black" if light < 0.2 else "grey"
    if hue < 15 or hue >= 345:
        return "pink" if light > 0.7 else "red"
    if hue < 40:
        if chroma < 0.3 and light >= 0.65:
            return "beige"
        return "brown" if light < 0.4 or chroma < 0.5 else "orange"
    if hue < 70:
        if chroma < 0.3:
            return "beige" if light >= 0.6 else "green"
        return "green" if light < 0.4 else "yellow"
    if hue < 165:
        return "green"
    if hue < 185:
        return "teal"
    if hue < 255:
        return "blue"
    if hue < 290:
        return "purple"
    return "pink" if light >= 0.5 else "purple"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a garments frame as dicts keyed by column name."""
    return cast(list[dict[str, Any]], df.to_dict("records"))


def _hex_of(row: Mapping[str, Any]) -> str | None:
    return normalize_hex(str(row.get("color_hex") or "")) or color_to_hex(str(row.get("color_name") or ""))


def _money(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 0.005 else f"{value:,.2f}"


def _item(row: Mapping[str, Any]) -> str:
    where = f"image {int(row['photo_number'])}" if pd.notna(row.get("photo_number")) else "no photo"
    price = f", {_money(float(row['price']))}" if pd.notna(row.get("price")) else ""
    name = str(row.get("name") or row.get("category") or "garment")
    return f"{name} ({where}{price})"


def _pluralize(word: str) -> str:
    if word.endswith("f"):
        return word[:-1] + "ves"
    return word + ("es" if word.endswith(("sh", "ch", "x")) else "s")


def _plural(category: str) -> str:
    return _PLURALS.get(category, f"{category}s")


def _items(df: pd.DataFrame, limit: int = _LIST_LIMIT) -> str:
    rows = [_item(r) for r in _records(df.head(limit))]
    more = f", and {len(df) - limit} more" if len(df) > limit else ""
    return ", ".join(rows) + more


def _shades(df: pd.DataFrame) -> str:
    counts = df["color_name"].replace("", "unnamed").value_counts()
    return ", ".join(f"{name} ×{n}" for name, n in counts.items())


class _Selection:
    """The garments a question is about, and the words that describe them."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.noun = "garments"
        self.singular = "garment"
        self.color = ""
        self.where = ""
        self.notes: list[str] = []
        self.before_color = df  # the selection before the color filter, to say what colors there are

    def label(self, count: int = 2) -> str:
        """'blue tops in image 3', or 'blue top' for a count of one."""
        noun = self.singular if count == 1 else self.noun
        return " ".join(p for p in (self.color, noun) if p) + self.where


def _select(df: pd.DataFrame, text: str, numbers: list[int]) -> tuple[_Selection, str | None]:
    """Filter the wardrobe by the photo, garment, color and occasion the question names."""
    parsed = parse_message(text, photo_numbers=numbers)
    c = parsed.constraints
    if parsed.photo_phrase and parsed.photo_number is None:
        return _Selection(df), " ".join(parsed.notes)
    sel = _Selection(df)
    if parsed.photo_number is not None:
        sel.df = sel.df[sel.df["photo_number"] == parsed.photo_number]
        sel.where = f" in image {parsed.photo_number}"
    if c.category:
        in_category = sel.df[sel.df["category"] == c.category]
        sel.df, sel.noun, sel.singular = in_category, _plural(c.category), c.category
        word = (c.garment or "").lower()
        if word and word not in _GENERIC_WORDS:
            stem = re.sub(r"(?:es|s)$", "", word) if normalize_category(word.rstrip("s")) != "other" else word
            named = in_category[in_category["name"].str.lower().str.contains(stem, regex=False)
                                | in_category["description"].str.lower().str.contains(stem, regex=False)]
            if len(named) or not len(in_category):
                sel.df, sel.noun = named, word if word.endswith("s") else _pluralize(word)
                sel.singular = word if not word.endswith("s") or word in ("jeans", "shorts", "trousers") else stem
            else:
                sel.notes.append(f"No garment is named '{word}', so this counts all your {_plural(c.category)}.")
    if c.color_name:
        sel.before_color = sel.df
        sel.df, sel.color = _by_color(sel, c.color_name), c.color_name
    if c.occasion:
        words = _OCCASION_WORDS.get(c.occasion, (c.occasion,))
        context = sel.df["context"].str.lower()
        sel.df = sel.df[context.apply(lambda s: any(w in s for w in words))]
        sel.where += f" for {c.occasion}"
    return sel, None


def _by_color(sel: _Selection, color: str) -> pd.DataFrame:
    """Garments in a color family ("blue": navy, denim, light blue...) or close to a named shade."""
    word = color.lower()
    family = _FAMILY_ALIASES.get(word, word if word in FAMILIES else None)
    target = color_to_hex(word)
    keep = []
    for row in _records(sel.df):
        hex_ = _hex_of(row)
        if family is not None:
            keep.append(hex_ is not None and color_family(hex_) == family)
        else:
            same_name = str(row.get("color_name", "")).lower() == word
            keep.append(same_name or (hex_ is not None and target is not None
                                      and delta_e(hex_, target) <= _SHADE_DISTANCE))
    picked = sel.df[keep] if len(sel.df) else sel.df
    if family is not None and set(picked["color_name"]) - {family}:
        sel.notes.append(f"Counted as {family}: {_shades(picked)}.")
    return picked


def _empty_wardrobe(photos: pd.DataFrame) -> str:
    if photos.empty:
        return ("Your wardrobe is empty, so there is nothing to count yet. Upload a photo of an outfit on the "
                "**Images** page (its garments are detected and added), or add a garment by hand on the "
                "**Wardrobe** page.")
    statuses = photos["status"].value_counts()
    waiting = int(statuses.get("pending", 0))
    failed = int(statuses.get("failed", 0))
    detail = f" {waiting} still waiting for analysis." if waiting else ""
    detail += f" {failed} could not be analysed: retry them on the Images page." if failed else ""
    return (f"You have {len(photos)} photo{'s' if len(photos) != 1 else ''} but no garments yet.{detail} "
            "You can also add garments by hand on the **Wardrobe** page.")


def _summary_line(df: pd.DataFrame, photos: pd.DataFrame) -> str:
    s = analytics.summary(df, photos)
    cats = ", ".join(f"{r.category} {r.count}" for r in analytics.category_counts(df).itertuples())
    color = f" Most common color: **{s.top_color_name}**." if s.top_color_name else ""
    value = f" Estimated value: **{_money(s.total_value)}** ({s.priced} priced)." if s.priced else ""
    return f"You have **{s.garments}** garments in {s.photos} photos: {cats}.{color}{value}"


def answer_wardrobe_question(text: str, garment_rows: Sequence[Mapping[str, Any]],
                             photo_rows: Sequence[Mapping[str, Any]]) -> str:
    """A Markdown answer to a question about the wardrobe, computed from the user's garments and photos."""
    df = analytics.garments_frame(garment_rows)
    photos = analytics.photos_frame(photo_rows)
    low = text.lower()
    if re.search(r"\b(?:how many|number of)\s+(?:photos?|images?|pictures?|pics?|uploads?)\b", low):
        analysed = int((photos["status"] == "done").sum())  # the store marks photos pending, done or failed
        done = f" ({analysed} analysed)" if analysed else ""
        return f"You have uploaded **{len(photos)}** photo{'s' if len(photos) != 1 else ''}{done}."
    if df.empty:
        return _empty_wardrobe(photos)
    numbers = sorted(int(n) for n in pd.concat([photos["number"], df["photo_number"]]).dropna().unique())
    sel, problem = _select(df, text, numbers)
    if problem:
        return problem
    notes = (" " + " ".join(sel.notes)) if sel.notes else ""
    chosen = sel.df
    if re.search(r"\bworth\b|\bvalue\b|\bspen[dt]\b|\bhow much\b|\bcost\b|\baverage (?:price|cost)\b", low):
        return _value_answer(sel) + notes
    if m := re.search(r"\b(most expensive|priciest|cheapest|least expensive)\b", low):
        priced = chosen[chosen["price"].notna()]
        if priced.empty:
            return f"None of your {sel.label()} has an estimated price yet."
        top = priced.sort_values("price", ascending=m.group(1) in ("cheapest", "least expensive")).head(3)
        return f"Your {m.group(1)} {sel.label()}: {_items(top)}."
    if re.search(r"\bcolou?rs?\b", low) and not sel.color:
        return _color_answer(sel)
    if re.search(r"\boccasions?\b", low):
        counts = analytics.occasion_counts(chosen).head(8)
        if counts.empty:
            return f"None of your {sel.label()} has an occasion noted yet."
        listed = ", ".join(f"{r.occasion} {r.count}" for r in counts.itertuples())
        return f"Occasions of your {sel.label()} (garments per occasion): {listed}."
    if re.search(r"\bhow many\b|\bnumber of\b|\bcount\b|\bdo i (?:have|own)\b|\bhave i got\b", low):
        return _count_answer(sel) + notes
    if sel.label() == "garments" and not re.search(r"\blist\b|\ball\b|\bshow\b|\bwhat(?:'s| is) in\b", low):
        return _summary_line(df, photos)
    if chosen.empty:
        return f"You have no {sel.label()}.{notes}"
    return f"Your {sel.label()} ({len(chosen)}): {_items(chosen)}.{notes}"


def _count_answer(sel: _Selection) -> str:
    if len(sel.df):
        return f"You have **{len(sel.df)}** {sel.label(len(sel.df))}: {_items(sel.df)}."
    answer = f"You have no {sel.label()}."
    if sel.color and len(sel.before_color):
        answer += f" Your {sel.noun}{sel.where} are: {_shades(sel.before_color)}."
    return answer


def _value_answer(sel: _Selection) -> str:
    priced = sel.df[sel.df["price"].notna()]
    if priced.empty:
        return f"None of your {sel.label()} has an estimated price yet, so I cannot total them."
    total, count = float(priced["price"].sum()), len(sel.df)
    answer = (f"Estimated value of your {sel.label()}: **{_money(total)}** in total ({len(priced)} of {count} "
              f"priced; average {_money(total / len(priced))}).")
    by_cat = analytics.value_by_category(priced)
    if len(by_cat) > 1:
        answer += " By category: " + ", ".join(f"{r['category']} {_money(r['value'])}" for r in _records(by_cat)) + "."
    return answer


def _color_answer(sel: _Selection) -> str:
    palette = analytics.color_palette(sel.df)
    if palette.empty:
        return f"None of your {sel.label()} has a color recorded yet."
    top = palette.iloc[0]
    tied = palette[palette["count"] == top["count"]]["color_name"].tolist()
    lead = (f"Your most common color is **{top['color_name']}**" if len(tied) == 1
            else "Your most common colors are " + ", ".join(f"**{t}**" for t in tied))
    answer = f"{lead} ({int(top['count'])} of {len(sel.df)} {sel.label()})."
    rest = palette.iloc[len(tied):6]
    if len(rest):
        answer += " Then: " + ", ".join(f"{r.color_name} {r.count}" for r in rest.itertuples()) + "."
    families: dict[str, int] = {}
    for row in _records(sel.df):
        if hex_ := _hex_of(row):
            families[color_family(hex_)] = families.get(color_family(hex_), 0) + 1
    if families:
        ranked = sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))
        answer += " By color family: " + ", ".join(f"{f} {n}" for f, n in ranked) + "."
    return answer


# --- general talk ----------------------------------------------------------------------------------

_GREETING_RE = re.compile(r"^\W*(?:hello|hi|hey|good (?:morning|afternoon|evening)|bonjour)\b", re.I)
_THANKS_RE = re.compile(r"\b(?:thanks|thank you|merci)\b", re.I)


def offline_chat_answer(text: str, *, garment_count: int, photo_count: int,
                        latest_photo: int | None = None) -> str:
    """An honest answer for general talk without Mistral: what the offline assistant can do for this user."""
    opening = "Hello!" if _GREETING_RE.search(text) else "You're welcome!" if _THANKS_RE.search(text) else (
        "I can't hold an open conversation offline, so I can't answer that one properly.")
    can = ["**recommend one piece** for an outfit photo, with the reasoning (colors, proportions, rules used)",
           "**answer questions about your wardrobe** (counts by color or type, most common color, estimated "
           "value, lists with image numbers, occasions)"]
    if photo_count == 0:
        state = ("You have no photos yet: upload an outfit photo on the **Images** page, then ask me "
                 "*\"Can you recommend a piece to match image 1?\"*.")
    else:
        number = latest_photo if latest_photo is not None else photo_count
        state = (f"You have {photo_count} photo{'s' if photo_count != 1 else ''} and {garment_count} "
                 f"garment{'s' if garment_count != 1 else ''}. Try *\"Can you recommend a piece to match image "
                 f"{number}?\"*, *\"I need something red for a party under 80\"* or *\"what's my most common "
                 "color?\"*.")
    enable = ("For open fashion conversation, set **MISTRAL_API_KEY** (in `.streamlit/secrets.toml` or the "
              "environment) and restart RelookX: general questions then go to Mistral with your wardrobe as context.")
    return "\n\n".join([f"{opening} Offline, I can:", "\n".join(f"- {c}" for c in can), state, enable])


_CHAT_SYSTEM = (
    "You are RelookX, a friendly and precise personal stylist. Answer fashion questions concisely (a few short "
    "paragraphs at most), in the user's language. Use the user's wardrobe below when it is relevant: refer to "
    "their garments by name and to their photos as 'image N'; never invent garments they do not own. When the "
    "user wants one new piece for an outfit, tell them to ask 'recommend a piece to match image N'.\n\n"
    "The user's wardrobe:\n"
)
_HISTORY_TURNS = 10
_TURN_CHARS = 2000


def chat_messages(text: str, *, history: Sequence[tuple[str, str]], wardrobe_summary: str) -> list[dict[str, Any]]:
    """The messages for general talk with Mistral: system with the wardrobe, recent turns, the question."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": _CHAT_SYSTEM + (wardrobe_summary or "empty")}]
    for role, content in list(history)[-_HISTORY_TURNS:]:
        if role in ("user", "assistant") and content.strip():
            messages.append({"role": role, "content": content[:_TURN_CHARS]})
    messages.append({"role": "user", "content": text})
    return messages


def wardrobe_context(garment_rows: Sequence[Mapping[str, Any]], photo_rows: Sequence[Mapping[str, Any]], *,
                     max_chars: int = 4000) -> str:
    """A compact text summary of the wardrobe for the model (counts, palette, photos), at most max_chars."""
    df = analytics.garments_frame(garment_rows)
    photos = analytics.photos_frame(photo_rows)
    if df.empty:
        return f"No garments yet ({len(photos)} photos)."
    lines = [_summary_line(df, photos).replace("**", "")]
    palette = analytics.color_palette(df).head(10)
    lines.append("Palette: " + ", ".join(f"{r.color_name} {r.count}" for r in palette.itertuples()) + ".")
    groups = [(f"Image {int(cast(float, n))}", g) for n, g in df[df["photo_number"].notna()].groupby("photo_number")]
    loose = df[df["photo_number"].isna()]
    if len(loose):
        groups.append(("Without photo", loose))
    for left, (title, group) in enumerate(reversed(groups)):  # newest photos first
        garments = "; ".join(f"{r['name']} ({r['category']}, {r['color_name'] or 'no color'}"
                             f"{', ' + _money(r['price']) if pd.notna(r['price']) else ''})" for r in _records(group))
        line = f"{title}: {garments}"
        tail = f"... and {len(groups) - left} more photos."
        if len("\n".join([*lines, line, tail])) > max_chars:
            lines.append(tail)
            break
        lines.append(line)
    return "\n".join(lines)[:max_chars]


_PENDING = {
    "preview": ("A preview shows an image of you wearing the recommended piece, rendered by a Stable Diffusion "
                "web UI with ControlNet (to keep your pose) and ADetailer (to keep faces and hands clean). The "
                "**Preview** page will do this; it is not available in this version of RelookX yet."),
    "shop": ("Finding where to buy it means searching real shops for products that match the recommended piece "
             "(type, color, budget) and showing them with their prices and links. The **Shop** page will do "
             "this; it is not available in this version of RelookX yet."),
}


def pending_feature_answer(intent: str) -> str:
    """What the Preview or Shop page will do, and that it is not available yet."""
    if intent not in _PENDING:
        raise ValueError(f"No pending feature for intent {intent!r}: use 'preview' or 'shop'.")
    return _PENDING[intent] + " Meanwhile, ask me to recommend a piece for one of your images."
