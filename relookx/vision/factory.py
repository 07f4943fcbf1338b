"""Picks the photo analyzer the settings ask for."""

from __future__ import annotations

from relookx.config import Settings
from relookx.vision.base import OutfitAnalyzer


def make_analyzer(settings: Settings) -> OutfitAnalyzer:
    """The offline analyzer, or the Mistral one when a key is set (see `Settings.active_analyzer`)."""
    if settings.active_analyzer == "offline":
        from relookx.vision.offline import OfflineAnalyzer

        return OfflineAnalyzer()
    from relookx.llm import make_client
    from relookx.vision.mistral import MistralAnalyzer

    return MistralAnalyzer(
        make_client(settings), model=settings.vision_model, timeout_s=settings.mistral_timeout_s
    )
