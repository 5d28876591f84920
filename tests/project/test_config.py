"""Settings from the environment: defaults, and a clear error naming each bad variable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hub.core.config import ConfigError, Settings
from tests.paths import ROOT


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None  # embedded PostgreSQL
    assert (settings.host, settings.port, settings.env) == ("127.0.0.1", 8000, "development")
    assert settings.disabled_plugins == frozenset()


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings = Settings.from_env({
        "HUB_DATABASE_URL": "postgresql://u:p@db:5432/hub", "HUB_DATA_DIR": str(tmp_path),
        "HUB_HOST": "0.0.0.0", "HUB_PORT": "9000", "HUB_ENV": "production",
        "HUB_DISABLED_PLUGINS": "hub_film, hub_music", "HUB_TOKEN_TTL_HOURS": "12",
        "HUB_DB_POOL_MIN": "1", "HUB_DB_POOL_MAX": "4", "HUB_STATEMENT_TIMEOUT_MS": "500",
        "HUB_LOG_LEVEL": "debug",
    })
    assert settings.database_url == "postgresql://u:p@db:5432/hub"
    assert settings.data_dir == tmp_path.resolve()
    assert (settings.host, settings.port, settings.env) == ("0.0.0.0", 9000, "production")
    assert settings.disabled_plugins == {"hub_film", "hub_music"}
    assert (settings.token_ttl_hours, settings.pool_min_size, settings.pool_max_size) == (12, 1, 4)
    assert (settings.statement_timeout_ms, settings.log_level) == (500, "DEBUG")
    assert settings.is_production


@pytest.mark.parametrize(("env", "message"), [
    ({"HUB_PORT": "eighty"}, "HUB_PORT: 'eighty' is not a whole number"),
    ({"HUB_PORT": "70000"}, "HUB_PORT: 70000 is outside 1..65535"),
    ({"HUB_ENV": "staging"}, "HUB_ENV: 'staging' is not one of development, production"),
    ({"HUB_DATABASE_URL": "mysql://x"}, "HUB_DATABASE_URL: expected a postgresql:// URL"),
    ({"HUB_DB_POOL_MIN": "9", "HUB_DB_POOL_MAX": "3"}, "HUB_DB_POOL_MIN: 9 is larger than"),
    ({"HUB_LOG_LEVEL": "LOUD"}, "HUB_LOG_LEVEL: 'LOUD' is not one of"),
])
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert str(error.value).startswith(message)


def test_data_dir_must_be_a_directory(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ConfigError, match="HUB_DATA_DIR: .* exists and is not a directory"):
        Settings.from_env({"HUB_DATA_DIR": str(file)})


def test_the_command_line_refuses_bad_settings_at_start_up() -> None:
    result = subprocess.run([sys.executable, "-m", "hub.cli", "serve"], capture_output=True,
                            text=True, env={"HUB_PORT": "nope", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "HUB_PORT: 'nope' is not a whole number" in result.stderr


def test_the_readme_names_every_setting() -> None:
    from hub.core.config import _KNOWN

    readme = (ROOT / "README.md").read_text()
    families = {"HUB_EVENT_": "HUB_EVENT_*", "HUB_WS_": "HUB_WS_*", "HUB_WEBHOOK_": "HUB_WEBHOOK_*"}
    missing = [
        name for name in sorted(_KNOWN)
        if f"`{name}`" not in readme
        and not any(name.startswith(p) and f"`{f}`" in readme for p, f in families.items())
    ]
    assert missing == []
