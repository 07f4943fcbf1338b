"""Picks the photo analyzer the settings ask for."""

from __future__ import annotations

from relookx.config import Settings
from relookx.vision.base import OutfitAnalyzer


def make_analyzer(settings: Settings) -> OutfitAnalyzer:
    """The offline analyzer, or the Mistral one when a key is set (see `Settings.active_analyzer`)."""
    from relookx.vision.offline import OfflineAnalyzer

    offline = OfflineAnalyzer()
    if settings.active_analyzer == "offline":
        return offline
    from relookx.llm import make_client
    from relookx.vision.mistral import MistralAnalyzer

    return MistralAnalyzer(
        make_client(settings), model=settings.vision_model, timeout_s=settings.mistral_timeout_s,
        locate=offline.locate,
    )
