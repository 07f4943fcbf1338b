"""The recommendation workflow: read the outfit, choose the rules, critique (streamed), advise, store.

On the critical path a Mistral run makes two sequential calls (critic, advisor), or one with a
fine-tuned direct model; the offline stylist makes none. The rules are chosen here, not by a model,
so that the user's recent recommendations never repeat their rules.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from relookx import history, store
from relookx.config import Settings
from relookx.db import session_scope
from relookx.fashion.pieces import Piece, to_item
from relookx.items import list_items
from relookx.models import Recommendation
from relookx.stylist import palette
from relookx.stylist.rules import choose_rules
from relookx.stylist.types import Constraints, StyleRequest, Stylist


def make_stylist(settings: Settings) -> Stylist:
    """The Mistral critic -> advisor stylist when a key is set, the offline stylist otherwise."""
    if not settings.mistral_configured:
        from relookx.stylist.offline import OfflineStylist

        return OfflineStylist()
    from relookx.llm import make_client
    from relookx.stylist.mistral import MistralStylist

    return MistralStylist(
        make_client(settings), critic_model=settings.critic_model, advisor_model=settings.advisor_model,
        timeout_s=settings.mistral_timeout_s, direct_model=settings.direct_model,
    )


@dataclass
class Prepared:
    """A request ready for a stylist, and the photo it is about."""

    request: StyleRequest
    photo_id: int | None
    step_label: str


def prepare(
    session: Session, *, user_id: int, query: str, photo_number: int | None, constraints: Constraints,
    seed: int,
) -> Prepared:
    """Load the outfit, wardrobe and profile, and choose a color rule and a piece rule."""
    # What they own is their items (each piece once); a photo's outfit is what that photo shows.
    owned = [to_item(i) for i in list_items(session, user_id=user_id)]
    photo_id = None
    if photo_number is not None:
        photo = store.get_photo(session, user_id=user_id, number=photo_number)
        photo_id = photo.id
        items = [to_item(g) for g in store.list_garments(session, user_id=user_id, photo_id=photo.id)]
        label = f"Reading image {photo_number}"
    else:
        items = palette.wardrobe_sample(owned)
        label = "Reading your wardrobe"
    profile = store.get_profile(session, user_id=user_id).model_dump(exclude={"user_id", "updated_at"})
    recent = history.recent_rules(session, user_id=user_id)
    color_rule, piece_rule = choose_rules(recent=recent, constraints=constraints, outfit=items,
                                          rng=random.Random(seed))
    request = StyleRequest(
        query=query, outfit=items, wardrobe=owned, constraints=constraints,
        color_rule=color_rule, piece_rule=piece_rule, photo_number=photo_number, profile=profile, seed=seed,
    )
    return Prepared(request=request, photo_id=photo_id, step_label=label)


class _Timed:
    """Wraps the critique stream to time its first piece."""

    def __init__(self, chunks: Iterable[str], started: float) -> None:
        self.chunks, self.started = chunks, started
        self.first: float | None = None

    def __iter__(self) -> Iterator[str]:
        for chunk in self.chunks:
            if self.first is None and chunk:
                self.first = time.perf_counter() - self.started
            yield chunk


def consume(chunks: Iterable[str]) -> str:
    """Read a stream of text to the end (when nobody displays it)."""
    return "".join(chunks)


def recommend(
    engine: Engine, stylist: Stylist, *, user_id: int, query: str, photo_number: int | None = None,
    constraints: Constraints | None = None, seed: int | None = None,
    on_step: Callable[[str], None] = lambda _label: None,
    show_critique: Callable[[Iterable[str]], str] = consume,
) -> Recommendation:
    """Run the whole workflow and store the recommendation (and, for Mistral, the run).

    `show_critique` receives the streamed critique and returns its full text (the chat page passes
    `st.write_stream`). Errors of the stylist propagate (ServiceError, NotFoundError): nothing is stored.
    """
    seed = secrets.randbelow(2**31) if seed is None else seed
    constraints = constraints or Constraints()
    started = time.perf_counter()
    with session_scope(engine) as session:
        prepared = prepare(session, user_id=user_id, query=query, photo_number=photo_number,
                           constraints=constraints, seed=seed)
    on_step(prepared.step_label)
    request = prepared.request
    timings: dict[str, float] = {"prepare_s": time.perf_counter() - started}
    direct = getattr(stylist, "direct_model", None)
    if direct:
        on_step("Choosing a piece (fine-tuned model)")
        piece = stylist.recommend_direct(request)  # type: ignore[attr-defined]
        critique, calls = piece.reason, 1
        timings["advice_s"] = time.perf_counter() - started - timings["prepare_s"]
    else:
        on_step("Critiquing")
        t0 = time.perf_counter()
        timed = _Timed(stylist.critique(request), t0)
        critique = show_critique(timed)
        timings["critique_s"] = time.perf_counter() - t0
        timings["first_token_s"] = timed.first if timed.first is not None else timings["critique_s"]
        on_step("Choosing a piece")
        t1 = time.perf_counter()
        piece = stylist.advise(request, critique)
        timings["advice_s"] = time.perf_counter() - t1
        calls = 0 if stylist.name == "offline" else 2
    timings["total_s"] = time.perf_counter() - started
    harmony = palette.harmony(request.outfit)
    backend = f"{stylist.name}-direct" if direct else stylist.name
    with session_scope(engine) as session:
        rec = history.add_recommendation(
            session, user_id=user_id, photo_id=prepared.photo_id, photo_number=photo_number, query=query,
            constraints=asdict(constraints), color_rule=request.color_rule, piece_rule=request.piece_rule,
            critique=critique, piece=piece.to_dict(), harmony_score=harmony.score,
            harmony_reasons=harmony.reasons, backend=backend, seed=seed, calls=calls, timings=timings,
        )
        if stylist.name == "mistral":
            history.add_run(session, user_id=user_id, recommendation_id=rec.id, backend=backend,
                            models=_models(stylist), request=_request_dict(request), critique=critique,
                            output=piece.to_dict(), example=_example(request, critique, piece), timings=timings)
    return rec


def _models(stylist: Stylist) -> dict[str, str]:
    keys = ("critic_model", "advisor_model", "direct_model")
    return {k: str(getattr(stylist, k)) for k in keys if getattr(stylist, k, None)}


def _request_dict(request: StyleRequest) -> dict[str, Any]:
    data = asdict(request)
    data["wardrobe"] = len(request.wardrobe)  # the size only: the run must stay small
    return data


def _example(request: StyleRequest, critique: str, piece: Piece) -> dict[str, Any]:
    from relookx.stylist.mistral import training_example

    return training_example(request, critique, piece)
