"""Every ``teren-sync serve`` option is also an environment variable, documented in README's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.server.cli import main, parser
from sync.server.serve import settings_from
from sync.server.settings import ServeSettings, database_location, env_name, markdown_table

ROOT = Path(__file__).resolve().parents[2]

#: A value other than the default for each setting, as a variable and as an option would say it.
OTHER = {
    "db": "postgresql://teren@db:5432/teren",
    "host": "0.0.0.0",
    "port": "9000",
    "public_url": "https://sync.example.pl",
    "insecure_http": "true",
    "forwarded_allow_ips": "10.0.0.0/8",
    "allowed_origins": "https://panel.example.pl,https://mapa.example.pl",
    "workers": "3",
    "migrate": "false",
    "log_level": "debug",
    "log_format": "json",
    "access_log": "false",
    "metrics": "false",
    "metrics_token": "s3cret",
    "files_dir": "/var/lib/teren/files",
    "max_file_mb": "5",
    "files_s3_bucket": "teren-files",
    "files_s3_endpoint": "https://s3.lodz.example.pl",
    "min_app_version": "0.2.0",
    "retention_every_minutes": "0",
    "retention_no_consent_days": "90",
    "retention_consent_days": "730",
    "retention_deleted_days": "7",
    "retention_log_days": "180",
}


def _values(settings: ServeSettings) -> dict[str, object]:
    values = settings.model_dump()
    values["metrics_token"] = settings.metrics_token and settings.metrics_token.get_secret_value()
    return values


def _serve_args(*args: str) -> ServeSettings:
    return settings_from(parser().parse_args([*args]))


def test_every_setting_has_a_variable_and_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(OTHER) == set(ServeSettings.model_fields)
    defaults = _values(_serve_args("serve"))
    for name, value in OTHER.items():
        monkeypatch.setenv(env_name(name), value)
    from_env = _values(_serve_args("serve"))
    assert all(from_env[name] != defaults[name] for name in OTHER), "a variable was not heard"
    assert from_env["allowed_origins"] == ["https://panel.example.pl", "https://mapa.example.pl"]
    assert (from_env["port"], from_env["workers"], from_env["migrate"]) == (9000, 3, False)

    options = [
        "--db", "other.db", "serve", "--host", "127.0.0.2", "--port", "9001", "--public-url", "https://x.pl/",
        "--forwarded-allow-ips", "127.0.0.1", "--allowed-origin", "https://a.pl", "--allowed-origin",
        "https://b.pl", "--workers", "2", "--migrate", "--log-level", "warning", "--log-format", "text",
        "--access-log", "--metrics", "--metrics-token", "other", "--no-insecure-http",
        "--files-dir", "/srv/files", "--max-file-mb", "10", "--files-s3-bucket", "other",
        "--files-s3-endpoint", "http://127.0.0.1:9000",
        "--min-app-version", "0.3",
        "--retention-every-minutes", "15", "--retention-no-consent-days", "30", "--retention-consent-days",
        "365", "--retention-deleted-days", "1", "--retention-log-days", "90",
    ]
    given = _values(_serve_args(*options))
    assert all(given[name] != from_env[name] for name in OTHER), "an option did not win over its variable"
    assert given["public_url"] == "https://x.pl" and given["allowed_origins"] == ["https://a.pl", "https://b.pl"]


def test_uvicorns_own_variable_and_empty_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "192.0.2.1")
    monkeypatch.setenv("TEREN_SYNC_METRICS_TOKEN", "")  # compose's default when none is set
    settings = _serve_args("serve")
    assert settings.forwarded_allow_ips == "192.0.2.1" and settings.metrics_token is None


def test_the_database_for_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEREN_SYNC_DB", raising=False)
    assert database_location() == "teren-sync.db"
    monkeypatch.setenv("TEREN_SYNC_DB", "/var/lib/teren/a.db")
    assert database_location() == "/var/lib/teren/a.db" and database_location("b.db") == "b.db"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TEREN_SYNC_PORT", "eighty"), ("TEREN_SYNC_LOG_FORMAT", "xml"), ("TEREN_SYNC_ALLOWED_ORIGINS", "*")],
)
def test_a_wrong_value_stops_serve_with_its_name(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["--db", str(tmp_path / "s.db"), "serve"]) == 2
    assert "error:" in capsys.readouterr().err


def test_several_workers_need_postgresql(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "s.db"), "serve", "--workers", "2"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err


def test_no_migrate_refuses_an_older_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "s.db")
    assert main(["--db", db, "migrate", "upgrade", "0004"]) == 0
    assert main(["--db", db, "serve", "--no-migrate"]) == 1
    assert "teren-sync migrate upgrade" in capsys.readouterr().err


def test_the_readme_table_is_the_settings() -> None:
    assert markdown_table() in (ROOT / "README.md").read_text()
