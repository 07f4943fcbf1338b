"""One chat turn: store the user's message, understand it, answer it, store the answer.

A failed answer (Mistral down, rate limited, invalid output twice) keeps the user's message in the
history, marked failed with the error, so the page can offer to retry it: nothing is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from relookx import dress_me, history, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.errors import RelookXError
from relookx.fashion.pieces import piece_of
from relookx.items import item_rows
from relookx.models import ChatMessage
from relookx.storage import Storage
from relookx.stylist import answers, intent, workflow
from relookx.stylist.types import ParsedMessage, Stylist

log = logging.getLogger(__name__)
HISTORY_FOR_MODEL = 8  # previous turns given to the model in general talk
EMPTY_WARDROBE = ("To recommend a piece I need to know what you wear: upload a photo of an outfit on the "
                  "**Images** page (its garments are detected), or add garments by hand on the **Wardrobe** page.")


@dataclass
class Turn:
    """What one chat turn produced: the user's message, the replies, or the error."""

    message: ChatMessage
    replies: list[ChatMessage] = field(default_factory=list)
    parsed: ParsedMessage | None = None
    error: str = ""


@dataclass
class ChatDeps:
    """The backends a turn may need, built only when used."""

    settings: Settings
    stylist: Callable[[], Stylist]
    client: Callable[[], Any] | None = None  # a Mistral client, when configured
    sources: Callable[[], tuple[list[Any], list[str]]] | None = None  # product sources and notes on them
    storage: Storage | None = None  # the user's photos, for previews
    webui: Callable[[], Any] | None = None  # a webui client, or None for the offline mock-up


def understand(engine: Engine, deps: ChatDeps, *, user_id: int, text: str) -> ParsedMessage:
    """Parse locally; ask the small router model only when the local parse is ambiguous."""
    with session_scope(engine) as session:
        numbers = store.photo_numbers(session, user_id=user_id)
    parsed = intent.parse_message(text, photo_numbers=numbers)
    if parsed.ambiguous and deps.client is not None:
        parsed = intent.refine_with_model(deps.client(), model=deps.settings.router_model, parsed=parsed,
                                          photo_numbers=numbers, timeout_s=deps.settings.mistral_timeout_s)
    return parsed


def handle(
    engine: Engine, deps: ChatDeps, *, user_id: int, text: str = "", retry_message_id: int | None = None,
    on_step: Callable[[str], None] = lambda _label: None,
    show_text: Callable[[Iterable[str]], str] = workflow.consume,
) -> Turn:
    """Answer one message (or retry a failed one); never loses the user's message."""
    with session_scope(engine) as session:
        if retry_message_id is not None:
            message = history.get_message(session, user_id=user_id, message_id=retry_message_id)
            text = message.text
        else:
            message = history.add_message(session, user_id=user_id, role="user", text=text.strip())
    turn = Turn(message=message)
    try:
        turn.parsed = understand(engine, deps, user_id=user_id, text=text)
        turn.replies = _answer(engine, deps, user_id=user_id, parsed=turn.parsed, on_step=on_step,
                               show_text=show_text)
    except RelookXError as exc:
        turn.error = str(exc)
        log.warning("chat turn failed: %s", exc)
        with session_scope(engine) as session:
            turn.message = history.mark_failed(session, user_id=user_id, message_id=message.id or 0,
                                               error=turn.error)
        return turn
    if retry_message_id is not None:
        with session_scope(engine) as session:
            turn.message = history.mark_answered(session, user_id=user_id, message_id=message.id or 0)
    return turn


def _reply(engine: Engine, user_id: int, text: str, kind: str = "answer", rec_id: int | None = None) -> ChatMessage:
    with session_scope(engine) as session:
        return history.add_message(session, user_id=user_id, role="assistant", text=text, kind=kind,
                                   recommendation_id=rec_id)


def _answer(
    engine: Engine, deps: ChatDeps, *, user_id: int, parsed: ParsedMessage,
    on_step: Callable[[str], None], show_text: Callable[[Iterable[str]], str],
) -> list[ChatMessage]:
    if parsed.intent in ("recommend", "preview", "shop") and parsed.photo_phrase and parsed.photo_number is None:
        return [_reply(engine, user_id, " ".join(parsed.notes) or "I could not find that photo.", "notice")]
    if parsed.intent == "recommend":
        with session_scope(engine) as session:
            if store.counts(session, user_id=user_id)["garments"] == 0:
                return [_reply(engine, user_id, EMPTY_WARDROBE, "notice")]
        rec = workflow.recommend(
            engine, deps.stylist(), user_id=user_id, query=parsed.text, photo_number=parsed.photo_number,
            constraints=parsed.constraints, on_step=on_step, show_critique=show_text,
        )
        if deps.sources is not None:
            on_step("Finding it in shops")
            _find_products(engine, deps, user_id=user_id, rec_id=rec.id or 0)
        return [_reply(engine, user_id, rec.critique, "recommendation", rec.id)]
    if parsed.intent == "outfit":
        on_step("Choosing an outfit from your wardrobe")
        try:
            text = dress_me.chat_answer(engine, deps.settings, user_id=user_id, text=parsed.text,
                                        occasion=parsed.constraints.occasion or "", client=deps.client)
        except RelookXError as exc:
            return [_reply(engine, user_id, str(exc), "notice")]
        return [_reply(engine, user_id, text)]
    if parsed.intent == "shop":
        return [_shop_answer(engine, deps, user_id=user_id, on_step=on_step)]
    if parsed.intent == "preview":
        return [_preview_answer(engine, deps, user_id=user_id, on_step=on_step)]
    with session_scope(engine) as session:
        garments = item_rows(session, user_id=user_id)  # each piece once, however many photos show it
        photos = store.photo_rows(session, user_id=user_id)
        past = history.list_messages(session, user_id=user_id, limit=HISTORY_FOR_MODEL * 2 + 1)[:-1]
    if parsed.intent == "wardrobe_question":
        return [_reply(engine, user_id, answers.answer_wardrobe_question(parsed.text, garments, photos))]
    if deps.client is None:
        text = answers.offline_chat_answer(parsed.text, garment_count=len(garments), photo_count=len(photos))
        return [_reply(engine, user_id, text, "notice")]
    from relookx.llm import stream_text

    messages = answers.chat_messages(
        parsed.text, history=[(m.role, m.text) for m in past if m.status == "ok" and m.kind != "notice"],
        wardrobe_summary=answers.wardrobe_context(garments, photos),
    )
    on_step("Thinking")
    text = show_text(stream_text(deps.client(), model=deps.settings.chat_model, messages=messages,
                                 timeout_s=deps.settings.mistral_timeout_s))
    return [_reply(engine, user_id, text)]


def _find_products(engine: Engine, deps: ChatDeps, *, user_id: int, rec_id: int) -> list[str]:
    """Search the shops for a recommendation's piece; store the best 3 on it; return the notes."""
    from relookx.shop.search import find_products

    assert deps.sources is not None
    with session_scope(engine) as session:
        rec = history.get_recommendation(session, user_id=user_id, recommendation_id=rec_id)
        budget = rec.constraints.get("max_price") or store.get_profile(session, user_id=user_id).budget
    sources, notes = deps.sources()
    outcome = find_products(piece_of(rec), sources, budget=budget, limit=3)
    products = [{**r.product.to_dict(), "score": round(r.score, 3), "reasons": r.reasons} for r in outcome.ranked]
    with session_scope(engine) as session:
        history.set_products(session, user_id=user_id, recommendation_id=rec_id, products=products)
    return [*notes, *outcome.notes]


def _shop_answer(engine: Engine, deps: ChatDeps, *, user_id: int, on_step: Callable[[str], None]) -> ChatMessage:
    with session_scope(engine) as session:
        rec = history.latest_recommendation(session, user_id=user_id)
    if rec is None:
        return _reply(engine, user_id, "Ask me for a piece first, then I can look for it in shops.", "notice")
    if deps.sources is None:
        return _reply(engine, user_id, "Shop search is not available here.", "notice")
    on_step(f"Looking for the {rec.piece.get('name', 'piece')} in shops")
    notes = _find_products(engine, deps, user_id=user_id, rec_id=rec.id or 0)
    with session_scope(engine) as session:
        found = len(history.get_recommendation(session, user_id=user_id, recommendation_id=rec.id or 0).products)
    text = (f"Here is where to find the **{rec.piece.get('name')}**:" if found
            else f"I found nothing matching the **{rec.piece.get('name')}**.")
    if notes:
        text += "\n\n" + "\n".join(f"- {note}" for note in notes)
    return _reply(engine, user_id, text, "products", rec.id)


def _preview_answer(engine: Engine, deps: ChatDeps, *, user_id: int, on_step: Callable[[str], None]) -> ChatMessage:
    from relookx.preview import service

    if deps.storage is None:
        return _reply(engine, user_id, "Previews are not available here.", "notice")
    try:
        number, piece, rec_id = service.latest_target(engine, user_id=user_id)
    except RelookXError as exc:  # nothing to preview yet: an answer, not a failed turn
        return _reply(engine, user_id, str(exc), "notice")
    client = deps.webui() if deps.webui is not None else None
    on_step(f"Rendering the {piece.name} on image {number}" + ("" if client else " (offline mock-up)"))
    request = service.request_for(engine, deps.storage, user_id=user_id, photo_number=number, piece=piece)
    storage = deps.storage

    def save(result: Any) -> int:
        return service.save(engine, storage, user_id=user_id, photo_number=number, result=result, piece=piece,
                            recommendation_id=rec_id).id or 0

    if client is None:
        preview_id = save(service.generate(request, None))
    else:  # the shared webui: through its queue, one job at a time
        from relookx.preview.jobs import JobTarget, run_queued

        job = run_queued(engine, deps.settings, user_id, request, client, save=save,
                         target=JobTarget.of(request, photo_number=number, recommendation_id=rec_id),
                         on_update=lambda text: on_step(f"Rendering: {text}"))
        if job.status != "done" or job.preview_id is None:
            return _reply(engine, user_id, f"The preview did not finish ({job.status}): {job.error}", "notice")
        preview_id = job.preview_id
    with session_scope(engine) as session:
        preview = history.get_preview(session, user_id=user_id, preview_id=preview_id)
    what = "a mock-up (no Stable Diffusion webui is configured)" if preview.backend == "mockup" else "generated"
    text = f"Here you are wearing the **{piece.name}** on image {number}: {what}."
    if preview.warnings:
        text += "\n\n" + "\n".join(f"- {w}" for w in preview.warnings)
    with session_scope(engine) as session:
        message = history.add_message(session, user_id=user_id, role="assistant", text=text, kind="preview",
                                      recommendation_id=rec_id)
        message.preview_id = preview.id
        session.add(message)
        session.flush()
        return message
