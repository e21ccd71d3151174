"""`peragus audit`, `peragus token rotate` and `peragus secrets rotate-key`: reading the audit log,
and replacing the server's token or the secrets key (each audited).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import BaseModel, Field

from groundwork.output import OutputFormat, OutputOption, renders
from peragus.home import home
from peragus.observability.audit import AuditFilter

if TYPE_CHECKING:
    from rich.console import RenderableType

    from peragus.observability.audit import AuditList

__all__ = ["audit_app", "secrets_app", "token_app"]

audit_app = typer.Typer(add_completion=False)
token_app = typer.Typer(add_completion=False, no_args_is_help=True, help="The server's token.")
secrets_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Notebook secrets.")


@token_app.callback()
def _token() -> None:
    """The server's token (0600, in the peragus folder)."""


@secrets_app.callback()
def _secrets() -> None:
    """Notebook secrets and the key that encrypts them."""


class TokenInfo(BaseModel):
    file: str = Field(description="Where the token is (0600); it is never printed.")
    rotated_at: str


class TokenRotation(BaseModel):
    token: TokenInfo
    notice: str


class SecretsKeyInfo(BaseModel):
    location: str = Field(description="The OS keyring, or the key file's path (0600).")
    secrets: int = Field(description="Secrets re-encrypted with the new key.")
    rotated_at: str


class KeyRotation(BaseModel):
    secrets_key: SecretsKeyInfo


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _audit_table(result: AuditList) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table

    if not result.events:
        return f"No audited changes yet ({escape(result.file)})."
    table = Table(title=f"Audit log ({escape(result.file)})", title_justify="left")
    for column in ("at", "action", "target", "via", "detail"):
        table.add_column(column)
    for e in result.events:
        detail = ", ".join(f"{k}={v}" for k, v in e.detail.items())
        table.add_row(e.at[:19], e.action, escape(e.target or ""), e.via, escape(detail))
    return table


@audit_app.command("audit")
@renders(_audit_table)
def audit(
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many.", min=1)] = 50,
    action: Annotated[
        AuditFilter | None,
        typer.Option("--action", help="Only this action, or a family of them (secret, token...)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> AuditList:
    """Show the audit log: settings and secret changes, token and key rotations, notebook
    deletions and imports, newest first.

    Examples:

      peragus audit

      peragus audit --action secret --limit 10 --output json
    """
    from peragus.observability.audit import AuditList, audit_log

    log = audit_log(home())
    return AuditList(events=log.read(limit, action), file=str(log.path))


def _rotated(result: TokenRotation) -> None:
    typer.echo(f"New token in {result.token.file}. {result.notice}")


@token_app.command("rotate")
@renders(_rotated)
def rotate_token(output: OutputOption = OutputFormat.TABLE) -> TokenRotation:
    """Replace the server's token (scripts and browsers need the new one). The server must be
    stopped: it keeps the token it started with.

    Examples:

      peragus token rotate
    """
    import secrets

    from groundwork.state.atomic import atomic_write_text
    from peragus.cli.server_client import running_server_url, server_running_error
    from peragus.observability.audit import audit_log
    from peragus.server.config import server_config

    if running_server_url() is not None:
        raise server_running_error("rotating its token")
    config = server_config(home())
    atomic_write_text(config.token_file, secrets.token_urlsafe(32) + "\n", private=True)
    audit_log(home()).record("token.rotate", str(config.token_file), via="cli")
    return TokenRotation(
        token=TokenInfo(file=str(config.token_file), rotated_at=_now()),
        notice="The old token no longer works: start peragus and open the login URL it prints.",
    )


def _key_rotated(result: KeyRotation) -> None:
    key = result.secrets_key
    typer.echo(f"New secrets key ({key.location}); {key.secrets} secrets re-encrypted.")


@secrets_app.command("rotate-key")
@renders(_key_rotated)
def rotate_key(output: OutputOption = OutputFormat.TABLE) -> KeyRotation:
    """Make a new secrets key and re-encrypt every secret with it (the AI key too), in one
    transaction. The server must be stopped.

    Examples:

      peragus secrets rotate-key
    """
    from peragus.cli.server_client import running_server_url, server_running_error
    from peragus.observability.audit import audit_log
    from peragus.settings.store import SettingsStore

    if running_server_url() is not None:
        raise server_running_error("rotating the secrets key")
    store = SettingsStore(home())
    try:
        count = store.rotate_key()
        location = store.key_location
    finally:
        store.close()
    audit_log(home()).record("secrets.rotate_key", location, via="cli", secrets=str(count))
    return KeyRotation(
        secrets_key=SecretsKeyInfo(location=location, secrets=count, rotated_at=_now())
    )
