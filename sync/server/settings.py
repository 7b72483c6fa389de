"""The service's settings: every ``teren-sync serve`` option is also an environment variable
``TEREN_SYNC_<NAME>`` (pydantic-settings); a command-line option wins over the variable, the
variable over the default. README's "Settings" table is ``markdown_table()`` (a test keeps them
equal).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from fieldapp.model.attachment import MAX_FILE_BYTES
from sync.protocol import check_server_url, is_loopback
from sync.server.retention import RetentionRules
from sync.server.security import cors_origins

PREFIX = "TEREN_SYNC_"
MIB = 1024 * 1024
DEFAULT_DB = "teren-sync.db"


class DatabaseSettings(BaseSettings):
    """Where the database is: what every ``teren-sync`` command needs."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", populate_by_name=True)

    db: str = Field(
        DEFAULT_DB,
        description="SQLite path or `postgresql://user:password@host:5432/db` URL (every command; `--db` "
        "before the command)",
    )


class ServeSettings(DatabaseSettings):
    """``teren-sync serve``."""

    host: str = Field("127.0.0.1", description="address to listen on (`0.0.0.0` in the container)")
    port: int = Field(8765, ge=1, le=65535, description="port to listen on")
    public_url: str | None = Field(
        None,
        description="the https address devices use (goes into enrollment QR codes); unset: this "
        "address on loopback, else each request's own",
    )
    insecure_http: bool = Field(
        False,
        description="let enrollment QR codes name a plain-http address off loopback (a lab, never "
        "residents' data)",
    )
    min_app_version: str | None = Field(
        None,
        description="refuse apps older than this version (426 `app_too_old`; the app asks to be "
        "updated); unset: every version",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        # uvicorn's own variable is still heard (the README named it before).
        validation_alias=AliasChoices(
            "TEREN_SYNC_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS", "forwarded_allow_ips"
        ),
        description="proxies whose `X-Forwarded-Proto`/`-For` are trusted (comma-separated addresses or "
        "networks; `*` only where nothing but the proxy reaches the port)",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="browser origins allowed by CORS, comma-separated (the option is repeatable)",
    )
    workers: int = Field(
        1, ge=1, le=64, description="worker processes (more than one needs PostgreSQL)"
    )
    migrate: bool = Field(
        True,
        description="upgrade the schema on start; with `false` the service refuses to start on an older "
        "schema (`teren-sync migrate upgrade` first)",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        "info", description="log level"
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json`: one JSON object a line, with the request id"
    )
    access_log: bool = Field(True, description="a log line per request (method, route, status, duration)")
    metrics: bool = Field(True, description="serve `/metrics` (Prometheus text format)")
    metrics_token: SecretStr | None = Field(
        None, description="when set, `/metrics` needs `Authorization: Bearer <token>`"
    )
    retention_every_minutes: int = Field(
        60, ge=0, le=10_080,
        description="run the retention rules (RODO) at start and then this often; `0`: never",
    )
    retention_no_consent_days: int = Field(
        180, ge=1,
        description="erase natural persons without consent to store their data after this many days",
    )
    retention_consent_days: int = Field(
        1095, ge=1,
        description="a consent expires this many days after it was given: the person is then erased",
    )
    retention_deleted_days: int = Field(
        30, ge=0, description="deleted contacts keep their data this many days (grace), then it is erased"
    )
    retention_log_days: int = Field(
        365, ge=1, description="conflict and audit log entries are deleted after this many days"
    )

    files_dir: str | None = Field(
        None,
        description="folder for photos and scans (and uploads in progress, also with S3); unset: beside "
        "a SQLite database (`teren-sync-files`), else `teren-files` in the current folder",
    )
    max_file_mb: int = Field(
        MAX_FILE_BYTES // MIB, ge=1, le=MAX_FILE_BYTES // MIB,
        description="the largest photo or scan accepted, in MiB (413 `file_too_large` above)",
    )
    files_s3_bucket: str | None = Field(
        None,
        description="keep files in this bucket of S3-compatible object storage (the `s3` extra; "
        "credentials as boto3 reads them, `AWS_ACCESS_KEY_ID`...) instead of `files_dir`",
    )
    files_s3_endpoint: str | None = Field(
        None, description="the S3-compatible service's address (MinIO, Ceph...); unset: AWS"
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> list[str]:
        return cors_origins(value)

    @model_validator(mode="after")
    def _public_url(self) -> ServeSettings:
        """Only an https address (or http on loopback, or with ``insecure_http``) without user-info."""
        if self.public_url:
            self.public_url = check_server_url(self.public_url.rstrip("/"), insecure_http=self.insecure_http)
        return self

    def retention_rules(self) -> RetentionRules:
        return RetentionRules(
            no_consent_days=self.retention_no_consent_days,
            consent_days=self.retention_consent_days,
            deleted_days=self.retention_deleted_days,
            log_days=self.retention_log_days,
        )

    def qr_address(self) -> str | None:
        """The address for QR codes: ``public_url``, else this address on loopback, else none (each
        request's own, https when a trusted proxy says so)."""
        if self.public_url:
            return self.public_url
        if not is_loopback(self.host):
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return f"http://{host}:{self.port}"

    def files_folder(self) -> str:
        """Where files go on the service's disk (``files_dir``, else beside the database)."""
        from sync.server.files.storage import default_folder

        return self.files_dir or str(default_folder(self.db))

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        return value or None  # an empty variable (compose's default) means no token


def database_location(given: str | None = None) -> str:
    """``--db`` if given, else ``$TEREN_SYNC_DB``, else ``teren-sync.db`` in the current folder."""
    return given or DatabaseSettings().db


def env_name(field: str) -> str:
    return PREFIX + field.upper()


def option_name(field: str) -> str:
    return "--allowed-origin" if field == "allowed_origins" else "--" + field.replace("_", "-")


def markdown_table() -> str:
    """The settings as README's table: variable, option, default, meaning."""
    lines = ["| Variable | Option | Default | Meaning |", "| --- | --- | --- | --- |"]
    for name, field in ServeSettings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, bool):
            shown = "`true`" if default else "`false`"
            option = f"`{option_name(name)}` / `--no-{name.replace('_', '-')}`"
        else:
            shown = "none" if default in (None, []) else f"`{default}`"
            option = f"`{option_name(name)}`"
        if name == "db":
            option = "`--db`"
        lines.append(f"| `{env_name(name)}` | {option} | {shown} | {field.description} |")
    return "\n".join(lines)
