"""One small error hierarchy whose messages tell the user what to do."""

from __future__ import annotations


class RelookXError(Exception):
    """Base class: the message is meant to be shown to a user as it is."""


class ConfigError(RelookXError):
    """A setting is missing or invalid."""


class StoreUnavailableError(ConfigError):
    """The database cannot be reached (outage, refused login); the details go to the server log only."""


class AuthError(RelookXError):
    """Sign-up or sign-in refused (taken name, weak or wrong password)."""


class RateLimitedError(AuthError):
    """Too many attempts: refused until `retry_after_s` seconds have passed."""

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotFoundError(RelookXError):
    """A row the user asked for does not exist (or is not theirs)."""


class UploadError(RelookXError):
    """An uploaded file was refused (empty, not an image, too large, truncated, bomb)."""


class DuplicatePhotoError(UploadError):
    """The same photo was already uploaded by this user."""

    def __init__(self, message: str, *, number: int) -> None:
        super().__init__(message)
        self.number = number


class AnalysisError(RelookXError):
    """A photo could not be analysed (model error, invalid output, timeout)."""


class ServiceError(RelookXError):
    """An external service failed (HTTP error, timeout, connection refused)."""


class StorageError(ServiceError):
    """The object storage (data folder or bucket) is unreachable or refused an operation."""
