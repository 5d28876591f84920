"""Settings, read once from the environment (``HUB_*``), with embedded defaults.

Every setting is documented in the README's configuration table. A bad value fails at
start-up with a :class:`ConfigError` that names the variable, never later at first use.

(Over 400 lines: every setting in one place, each with its default, parser and bounds, in
the order of the README's table — one file to read when a setting is added or changed.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar

import platformdirs

log = logging.getLogger("hub.core.config")

Environment = Literal["development", "production"]


class ConfigError(ValueError):
    """A setting in the environment is malformed; the message names the variable."""


@dataclass(frozen=True)
class Security:
    """Limits and protections of the public endpoint (README, section Security).

    Defaults are far above what the frontend operations in ``schema/operations`` need (the
    record page has depth 6 and cost ~40) and far below what hurts the hub.
    """

    max_depth: int = 12
    max_aliases: int = 30
    max_directives: int = 50
    max_root_fields: int = 20
    # Lists are priced at their caps (hub/limits.py): the record page's lineage panel, whose
    # lists may hold 10,000 entries, costs about 133,000 at worst.
    max_cost: int = 200_000
    max_body_bytes: int = 1024 * 1024
    # Slow clients (hub/cli.py serves with these): a request's head must arrive within
    # header_timeout_s, its body within body_timeout_s; one address holds at most
    # max_connections_per_address open connections.
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections_per_address: int = 64
    introspection: bool = True
    trusted_documents: Path | None = None
    persisted_queries: bool = False
    login_attempts_per_minute: int = 10
    mutations_per_minute: int = 120
    # New comments and replies per member per minute (floods), within mutations_per_minute.
    comments_per_minute: int = 10
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str], production: bool) -> Security:
        d = cls()
        trusted = env.get("HUB_TRUSTED_DOCUMENTS", "").strip()
        if trusted and not Path(trusted).is_file():
            raise ConfigError(f"HUB_TRUSTED_DOCUMENTS: {trusted!r} is not a file")
        return cls(
            max_depth=_int("HUB_MAX_DEPTH", env.get("HUB_MAX_DEPTH"), d.max_depth, 2, 100),
            max_aliases=_int("HUB_MAX_ALIASES", env.get("HUB_MAX_ALIASES"), d.max_aliases, 0, 1000),
            max_directives=_int(
                "HUB_MAX_DIRECTIVES", env.get("HUB_MAX_DIRECTIVES"), d.max_directives, 0, 1000
            ),
            max_root_fields=_int(
                "HUB_MAX_ROOT_FIELDS", env.get("HUB_MAX_ROOT_FIELDS"), d.max_root_fields, 1, 1000
            ),
            max_cost=_int("HUB_MAX_COST", env.get("HUB_MAX_COST"), d.max_cost, 10, 10**9),
            max_body_bytes=_int(
                "HUB_MAX_BODY_BYTES", env.get("HUB_MAX_BODY_BYTES"), d.max_body_bytes,
                1024, 2**31,
            ),
            introspection=_bool(
                "HUB_INTROSPECTION", env.get("HUB_INTROSPECTION"), default=not production
            ),
            trusted_documents=Path(trusted).resolve() if trusted else None,
            persisted_queries=_bool(
                "HUB_PERSISTED_QUERIES", env.get("HUB_PERSISTED_QUERIES"), default=False
            ),
            login_attempts_per_minute=_int(
                "HUB_LOGIN_ATTEMPTS_PER_MINUTE", env.get("HUB_LOGIN_ATTEMPTS_PER_MINUTE"),
                d.login_attempts_per_minute, 1, 10**6,
            ),
            mutations_per_minute=_int(
                "HUB_MUTATIONS_PER_MINUTE", env.get("HUB_MUTATIONS_PER_MINUTE"),
                d.mutations_per_minute, 1, 10**6,
            ),
            comments_per_minute=_int(
                "HUB_COMMENTS_PER_MINUTE", env.get("HUB_COMMENTS_PER_MINUTE"),
                d.comments_per_minute, 1, 10**6,
            ),
            cors_origins=tuple(sorted(_names(env.get("HUB_CORS_ORIGINS")))),
            header_timeout_s=_float("HUB_HEADER_TIMEOUT_S", env.get("HUB_HEADER_TIMEOUT_S"),
                                    d.header_timeout_s, 0.1, 3600),
            body_timeout_s=_float("HUB_BODY_TIMEOUT_S", env.get("HUB_BODY_TIMEOUT_S"),
                                  d.body_timeout_s, 0.1, 3600),
            max_connections_per_address=_int(
                "HUB_MAX_CONNECTIONS_PER_ADDRESS", env.get("HUB_MAX_CONNECTIONS_PER_ADDRESS"),
                d.max_connections_per_address, 1, 100_000,
            ),
        )


@dataclass(frozen=True)
class Settings:
    """The hub's configuration. Build it with :meth:`from_env`; tests use :func:`replace`."""

    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("recordhub")))
    host: str = "127.0.0.1"
    port: int = 8000
    env: Environment = "development"
    disabled_plugins: frozenset[str] = frozenset()
    # HUB_PLUGINS: the only entry points to load (an allow-list); None loads every one.
    enabled_plugins: frozenset[str] | None = None
    token_ttl_hours: int = 24 * 30
    pool_min_size: int = 2
    pool_max_size: int = 10
    # Writes (every statement inside a transaction) and reads (every other statement: queries,
    # and the compiled path's one statement) have their own PostgreSQL statement_timeout.
    statement_timeout_ms: int = 15_000
    read_statement_timeout_ms: int = 5_000
    max_page_size: int = 100
    max_sources: int = 50
    log_level: str = "INFO"
    security: Security = field(default_factory=Security)
    storage_url: str | None = None
    secret_key: str | None = None
    # GraphQL's Int (MediaFile.size) is 32-bit: files stay below 2**31 bytes.
    max_upload_bytes: int = 2_000_000_000
    # Every part of one multipart request together; room for the largest file and its JSON.
    max_upload_request_bytes: int = 2_100_000_000
    # Multipart requests being read at once (in each hub process), per member and per address.
    uploads_per_member: int = 2
    uploads_per_address: int = 4
    # Real time (hub/realtime): outbox retention, WebSocket limits, event delivery to plugins.
    event_retention_hours: int = 24 * 7
    ws_max_subscriptions: int = 50
    ws_queue_size: int = 256
    ws_heartbeat_seconds: int = 20
    # Delivery groups whose payloads one SQL statement builds (hub/realtime/batches.py).
    subscription_batch_size: int = 100
    event_poll_ms: int = 2000
    event_max_attempts: int = 8
    event_retry_base_ms: int = 500
    # Read-only operations whose fields all have SQL twins run as one statement (hub/compiled).
    compiled_queries: bool = True
    # Pruning (hub/realtime/pruning.py): how long event_failures rows and event_deliveries
    # (the delivered markers) are kept, and how often every instance prunes.
    event_failure_retention_hours: int = 24 * 30
    delivery_retention_hours: int = 24 * 7
    prune_interval_seconds: int = 600
    # /metrics (hub/http/metrics.py): a bearer token; unset, open in development, off in production.
    metrics_token: str | None = None
    # /metrics on its own (host, port) instead of the hub's address (HUB_METRICS_LISTEN).
    metrics_listen: tuple[str, int] | None = None
    # Read replicas (hub/core/db/replicas.py): compiled reads may run there; a replica further
    # behind the primary than replica_max_lag_ms is not used.
    database_replica_urls: tuple[str, ...] = ()
    replica_max_lag_ms: int = 5_000
    # Hearts and views (hub/domain/community): hearts of accounts younger than this do not
    # count toward FRESH; the view buffer is written this often.
    heart_min_account_age_hours: int = 72
    view_flush_ms: int = 5000
    # The response cache of anonymous reads (hub/http/response_cache.py): max-age of the
    # public Cache-Control of anonymous GET answers; how long, how many and how many bytes of
    # compiled answers each instance keeps (entries 0: none).
    cache_max_age: int = 0
    cache_seconds: int = 60
    cache_entries: int = 10_000
    cache_bytes: int = 64 * 1024 * 1024
    # Notifications' email digest (hub/realtime/digest.py, the hub_notify hook): the UTC hour
    # it is sent at, and the hub's address as its readers reach it (the unsubscribe link);
    # None: http://HUB_HOST:HUB_PORT.
    digest_hour: int = 7
    public_url: str | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``HUB_*`` variable, validating each. Unknown ``HUB_*`` names are logged
        as warnings (a typo should not pass silently), not refused: other tools, such as
        GitHub's ``hub`` CLI, use the same prefix."""
        env = os.environ if environ is None else environ
        for name in sorted(n for n in env if n.startswith("HUB_") and n not in _KNOWN):
            log.warning("%s: not a recordhub setting (known: %s)", name, ", ".join(sorted(_KNOWN)))
        defaults = cls()
        return replace(
            defaults,
            database_url=_database_url(env.get("HUB_DATABASE_URL")),
            data_dir=_path("HUB_DATA_DIR", env.get("HUB_DATA_DIR"), defaults.data_dir),
            host=env.get("HUB_HOST", defaults.host).strip() or defaults.host,
            port=_int("HUB_PORT", env.get("HUB_PORT"), defaults.port, 1, 65535),
            env=_choice("HUB_ENV", env.get("HUB_ENV"), defaults.env, ("development", "production")),
            disabled_plugins=_names(env.get("HUB_DISABLED_PLUGINS")),
            enabled_plugins=_names(env.get("HUB_PLUGINS")) or None,
            token_ttl_hours=_int(
                "HUB_TOKEN_TTL_HOURS", env.get("HUB_TOKEN_TTL_HOURS"), defaults.token_ttl_hours,
                1, 24 * 366,
            ),
            pool_min_size=_int(
                "HUB_DB_POOL_MIN", env.get("HUB_DB_POOL_MIN"), defaults.pool_min_size, 0, 1000
            ),
            pool_max_size=_int(
                "HUB_DB_POOL_MAX", env.get("HUB_DB_POOL_MAX"), defaults.pool_max_size, 1, 1000
            ),
            statement_timeout_ms=_int(
                "HUB_STATEMENT_TIMEOUT_MS", env.get("HUB_STATEMENT_TIMEOUT_MS"),
                defaults.statement_timeout_ms, 100, 3_600_000,
            ),
            read_statement_timeout_ms=_int(
                "HUB_READ_STATEMENT_TIMEOUT_MS", env.get("HUB_READ_STATEMENT_TIMEOUT_MS"),
                defaults.read_statement_timeout_ms, 1, 3_600_000,
            ),
            max_sources=_int(
                "HUB_MAX_SOURCES", env.get("HUB_MAX_SOURCES"), defaults.max_sources, 1, 1000
            ),
            log_level=_choice(
                "HUB_LOG_LEVEL", (env.get("HUB_LOG_LEVEL") or "").upper() or None,
                defaults.log_level, ("DEBUG", "INFO", "WARNING", "ERROR"),
            ),
            security=Security.from_env(env, production=env.get("HUB_ENV") == "production"),
            storage_url=_storage_url(env.get("HUB_STORAGE_URL")),
            secret_key=_secret_key(env.get("HUB_SECRET_KEY")),
            max_upload_bytes=_int(
                "HUB_MAX_UPLOAD_BYTES", env.get("HUB_MAX_UPLOAD_BYTES"),
                defaults.max_upload_bytes, 1, 2**31 - 1,
            ),
            max_upload_request_bytes=_int(
                "HUB_MAX_UPLOAD_REQUEST_BYTES", env.get("HUB_MAX_UPLOAD_REQUEST_BYTES"),
                defaults.max_upload_request_bytes, 1024, 2**40,
            ),
            uploads_per_member=_int(
                "HUB_UPLOADS_PER_MEMBER", env.get("HUB_UPLOADS_PER_MEMBER"),
                defaults.uploads_per_member, 1, 10_000,
            ),
            uploads_per_address=_int(
                "HUB_UPLOADS_PER_ADDRESS", env.get("HUB_UPLOADS_PER_ADDRESS"),
                defaults.uploads_per_address, 1, 100_000,
            ),
            compiled_queries=_bool(
                "HUB_COMPILED_QUERIES", env.get("HUB_COMPILED_QUERIES"),
                default=defaults.compiled_queries,
            ),
            metrics_token=_metrics_token(env.get("HUB_METRICS_TOKEN")),
            metrics_listen=_listen("HUB_METRICS_LISTEN", env.get("HUB_METRICS_LISTEN")),
            database_replica_urls=_replica_urls(env.get("HUB_DATABASE_REPLICA_URLS")),
            replica_max_lag_ms=_int(
                "HUB_REPLICA_MAX_LAG_MS", env.get("HUB_REPLICA_MAX_LAG_MS"),
                defaults.replica_max_lag_ms, 10, 3_600_000,
            ),
            heart_min_account_age_hours=_int(
                "HUB_HEART_MIN_ACCOUNT_AGE_HOURS", env.get("HUB_HEART_MIN_ACCOUNT_AGE_HOURS"),
                defaults.heart_min_account_age_hours, 0, 24 * 3660,
            ),
            view_flush_ms=_int(
                "HUB_VIEW_FLUSH_MS", env.get("HUB_VIEW_FLUSH_MS"), defaults.view_flush_ms,
                10, 3_600_000,
            ),
            digest_hour=_int("HUB_DIGEST_HOUR", env.get("HUB_DIGEST_HOUR"), defaults.digest_hour,
                             0, 23),
            public_url=_public_url(env.get("HUB_PUBLIC_URL")),
            **_realtime(env, defaults),
            **_cache(env, defaults),
        )._checked()

    @property
    def base_url(self) -> str:
        """Where readers reach this hub (links in emails): ``HUB_PUBLIC_URL`` or host:port."""
        return self.public_url or f"http://{self.host}:{self.port}"

    def _checked(self) -> Settings:
        if self.pool_min_size > self.pool_max_size:
            raise ConfigError(
                f"HUB_DB_POOL_MIN: {self.pool_min_size} is larger than HUB_DB_POOL_MAX "
                f"({self.pool_max_size})"
            )
        return self


_KNOWN = frozenset({
    "HUB_DATABASE_URL", "HUB_DATA_DIR", "HUB_HOST", "HUB_PORT", "HUB_ENV",
    "HUB_DISABLED_PLUGINS", "HUB_TOKEN_TTL_HOURS", "HUB_DB_POOL_MIN", "HUB_DB_POOL_MAX",
    "HUB_STATEMENT_TIMEOUT_MS", "HUB_READ_STATEMENT_TIMEOUT_MS", "HUB_LOG_LEVEL", "HUB_MAX_SOURCES",
    "HUB_MAX_DEPTH", "HUB_MAX_ALIASES", "HUB_MAX_DIRECTIVES", "HUB_MAX_ROOT_FIELDS",
    "HUB_MAX_COST", "HUB_MAX_BODY_BYTES", "HUB_INTROSPECTION",
    "HUB_TRUSTED_DOCUMENTS", "HUB_PERSISTED_QUERIES", "HUB_LOGIN_ATTEMPTS_PER_MINUTE",
    "HUB_MUTATIONS_PER_MINUTE", "HUB_COMMENTS_PER_MINUTE", "HUB_CORS_ORIGINS",
    "HUB_HEADER_TIMEOUT_S", "HUB_BODY_TIMEOUT_S", "HUB_MAX_CONNECTIONS_PER_ADDRESS",
    "HUB_STORAGE_URL", "HUB_SECRET_KEY", "HUB_MAX_UPLOAD_BYTES",
    "HUB_MAX_UPLOAD_REQUEST_BYTES", "HUB_UPLOADS_PER_MEMBER", "HUB_UPLOADS_PER_ADDRESS",
    "HUB_EVENT_RETENTION_HOURS", "HUB_WS_MAX_SUBSCRIPTIONS", "HUB_WS_QUEUE_SIZE",
    "HUB_WS_HEARTBEAT_SECONDS", "HUB_EVENT_POLL_MS", "HUB_EVENT_MAX_ATTEMPTS",
    "HUB_EVENT_RETRY_BASE_MS", "HUB_COMPILED_QUERIES",
    "HUB_PLUGINS",
    "HUB_EVENT_FAILURE_RETENTION_HOURS", "HUB_DELIVERY_RETENTION_HOURS",
    "HUB_PRUNE_INTERVAL_SECONDS", "HUB_METRICS_TOKEN", "HUB_METRICS_LISTEN",
    "HUB_DATABASE_REPLICA_URLS", "HUB_REPLICA_MAX_LAG_MS",
    "HUB_HEART_MIN_ACCOUNT_AGE_HOURS", "HUB_VIEW_FLUSH_MS",
    "HUB_CACHE_MAX_AGE", "HUB_CACHE_SECONDS", "HUB_CACHE_ENTRIES", "HUB_CACHE_BYTES",
    "HUB_DIGEST_HOUR", "HUB_PUBLIC_URL",
    # Read by the first-party hub_email_digest plugin (plugins/hub_email_digest).
    "HUB_SMTP_HOST", "HUB_SMTP_PORT", "HUB_SMTP_FROM",
    # Read by the first-party hub_webhooks plugin (plugins/hub_webhooks).
    "HUB_WEBHOOK_URLS", "HUB_WEBHOOK_SECRET", "HUB_WEBHOOK_TIMEOUT_SECONDS",
    # Read by the test suite, not by the hub; listed so the hub does not reject it.
    "HUB_TEST_DATABASE_URL",
})


def _public_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError("HUB_PUBLIC_URL: expected an http(s):// URL, e.g. "
                          "https://hub.example.org")
    return value


def _database_url(value: str | None, name: str = "HUB_DATABASE_URL") -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(("postgres://", "postgresql://")):
        raise ConfigError(
            f"{name}: expected a postgresql:// URL, e.g. "
            "postgresql://user:password@host:5432/recordhub"
        )
    return value


def _replica_urls(value: str | None) -> tuple[str, ...]:
    """Comma-separated ``postgresql://`` URLs of streaming replicas of the primary."""
    urls = (_database_url(part, "HUB_DATABASE_REPLICA_URLS") for part in (value or "").split(","))
    return tuple(url for url in urls if url)


def _listen(name: str, value: str | None) -> tuple[str, int] | None:
    """``host:port`` (``[::1]:9100`` for IPv6), or None when unset."""
    if value is None or not value.strip():
        return None
    host, colon, port = value.strip().rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name}: expected host:port, e.g. 127.0.0.1:9100, got {value!r}")
    return host.strip("[]"), int(port)


def _path(name: str, value: str | None, default: Path) -> Path:
    if value is None or not value.strip():
        return default
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{name}: {value!r} exists and is not a directory")
    return path.resolve()


def _int(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise ConfigError(f"{name}: {number} is outside {low}..{high}")
    return number


def _float(name: str, value: str | None, default: float, low: float, high: float) -> float:
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a number") from None
    if not low <= number <= high:  # also refuses nan
        raise ConfigError(f"{name}: {number} is outside {low}..{high}")
    return number


C = TypeVar("C", bound=str)  # one of a setting's allowed literal values


def _choice(name: str, value: str | None, default: C, allowed: tuple[C, ...]) -> C:
    if value is None or not value.strip():
        return default
    for choice in allowed:
        if value.strip() == choice:
            return choice
    raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")


def _storage_url(value: str | None) -> str | None:
    """``s3://bucket[/prefix][?endpoint_url=…&region=…]``; unset means local blobs under
    HUB_DATA_DIR. Checked here so that a typo stops start-up, not the first upload."""
    from urllib.parse import parse_qs, urlsplit

    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigError(f"HUB_STORAGE_URL: {value!r} is not an s3://bucket/prefix URL")
    unknown = set(parse_qs(parts.query)) - {"endpoint_url", "region"}
    if unknown:
        raise ConfigError(f"HUB_STORAGE_URL: unknown parameter(s) {', '.join(sorted(unknown))} "
                          "(known: endpoint_url, region)")
    return value.strip()


def _secret_key(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) < 32:
        raise ConfigError("HUB_SECRET_KEY: use at least 32 random characters "
                          "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    return value.strip()


def _bool(name: str, value: str | None, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {value!r} is not a boolean (true/false)")


_REALTIME_LIMITS: dict[str, tuple[str, int, int]] = {
    # setting: (variable, lowest, highest)
    "event_retention_hours": ("HUB_EVENT_RETENTION_HOURS", 1, 24 * 366),
    "ws_max_subscriptions": ("HUB_WS_MAX_SUBSCRIPTIONS", 1, 10_000),
    "ws_queue_size": ("HUB_WS_QUEUE_SIZE", 1, 100_000),
    "ws_heartbeat_seconds": ("HUB_WS_HEARTBEAT_SECONDS", 1, 3600),
    "subscription_batch_size": ("HUB_SUBSCRIPTION_BATCH_SIZE", 1, 10_000),
    "event_poll_ms": ("HUB_EVENT_POLL_MS", 10, 600_000),
    "event_max_attempts": ("HUB_EVENT_MAX_ATTEMPTS", 1, 100),
    "event_retry_base_ms": ("HUB_EVENT_RETRY_BASE_MS", 1, 600_000),
    "event_failure_retention_hours": ("HUB_EVENT_FAILURE_RETENTION_HOURS", 1, 24 * 3660),
    "delivery_retention_hours": ("HUB_DELIVERY_RETENTION_HOURS", 1, 24 * 3660),
    "prune_interval_seconds": ("HUB_PRUNE_INTERVAL_SECONDS", 1, 86_400),
}


def _realtime(env: Mapping[str, str], defaults: Settings) -> dict[str, int]:
    """The real-time settings: how long events stay resumable (``HUB_EVENT_RETENTION_HOURS``),
    subscriptions per WebSocket (``HUB_WS_MAX_SUBSCRIPTIONS``), events buffered per
    subscription before a slow client is cut off (``HUB_WS_QUEUE_SIZE``), the WebSocket ping
    interval (``HUB_WS_HEARTBEAT_SECONDS``), the listener's and dispatcher's safety poll
    (``HUB_EVENT_POLL_MS``), and plugin event delivery: attempts per event
    (``HUB_EVENT_MAX_ATTEMPTS``) and the first retry delay, doubled each time
    (``HUB_EVENT_RETRY_BASE_MS``); pruning: how long refused events and delivered markers are
    kept (``HUB_EVENT_FAILURE_RETENTION_HOURS``, ``HUB_DELIVERY_RETENTION_HOURS``) and how
    often it runs (``HUB_PRUNE_INTERVAL_SECONDS``)."""
    return {
        key: _int(name, env.get(name), getattr(defaults, key), low, high)
        for key, (name, low, high) in _REALTIME_LIMITS.items()
    }


_CACHE_LIMITS: dict[str, tuple[str, int, int]] = {
    "cache_max_age": ("HUB_CACHE_MAX_AGE", 0, 86_400),
    "cache_seconds": ("HUB_CACHE_SECONDS", 1, 86_400),
    "cache_entries": ("HUB_CACHE_ENTRIES", 0, 10_000_000),
    "cache_bytes": ("HUB_CACHE_BYTES", 0, 2**40),
}


def _cache(env: Mapping[str, str], defaults: Settings) -> dict[str, int]:
    """The response cache: ``max-age`` of anonymous GET answers (``HUB_CACHE_MAX_AGE``), and
    how long (``HUB_CACHE_SECONDS``), how many (``HUB_CACHE_ENTRIES``, 0: off) and how many
    bytes (``HUB_CACHE_BYTES``) of compiled anonymous answers each instance keeps."""
    return {
        key: _int(name, env.get(name), getattr(defaults, key), low, high)
        for key, (name, low, high) in _CACHE_LIMITS.items()
    }


MIN_METRICS_TOKEN = 16


def _metrics_token(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value.strip()) < MIN_METRICS_TOKEN:
        raise ConfigError(f"HUB_METRICS_TOKEN: use at least {MIN_METRICS_TOKEN} characters")
    return value.strip()


def _names(value: str | None) -> frozenset[str]:
    if not value:
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())
