"""Settings, read once from the environment (``HUB_*``), with embedded defaults.

Every setting is documented in the README's configuration table. A bad value fails at
start-up with a :class:`ConfigError` that names the variable, never later at first use.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import platformdirs

log = logging.getLogger("hub.config")

Environment = Literal["development", "production"]


class ConfigError(ValueError):
    """A setting in the environment is malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """The hub's configuration. Build it with :meth:`from_env`; tests use :func:`replace`."""

    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("recordhub")))
    host: str = "127.0.0.1"
    port: int = 8000
    env: Environment = "development"
    disabled_plugins: frozenset[str] = frozenset()
    token_ttl_hours: int = 24 * 30
    pool_min_size: int = 2
    pool_max_size: int = 10
    statement_timeout_ms: int = 15_000
    max_page_size: int = 100
    log_level: str = "INFO"

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
            log_level=_choice(
                "HUB_LOG_LEVEL", (env.get("HUB_LOG_LEVEL") or "").upper() or None,
                defaults.log_level, ("DEBUG", "INFO", "WARNING", "ERROR"),
            ),
        )._checked()

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
    "HUB_STATEMENT_TIMEOUT_MS", "HUB_LOG_LEVEL",
    # Read by the test suite, not by the hub; listed so the hub does not reject it.
    "HUB_TEST_DATABASE_URL",
})


def _database_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(("postgres://", "postgresql://")):
        raise ConfigError(
            "HUB_DATABASE_URL: expected a postgresql:// URL, e.g. "
            "postgresql://user:password@host:5432/recordhub"
        )
    return value


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


def _choice(name: str, value: str | None, default: str, allowed: tuple[str, ...]) -> str:  # type: ignore[return]
    if value is None or not value.strip():
        return default
    if value.strip() not in allowed:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value.strip()


def _names(value: str | None) -> frozenset[str]:
    if not value:
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())
