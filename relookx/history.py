"""Chat history, recommendations and workflow runs: user-scoped data functions.

Like `relookx.store`, every function takes the user id, never touches another user's rows, and
leaves the transaction to the caller.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from relookx.errors import NotFoundError, RelookXError
from relookx.models import ChatMessage, Preview, Recommendation, StylistRun


def add_message(
    session: Session, *, user_id: int, role: str, text: str, kind: str = "text",
    recommendation_id: int | None = None,
) -> ChatMessage:
    """Append one message to the user's chat history."""
    message = ChatMessage(user_id=user_id, role=role, text=text, kind=kind, recommendation_id=recommendation_id)
    session.add(message)
    session.flush()
    return message


def get_message(session: Session, *, user_id: int, message_id: int) -> ChatMessage:
    """One of the user's messages."""
    message = session.get(ChatMessage, message_id)
    if message is None or message.user_id != user_id:
        raise NotFoundError("This message does not exist.")
    return message


def mark_failed(session: Session, *, user_id: int, message_id: int, error: str) -> ChatMessage:
    """Keep the user's message, marked as failed with the error (it can be retried)."""
    message = get_message(session, user_id=user_id, message_id=message_id)
    message.status, message.error = "failed", error[:2000]
    session.add(message)
    session.flush()
    return message


def mark_answered(session: Session, *, user_id: int, message_id: int) -> ChatMessage:
    """Clear a message's failure once it has been answered."""
    message = get_message(session, user_id=user_id, message_id=message_id)
    message.status, message.error = "ok", ""
    session.add(message)
    session.flush()
    return message


def list_messages(session: Session, *, user_id: int, limit: int = 200) -> list[ChatMessage]:
    """The user's latest messages, oldest first."""
    rows = session.exec(
        select(ChatMessage).where(ChatMessage.user_id == user_id).order_by(col(ChatMessage.id).desc()).limit(limit)
    )
    return list(rows)[::-1]


def clear_messages(session: Session, *, user_id: int) -> int:
    """Delete the user's chat history (recommendations stay); returns how many messages went."""
    rows = list(session.exec(select(ChatMessage).where(ChatMessage.user_id == user_id)))
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def add_recommendation(session: Session, *, user_id: int, **fields: Any) -> Recommendation:
    """Store a recommendation."""
    rec = Recommendation(user_id=user_id, **fields)
    session.add(rec)
    session.flush()
    return rec


def get_recommendation(session: Session, *, user_id: int, recommendation_id: int) -> Recommendation:
    """One of the user's recommendations."""
    rec = session.get(Recommendation, recommendation_id)
    if rec is None or rec.user_id != user_id:
        raise NotFoundError(f"No recommendation {recommendation_id} in your history.")
    return rec


def list_recommendations(session: Session, *, user_id: int, limit: int = 50) -> list[Recommendation]:
    """The user's recommendations, newest first."""
    query = (select(Recommendation).where(Recommendation.user_id == user_id)
             .order_by(col(Recommendation.id).desc()).limit(limit))
    return list(session.exec(query))


def latest_recommendation(session: Session, *, user_id: int) -> Recommendation | None:
    """The user's most recent recommendation, if any."""
    recs = list_recommendations(session, user_id=user_id, limit=1)
    return recs[0] if recs else None


def recent_rules(session: Session, *, user_id: int, limit: int = 6) -> list[tuple[str, str]]:
    """(color rule, piece rule) of the user's latest recommendations, newest first."""
    return [(r.color_rule, r.piece_rule) for r in list_recommendations(session, user_id=user_id, limit=limit)]


def set_feedback(session: Session, *, user_id: int, recommendation_id: int, feedback: int) -> Recommendation:
    """Store thumbs up (1), thumbs down (-1) or no feedback (0) on a recommendation."""
    if feedback not in (-1, 0, 1):
        raise RelookXError("Feedback is 1 (thumbs up), -1 (thumbs down) or 0.")
    rec = get_recommendation(session, user_id=user_id, recommendation_id=recommendation_id)
    rec.feedback = feedback
    session.add(rec)
    session.flush()
    return rec


def add_run(session: Session, *, user_id: int, **fields: Any) -> StylistRun:
    """Store what one Mistral workflow run sent and received (distillation data)."""
    run = StylistRun(user_id=user_id, **fields)
    session.add(run)
    session.flush()
    return run


def list_runs(session: Session, *, user_id: int | None = None) -> list[StylistRun]:
    """Workflow runs, oldest first: one user's, or everyone's for the fine-tuning export (admin CLI)."""
    query = select(StylistRun).order_by(col(StylistRun.id))
    if user_id is not None:
        query = query.where(StylistRun.user_id == user_id)
    return list(session.exec(query))


def get_preview(session: Session, *, user_id: int, preview_id: int) -> Preview:
    """One of the user's previews."""
    preview = session.get(Preview, preview_id)
    if preview is None or preview.user_id != user_id:
        raise NotFoundError(f"No preview {preview_id} in your gallery.")
    return preview


def list_previews(session: Session, *, user_id: int, limit: int = 60) -> list[Preview]:
    """The user's previews, newest first."""
    query = select(Preview).where(Preview.user_id == user_id).order_by(col(Preview.id).desc()).limit(limit)
    return list(session.exec(query))


def delete_preview(session: Session, *, user_id: int, preview_id: int) -> Preview:
    """Remove a preview from the user's gallery; returns it (the caller removes its file if unused)."""
    preview = get_preview(session, user_id=user_id, preview_id=preview_id)
    session.delete(preview)
    session.flush()
    return preview


def preview_key_in_use(session: Session, *, image_key: str) -> bool:
    """True when any preview still points at this stored image."""
    return session.exec(select(Preview.id).where(Preview.image_key == image_key)).first() is not None


def set_products(session: Session, *, user_id: int, recommendation_id: int, products: list[dict[str, Any]]) -> None:
    """Store the matching products found for a recommendation."""
    rec = get_recommendation(session, user_id=user_id, recommendation_id=recommendation_id)
    rec.products = products
    session.add(rec)
    session.flush()
