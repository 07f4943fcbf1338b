"""Photo analysis: one `OutfitAnalyzer` interface, a Mistral and an offline implementation."""

from relookx.vision.base import AnalysisResult, GarmentDraft, OutfitAnalyzer

__all__ = ["AnalysisResult", "GarmentDraft", "OutfitAnalyzer"]
