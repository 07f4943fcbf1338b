"""The Mistral stylist: a critic model streams a critique, then an advisor model returns one piece.

A recommendation costs two sequential calls (critique, then advice), or one call to a fine-tuned
`direct_model`. The prompt builders are public so the distillation export and the tests build the
very messages the stylist sends; all prompt scaffolding lives here, the style knowledge in `guides/`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pydantic
from mistralai.client import Mistral
from pydantic import BaseModel, Field

from relookx import llm
from relookx.errors import ConfigError
from relookx.fashion.colors import delta_e, hex_to_name
from relookx.fashion.pieces import OutfitItem, Piece
from relookx.garments import CATEGORIES, normalize_garment
from relookx.guides import load_guide
from relookx.stylist.owned import owns_similar
from relookx.stylist.rules import COLOR_RULES, PIECE_RULES, fixed_category, fixed_color
from relookx.stylist.types import Constraints, StyleRequest, Stylist
from relookx.vision.base import GarmentDraft

log = logging.getLogger(__name__)

Message = dict[str, Any]

CRITIQUE_MAX_TOKENS = 700
PIECE_MAX_TOKENS = 800
CRITIC_TEMPERATURE = 0.7
ADVISOR_TEMPERATURE = 0.6  # some variety: the rules steer, the model still picks the piece
MAX_OWNED_LISTED = 60  # owned items listed to the advisor; owned.owns_similar checks them all
COLOR_TOLERANCE = 10.0  # CIEDE2000 distance under which a color counts as the one asked for
COLOR_WORD_TOLERANCE = 30.0  # looser when the model also names the asked color ("dark red")

CRITIC_ROLE = (
    "You are a fashion critic. You judge one outfit for the person who wears it: precise, honest and "
    "kind, always naming the garments. Apply the critique guide below."
)
CRITIC_TASK = (
    "Critique this outfit with the critique framework of the guide, in markdown:\n"
    "**Strengths** (2-3 bullets), **Improvements** (2-3 bullets, at least one of them adds or replaces a "
    "large piece: a top, bottom, dress, outer layer or pair of shoes), **Verdict** (one or two sentences), "
    "then **Ratings** out of 10 for style, comfort, versatility and overall.\n"
    "Take the question, the constraints and the profile into account. Be concise: 180 to 250 words. "
    "Do not name a product to buy yet."
)
ADVISOR_ROLE = (
    "You are a relooking advisor. From a critique of an outfit you choose ONE new piece to add or to "
    "replace, and describe it so precisely that a shopper could find it. Apply the guides below."
)
PIECE_FIELDS = (
    "Answer with one JSON object only: name (specific, shop-style), category (one of "
    + ", ".join(CATEGORIES)
    + "), color_name, color_hex (#rrggbb), fit, estimated_price (one number, in the user's currency), "
    "context (the occasion it suits), description (one sentence a shopper would recognise it by), "
    "reason (two or three sentences to the user: why this piece, how it follows the rules and fixes the outfit)."
)
ADVISOR_TASK = (
    "Choose ONE piece that answers the critique's improvements, follows the color rule and the piece rule, "
    "honours every constraint (they are not negotiable) and is not something the user already owns "
    "(same category in a close color).\n" + PIECE_FIELDS
)
DIRECT_ROLE = (
    "You are RelookX's stylist. Given an outfit, the user's question, constraints and profile, one color rule "
    "and one piece rule, you recommend ONE new piece that improves the outfit, follows both rules, honours "
    "every constraint and is not already owned. " + PIECE_FIELDS
)


class PieceOut(BaseModel):
    """The piece as the advisor (or the direct model) writes it."""

    name: str
    category: str = Field(json_schema_extra={"enum": list(CATEGORIES)})
    color_name: str
    color_hex: str = Field(description="#rrggbb")
    fit: str
    estimated_price: float = Field(description="one number, in the user's currency")
    context: str = Field(description="the occasion it suits")
    description: str
    reason: str


# --- Prompt builders ------------------------------------------------------------------------------


def _item_line(item: OutfitItem) -> str:
    details = [item.category, f"{item.color_name} {item.color_hex}".strip()]
    details += [x for x in (item.pattern, item.material) if x]
    if item.fit:
        details.append(f"{item.fit} fit")
    if item.context:
        details.append(f"for {item.context}")
    return f"- {item.name} ({'; '.join(d for d in details if d)})"


def outfit_text(items: list[OutfitItem]) -> str:
    """The outfit's garments, one line each with category, color, pattern, material, fit, context."""
    return "\n".join(_item_line(item) for item in items) or "- (no garments recorded)"


def constraints_text(constraints: Constraints) -> str:
    """The constraints, one per line, or a line saying there are none."""
    lines = []
    category = fixed_category(constraints)
    if constraints.garment or category:
        garment = f"a {constraints.garment}" if constraints.garment else "any"
        lines.append(f"- garment: {garment} (category: {category or 'any'})")
    color = fixed_color(constraints)
    if color or constraints.color_name:
        name = constraints.color_name or (hex_to_name(color) if color else "")
        lines.append(f"- color: {name} ({color or 'any shade'})")
    if constraints.max_price is not None:
        lines.append(f"- price: at most {constraints.max_price:g}")
    if constraints.occasion:
        lines.append(f"- occasion: {constraints.occasion}")
    if constraints.season:
        lines.append(f"- season: {constraints.season}")
    return "\n".join(lines) or "- none: choose freely"


def profile_text(profile: Mapping[str, Any]) -> str:
    """The user's profile (budget, favourite color, gender, style notes...), one line per known value."""
    lines = [f"- {key.replace('_', ' ')}: {value}" for key, value in profile.items()
             if value not in (None, "", [], {})]
    return "\n".join(lines) or "- not given"


def rules_text(request: StyleRequest) -> str:
    """The chosen color rule and piece rule, titles and descriptions."""
    try:
        color, piece = COLOR_RULES[request.color_rule], PIECE_RULES[request.piece_rule]
    except KeyError as exc:
        raise ConfigError(f"Unknown stylist rule {exc.args[0]!r}.") from None
    return (f"Color rule: {color.title}. {color.description}\n"
            f"Piece rule: {piece.title}. {piece.description}")


def owned_text(request: StyleRequest) -> str:
    """Owned items of the relevant categories (the constrained one, else the piece rule's), to avoid duplicates."""
    category = fixed_category(request.constraints)
    rule = PIECE_RULES.get(request.piece_rule)
    relevant = (category,) if category else (rule.categories if rule else ())
    items = [g for g in request.wardrobe if not relevant or g.category in relevant]
    items.sort(key=lambda g: (g.category, g.color_name, g.name))
    lines = [f"- {g.category}: {g.name} ({g.color_name} {g.color_hex})" for g in items[:MAX_OWNED_LISTED]]
    if len(items) > MAX_OWNED_LISTED:
        lines.append(f"- ... and {len(items) - MAX_OWNED_LISTED} more")
    return "\n".join(lines) or "- nothing recorded"


def _query(request: StyleRequest) -> str:
    return request.query.strip() or "Recommend one piece to improve this outfit."


def critic_messages(request: StyleRequest, *, guides_root: Path | None = None) -> list[Message]:
    """The critic's messages: role and critique guide, then the outfit, question, constraints, profile."""
    system = f"{CRITIC_ROLE}\n\n# Critique guide\n\n{load_guide('critique', root=guides_root)}"
    user = (f"The user asks: {_query(request)}\n\n## Outfit\n{outfit_text(request.outfit)}\n\n"
            f"## Constraints for the new piece\n{constraints_text(request.constraints)}\n\n"
            f"## Profile\n{profile_text(request.profile)}\n\n{CRITIC_TASK}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def advisor_messages(request: StyleRequest, critique: str, *, guides_root: Path | None = None) -> list[Message]:
    """The advisor's messages: role with the description and advice guides, then critique, rules, limits."""
    system = (f"{ADVISOR_ROLE}\n\n# Description guide\n\n{load_guide('description', root=guides_root)}"
              f"\n\n# Advice guide\n\n{load_guide('advice', root=guides_root)}")
    user = (f"The user asks: {_query(request)}\n\n## Outfit\n{outfit_text(request.outfit)}\n\n"
            f"## Critique\n{critique.strip()}\n\n## Rules to follow\n{rules_text(request)}\n\n"
            f"## Constraints (must be honoured)\n{constraints_text(request.constraints)}\n\n"
            f"## Profile\n{profile_text(request.profile)}\n\n"
            f"## Already owned (do not duplicate)\n{owned_text(request)}\n\n{ADVISOR_TASK}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def direct_messages(request: StyleRequest) -> list[Message]:
    """One-call messages for a fine-tuned model: outfit, question, constraints, profile, rules, owned."""
    user = (f"The user asks: {_query(request)}\n\n## Outfit\n{outfit_text(request.outfit)}\n\n"
            f"## Rules to follow\n{rules_text(request)}\n\n"
            f"## Constraints (must be honoured)\n{constraints_text(request.constraints)}\n\n"
            f"## Profile\n{profile_text(request.profile)}\n\n"
            f"## Already owned (do not duplicate)\n{owned_text(request)}")
    return [{"role": "system", "content": DIRECT_ROLE}, {"role": "user", "content": user}]


def piece_json(piece: Piece) -> str:
    """The piece in the advisor's JSON shape (what a direct model learns to answer)."""
    out = PieceOut(name=piece.name, category=piece.category, color_name=piece.color_name,
                   color_hex=piece.color_hex, fit=piece.fit, estimated_price=piece.price or 0.0,
                   context=piece.context, description=piece.description, reason=piece.reason)
    return out.model_dump_json()


def training_example(request: StyleRequest, critique: str, piece: Piece) -> dict[str, Any]:
    """One chat-format fine-tuning example: direct system + user, the piece JSON as the assistant turn.

    `critique` is taken so the export passes the whole run, but it is not part of the example: a direct
    model answers without a critique step, so the piece's `reason` (which the advisor wrote from the
    critique) is what it learns to explain with.
    """
    system, user = direct_messages(request)
    return {"messages": [system, user, {"role": "assistant", "content": piece_json(piece)}]}


# --- Validation -----------------------------------------------------------------------------------


def to_piece(out: PieceOut) -> Piece:
    """The model's piece normalised like any garment: known category, #rrggbb color, numeric price."""
    draft = normalize_garment(GarmentDraft(
        name=out.name, category=out.category, color_name=out.color_name, color_hex=out.color_hex,
        fit=out.fit, price=out.estimated_price, context=out.context, description=out.description,
    ))
    return Piece(name=draft.name, category=draft.category, color_name=draft.color_name,
                 color_hex=draft.color_hex, fit=draft.fit, price=draft.price, context=draft.context,
                 description=draft.description, reason=out.reason.strip())


def piece_from_json(text: str) -> Piece:
    """A piece from its JSON (the assistant turn of a training example, or a stored answer)."""
    return to_piece(PieceOut.model_validate_json(text))


def _color_matches(piece: Piece, wanted_hex: str, wanted_name: str | None) -> bool:
    distance = delta_e(piece.color_hex, wanted_hex)
    if distance <= COLOR_TOLERANCE or hex_to_name(piece.color_hex) == hex_to_name(wanted_hex):
        return True
    named = bool(wanted_name) and str(wanted_name).lower() in piece.color_name.lower()
    return named and distance <= COLOR_WORD_TOLERANCE


def piece_problems(request: StyleRequest, piece: Piece) -> list[str]:
    """Why a piece does not honour the request (constraints, already owned); empty when it does."""
    problems: list[str] = []
    constraints = request.constraints
    if piece.price is None or piece.price < 0:
        problems.append("estimated_price must be a positive number")
    elif constraints.max_price is not None and piece.price > constraints.max_price:
        problems.append(f"estimated_price {piece.price:g} is above the user's limit of {constraints.max_price:g}")
    category = fixed_category(constraints)
    if category and piece.category != category:
        problems.append(f"category is {piece.category} but the user asked for {category}")
    if not piece.color_hex:
        problems.append(f"color_hex {piece.color_hex!r} is not a #rrggbb color")
    else:
        wanted = fixed_color(constraints)
        if wanted and not _color_matches(piece, wanted, constraints.color_name):
            problems.append(f"color {piece.color_name} {piece.color_hex} is not the {constraints.color_name or wanted}"
                            " the user asked for")
        owned = owns_similar(piece.category, piece.color_hex, request.wardrobe)
        # A user who fixed both the category and the color asked for exactly this: an owned twin is noted in
        # the reason (see MistralStylist._piece) rather than refused, else no answer could ever pass.
        if owned is not None and not (category and wanted):
            problems.append(f"the user already owns {owned.name} ({owned.color_name}): choose another piece or color")
    return problems


def checked_schema(request: StyleRequest) -> type[PieceOut]:
    """`PieceOut` whose validation also applies `piece_problems`, so a violation uses the one retry.

    `llm.complete_json` retries once on invalid output; making the request's checks part of the
    schema's validation keeps the advisor at two attempts at most, whatever went wrong.
    """

    class Checked(PieceOut):
        @pydantic.model_validator(mode="after")
        def honour_request(self) -> Checked:
            problems = piece_problems(request, to_piece(self))
            if problems:
                raise ValueError("; ".join(problems))
            return self

    Checked.__name__ = Checked.__qualname__ = PieceOut.__name__  # the schema's name, as the model sees it
    return Checked


# --- The stylist ----------------------------------------------------------------------------------


class MistralStylist(Stylist):
    """Critique with `critic_model` (streamed), then one piece from `advisor_model` (validated JSON).

    With `direct_model` (a model fine-tuned on `training_example`s), `recommend_direct` makes one call
    instead; the piece's `reason` then stands in for the critique.
    """

    name = "mistral"

    def __init__(
        self,
        client: Mistral,
        *,
        critic_model: str,
        advisor_model: str,
        timeout_s: float,
        direct_model: str | None = None,
        guides_root: Path | None = None,
    ) -> None:
        self.client = client
        self.critic_model = critic_model
        self.advisor_model = advisor_model
        self.timeout_s = timeout_s
        self.direct_model = direct_model
        self.guides_root = guides_root

    def critique(self, request: StyleRequest) -> Iterator[str]:
        """Yield the critique as it streams (one call); raises ServiceError on failure."""
        return llm.stream_text(
            self.client,
            model=self.critic_model,
            messages=critic_messages(request, guides_root=self.guides_root),
            timeout_s=self.timeout_s,
            temperature=CRITIC_TEMPERATURE,
            max_tokens=CRITIQUE_MAX_TOKENS,
        )

    def advise(self, request: StyleRequest, critique: str) -> Piece:
        """One validated piece from the advisor (at most two attempts); raises ServiceError."""
        return self._piece(self.advisor_model, advisor_messages(request, critique, guides_root=self.guides_root),
                           request)

    def recommend_direct(self, request: StyleRequest) -> Piece:
        """One piece from the fine-tuned direct model in one call (a second only if the first is invalid)."""
        if not self.direct_model:
            raise ConfigError("Direct mode needs a fine-tuned model id in RELOOKX_DIRECT_MODEL.")
        return self._piece(self.direct_model, direct_messages(request), request)

    def _piece(self, model: str, messages: list[Message], request: StyleRequest) -> Piece:
        out = llm.complete_json(
            self.client,
            model=model,
            messages=messages,
            schema=checked_schema(request),
            timeout_s=self.timeout_s,
            temperature=ADVISOR_TEMPERATURE,
            max_tokens=PIECE_MAX_TOKENS,
        )
        piece = to_piece(out)
        owned = owns_similar(piece.category, piece.color_hex, request.wardrobe)
        if owned is not None:
            piece.reason = (f"{piece.reason} You already own a close match ({owned.name}); this one follows your "
                            "request for this color and garment.").strip()
        log.info("Mistral %s recommends %s (%s %s, %s)", model, piece.name, piece.category,
                 piece.color_hex, piece.price)
        return piece
