"""Settings: one object read from secrets, then environment variables, then defaults.

The same names are used in `.streamlit/secrets.toml` and in the environment, for example
`MISTRAL_API_KEY` or `RELOOKX_DATA_DIR`. Nothing here imports streamlit: the app passes
`st.secrets` in as a plain mapping (see `relookx.ui.deps`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relookx.errors import ConfigError

ANALYZERS = ("auto", "offline", "mistral")


@dataclass(frozen=True)
class Setting:
    """Describes one setting: its key, default and what it is for (drives docs and tests)."""

    key: str
    attr: str
    default: Any
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("MISTRAL_API_KEY", "mistral_api_key", None,
            "Mistral API key. When set, photos are analysed by a Mistral vision model.", secret=True),
    Setting("MISTRAL_SERVER_URL", "mistral_server_url", None,
            "Mistral API host root (no /v1). Leave unset for https://api.mistral.ai."),
    Setting("RELOOKX_VISION_MODEL", "vision_model", "mistral-small-latest",
            "Vision-capable Mistral chat model used to analyse photos."),
    Setting("RELOOKX_CRITIC_MODEL", "critic_model", "mistral-small-latest",
            "Mistral chat model that writes the critique of an outfit."),
    Setting("RELOOKX_ADVISOR_MODEL", "advisor_model", "mistral-small-latest",
            "Mistral chat model that turns the critique into one recommended piece (structured JSON)."),
    Setting("RELOOKX_ROUTER_MODEL", "router_model", "ministral-8b-latest",
            "Small Mistral model asked only when a chat message is ambiguous."),
    Setting("RELOOKX_CHAT_MODEL", "chat_model", "mistral-small-latest",
            "Mistral chat model for general fashion talk."),
    Setting("RELOOKX_DIRECT_MODEL", "direct_model", None,
            "A fine-tuned model id: when set, recommendations take one call to it instead of two."),
    Setting("RELOOKX_ANALYZER", "analyzer", "auto",
            "Photo analyzer: auto (Mistral when a key is set, else offline), offline or mistral."),
    Setting("RELOOKX_MISTRAL_TIMEOUT_S", "mistral_timeout_s", 60.0,
            "Timeout of one Mistral call, in seconds."),
    Setting("RELOOKX_MISTRAL_RETRY_BUDGET_S", "mistral_retry_budget_s", 30.0,
            "Total time spent retrying a Mistral call after 429 or 5xx answers, in seconds."),
    Setting("RELOOKX_MISTRAL_RPS", "mistral_rps", 1.0,
            "Most Mistral requests per second, shared by all calls of this process (0: no limit)."),
    Setting("RELOOKX_ANALYSIS_WORKERS", "analysis_workers", 4,
            "Photos of one upload analysed at the same time."),
    Setting("RELOOKX_DATABASE_URL", "database_url", None,
            "SQLAlchemy URL of the store, e.g. postgresql+psycopg://user:pw@host/db. "
            "Default: SQLite at $RELOOKX_DATA_DIR/relookx.db.", secret=True),
    Setting("RELOOKX_DATA_DIR", "data_dir", "data",
            "Folder for the SQLite database, photos and thumbnails."),
    Setting("RELOOKX_MAX_UPLOAD_MB", "max_upload_mb", 20.0,
            "Largest photo accepted, in megabytes."),
    Setting("RELOOKX_MAX_IMAGE_PIXELS", "max_image_pixels", 50_000_000,
            "Largest photo accepted, in pixels: about what phones produce (protects against decompression bombs)."),
    Setting("RELOOKX_SHOPS", "shops", "",
            "Shops to search, comma-separated base URLs (Shopify or WooCommerce detected automatically). "
            "Empty: the bundled demo catalog."),
    Setting("RAPIDAPI_KEY", "rapidapi_key", None,
            "RapidAPI key: adds ASOS (asos2 API) to the shops searched.", secret=True),
    Setting("RELOOKX_SHOP_TIMEOUT_S", "shop_timeout_s", 10.0, "Timeout of one request to a shop, in seconds."),
    Setting("RELOOKX_SHOP_SPACING_S", "shop_spacing_s", 1.0,
            "Pause between two requests to the same shop, in seconds."),
    Setting("RELOOKX_SHOP_CACHE_TTL_S", "shop_cache_ttl_s", 21600.0,
            "How long shop answers are kept in the store's cache, in seconds."),
    Setting("RELOOKX_SD_URL", "sd_url", None,
            "URL of the AUTOMATIC1111 webui API (e.g. http://127.0.0.1:7860). With RELOOKX_SSH_HOST set, "
            "the webui is reached through the SSH tunnel instead."),
    Setting("RELOOKX_SD_AUTH", "sd_auth", None, "user:password of the webui's --api-auth, if any.", secret=True),
    Setting("RELOOKX_SD_TIMEOUT_S", "sd_timeout_s", 600.0,
            "Timeout of one generation, in seconds (the first one may load weights)."),
    Setting("RELOOKX_SSH_HOST", "ssh_host", None, "SSH gateway in front of the GPU workstation."),
    Setting("RELOOKX_SSH_PORT", "ssh_port", 22, "SSH port of the gateway."),
    Setting("RELOOKX_SSH_USER", "ssh_user", None, "SSH user on the gateway."),
    Setting("RELOOKX_SSH_KEY_PATH", "ssh_key_path", None, "Private key file for the gateway."),
    Setting("RELOOKX_SSH_PASSWORD", "ssh_password", None,
            "Password for the gateway (when no key), or the passphrase of an encrypted key.", secret=True),
    Setting("RELOOKX_SSH_KNOWN_HOSTS", "ssh_known_hosts", None,
            "known_hosts file that holds the gateway's host key."),
    Setting("RELOOKX_SSH_HOST_FINGERPRINT", "ssh_host_fingerprint", None,
            "The gateway's pinned host key fingerprint (SHA256:...), instead of a known_hosts file."),
    Setting("RELOOKX_SSH_REMOTE_HOST", "ssh_remote_host", "127.0.0.1",
            "Host of the webui as seen from the gateway."),
    Setting("RELOOKX_SSH_REMOTE_PORT", "ssh_remote_port", 7860, "Port of the webui as seen from the gateway."),
    Setting("RELOOKX_MIN_PASSWORD_LENGTH", "min_password_length", 8,
            "Shortest password accepted at sign-up."),
    Setting("RELOOKX_CLIENT_IP_HEADER", "client_ip_header", None,
            "Behind a reverse proxy: the header whose last address is the visitor's (e.g. X-Forwarded-For), "
            "for the sign-in limits per address. Unset: the connection's own address."),
    Setting("RELOOKX_ADMINS", "admins", "",
            "Comma-separated usernames who see infrastructure details (hosts, URLs, paths) on Home and Preview."),
    Setting("RELOOKX_S3_BUCKET", "s3_bucket", None,
            "S3-compatible bucket for photos, thumbnails, crops and previews. Unset: the local data dir."),
    Setting("RELOOKX_S3_ENDPOINT_URL", "s3_endpoint_url", None,
            "Endpoint of an S3-compatible service (R2, B2, MinIO...); unset for AWS S3."),
    Setting("RELOOKX_S3_REGION", "s3_region", None, "Region of the bucket (e.g. eu-west-3, or auto for R2)."),
    Setting("RELOOKX_S3_PREFIX", "s3_prefix", "", "Folder inside the bucket for RelookX's objects."),
    Setting("RELOOKX_S3_ACCESS_KEY_ID", "s3_access_key_id", None,
            "Access key id for the bucket (unset: boto3's usual AWS_* variables or instance role).", secret=True),
    Setting("RELOOKX_S3_SECRET_ACCESS_KEY", "s3_secret_access_key", None,
            "Secret access key for the bucket.", secret=True),
    Setting("RELOOKX_S3_TIMEOUT_S", "s3_timeout_s", 10.0,
            "Connect and read timeout of one bucket request, in seconds."),
)

URL_ATTRS = ("mistral_server_url", "sd_url", "shops", "database_url", "s3_endpoint_url")  # may hold user:password@


@dataclass(frozen=True)
class Settings:
    """Every setting of RelookX, resolved once and passed around."""

    mistral_api_key: str | None = None
    mistral_server_url: str | None = None
    vision_model: str = "mistral-small-latest"
    critic_model: str = "mistral-small-latest"
    advisor_model: str = "mistral-small-latest"
    router_model: str = "ministral-8b-latest"
    chat_model: str = "mistral-small-latest"
    direct_model: str | None = None
    analyzer: str = "auto"
    mistral_timeout_s: float = 60.0
    mistral_retry_budget_s: float = 30.0
    mistral_rps: float = 1.0
    analysis_workers: int = 4
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("data"))
    max_upload_mb: float = 20.0
    max_image_pixels: int = 50_000_000
    min_password_length: int = 8
    shops: str = ""
    rapidapi_key: str | None = None
    shop_timeout_s: float = 10.0
    shop_spacing_s: float = 1.0
    shop_cache_ttl_s: float = 21600.0
    sd_url: str | None = None
    sd_auth: str | None = None
    sd_timeout_s: float = 600.0
    ssh_host: str | None = None
    ssh_port: int = 22
    ssh_user: str | None = None
    ssh_key_path: str | None = None
    ssh_password: str | None = None
    ssh_known_hosts: str | None = None
    ssh_host_fingerprint: str | None = None
    ssh_remote_host: str = "127.0.0.1"
    ssh_remote_port: int = 7860
    client_ip_header: str | None = None
    admins: str = ""

    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_prefix: str = ""
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_timeout_s: float = 10.0
    def __repr__(self) -> str:
        """Every field, with secret settings hidden and credentials in URLs masked."""
        from relookx.redact import MASK, redact_text

        secret_attrs = {s.attr for s in SETTINGS if s.secret}
        shown = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in secret_attrs and value is not None:
                text = MASK
            elif f.name in URL_ATTRS and isinstance(value, str):
                text = repr(redact_text(value))
            else:
                text = repr(value)
            shown.append(f"{f.name}={text}")
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__

    @property
    def secret_values(self) -> list[str]:
        """The values of the secret settings (to mask them in any text shown)."""
        return [str(getattr(self, s.attr)) for s in SETTINGS if s.secret and getattr(self, s.attr)]

    @property
    def admin_usernames(self) -> frozenset[str]:
        """The usernames of RELOOKX_ADMINS, lower-cased."""
        return frozenset(u.strip().lower() for u in self.admins.split(",") if u.strip())

    def is_admin(self, username: str) -> bool:
        """True when `username` is listed in RELOOKX_ADMINS."""
        return username.strip().lower() in self.admin_usernames

    @property
    def shop_urls(self) -> list[str]:
        """The configured shops' base URLs."""
        return [u.strip().rstrip("/") for u in self.shops.replace("\n", ",").split(",") if u.strip()]

    @property
    def preview_configured(self) -> bool:
        """True when a webui is configured, directly or through SSH."""
        return bool(self.sd_url or self.ssh_host)

    @property
    def db_url(self) -> str:
        """The store's URL: the configured one, or SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'relookx.db').resolve()}"

    @property
    def store_backend(self) -> str:
        """A short name of the store backend, for status displays."""
        return self.db_url.split(":", 1)[0].split("+", 1)[0]

    @property
    def max_upload_bytes(self) -> int:
        """The upload size limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def mistral_configured(self) -> bool:
        """True when a Mistral API key is set."""
        return bool(self.mistral_api_key)

    @property
    def active_analyzer(self) -> str:
        """The analyzer that will run: 'mistral' or 'offline'."""
        if self.analyzer == "auto":
            return "mistral" if self.mistral_configured else "offline"
        return self.analyzer


def _coerce(raw: Any, default: Any, key: str) -> Any:
    if raw is None:
        return default
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return default
    try:
        if isinstance(default, bool):
            return str(raw).lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"Setting {key} must be a number, got {raw!r}.") from None
    return str(raw)


def load_settings(
    secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve every setting: secrets first, then environment variables, then defaults."""
    secrets = secrets or {}
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in SETTINGS:
        raw = secrets.get(s.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raw = environ.get(s.key)
        values[s.attr] = _coerce(raw, s.default, s.key)
    values["data_dir"] = Path(values["data_dir"]).expanduser()
    if values["analyzer"] not in ANALYZERS:
        raise ConfigError(
            f"RELOOKX_ANALYZER must be one of {', '.join(ANALYZERS)}, got {values['analyzer']!r}."
        )
    if values["analyzer"] == "mistral" and not values["mistral_api_key"]:
        raise ConfigError("RELOOKX_ANALYZER=mistral needs MISTRAL_API_KEY (secrets.toml or environment).")
    if values["mistral_rps"] < 0:
        raise ConfigError(f"RELOOKX_MISTRAL_RPS cannot be negative, got {values['mistral_rps']:g}.")
    if values["analysis_workers"] < 1:
        raise ConfigError(f"RELOOKX_ANALYSIS_WORKERS must be at least 1, got {values['analysis_workers']}.")
    if values["mistral_server_url"]:
        values["mistral_server_url"] = values["mistral_server_url"].rstrip("/")
        if values["mistral_server_url"].endswith("/v1"):
            values["mistral_server_url"] = values["mistral_server_url"][: -len("/v1")]
    return Settings(**values)


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of the settings with some fields changed (for the CLI and tests)."""
    return dataclasses.replace(settings, **changes)
