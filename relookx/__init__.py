"""RelookX: an AI wardrobe assistant (photos -> garments -> wardrobe, stylist, shop, preview)."""

__version__ = "0.1.0"
