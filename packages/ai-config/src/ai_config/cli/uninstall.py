"""`ai-config uninstall`: remove what ai-config wrote, after listing it and backing it up.

What goes: ai-config's folder (libraries, catalog, secrets, backups, logs) and every export it
recorded. A file an agent owns whole is deleted; from a shared file (AGENTS.md, an MCP JSON
file) only ai-config's parts are taken out, and the file stays if anything else is left in it.
Everything is first packed into one archive outside ai-config's folder (0600: it holds the
encrypted secrets and, without a keyring, their key).
"""

from __future__ import annotations

import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import Field

from ai_config.home import home
from ai_config.results import Result
from groundwork.errors import ExitCode, ToolError
from groundwork.output import OutputFormat, OutputOption, confirm, renders
from groundwork.state.atomic import atomic_write_text

if TYPE_CHECKING:
    from rich.console import RenderableType

app = typer.Typer(add_completion=False)


class Uninstall(Result):
    removed: list[str] = Field(description="Files and folders deleted")
    changed: list[str] = Field(description="Shared files ai-config's parts were taken out of")
    backup: str | None = Field(description="The archive of everything before (null: dry run)")
    dry_run: bool
    notice: str | None = None


class UninstallResult(Result):
    uninstall: Uninstall


def _view(result: UninstallResult) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape

    done = result.uninstall
    verb = "Would remove" if done.dry_run else "Removed"
    lines = [f"{verb}: {escape(p)}" for p in done.removed]
    lines += [
        f"{'Would take' if done.dry_run else 'Took'} ai-config's parts out of: {escape(p)}"
        for p in done.changed
    ]
    if done.backup:
        lines.append(f"Everything is in {escape(done.backup)} (tar -xzf it to get it back).")
    if done.notice:
        lines.append(escape(done.notice))
    return Group(*lines)


def _archive(folder: Path, paths: list[Path], to: Path) -> None:
    to.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(to, "", private=True)  # 0600 before any byte of a secret lands in it
    with tarfile.open(to, "w:gz") as archive:
        if folder.exists():
            archive.add(folder, arcname="ai-config-home")
        for path in paths:
            if path.exists():
                archive.add(path, arcname="exports" + str(path))


@app.command("uninstall")
@renders(_view)
def uninstall(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be removed.")
    ] = False,
    backup_to: Annotated[
        Path | None,
        typer.Option("--backup-to", help="The archive to write (default: in your home folder)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
) -> UninstallResult:
    """Remove everything ai-config wrote: its folder and its exports (backed up first).

    Examples:

      ai-config uninstall --dry-run

      ai-config uninstall --yes --backup-to ~/ai-config-before-uninstall.tar.gz
    """
    from ai_config.exports.writer import ExportPlan
    from ai_config.safety import Safety

    folder = home()
    plan = ExportPlan(folder, Safety(folder))
    for record in list(plan.records):
        plan.retire(record)
    exported = plan.changed()
    removed = [str(p) for p in exported if plan.texts[p] is None] + [str(folder)]
    changed = [str(p) for p in exported if plan.texts[p] is not None]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    archive = (backup_to or Path.home() / f"ai-config-uninstall-{stamp}.tar.gz").expanduser()
    if archive.resolve().is_relative_to(folder.resolve()):
        raise ToolError(
            "AI_CONFIG_BACKUP_INSIDE_HOME",
            f"{archive} is inside {folder}, which uninstall removes.",
            suggestions=["Give a place outside it: --backup-to ~/ai-config-backup.tar.gz"],
            exit_code=ExitCode.USAGE,
        )
    keyring = " ".join(n for n in (_keyring_notice(folder), _synced_notice(folder)) if n) or None
    if dry_run:
        return UninstallResult(
            uninstall=Uninstall(
                removed=removed, changed=changed, backup=None, dry_run=True, notice=keyring
            )
        )
    if not yes:
        listing = "\n".join(f"  {p}" for p in removed + changed)
        if not confirm(f"Remove these (an archive goes to {archive} first)?\n{listing}\n"):
            raise ToolError(
                "AI_CONFIG_NOT_CONFIRMED",
                "Nothing was removed: the uninstall was not confirmed.",
                suggestions=["Look first: ai-config uninstall --dry-run; then --yes"],
                exit_code=ExitCode.FAILURE,
            )
    _archive(folder, exported, archive)
    for path in exported:
        text = plan.texts[path]
        if text is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write_text(path, text)
    shutil.rmtree(folder, ignore_errors=True)
    return UninstallResult(
        uninstall=Uninstall(
            removed=removed, changed=changed, backup=str(archive), dry_run=False, notice=keyring
        )
    )


def _keyring_notice(folder: Path) -> str | None:
    from ai_config.mcp.secrets import SecretStore

    box = SecretStore(folder).box
    if not box.uses_keyring:
        return None
    return (
        "The secrets key stays in your OS keyring (service ai-config), so the archive's secrets"
        " stay readable; once you no longer need them: keyring del ai-config secrets-key"
    )


def _synced_notice(folder: Path) -> str | None:
    """A personal library in a synced folder stays: deleting it would delete it on every
    machine the folder syncs to."""
    from ai_config.settings import Settings

    personal = Settings.load(folder).personal_dir
    if personal is None:
        return None
    return (
        f"Your personal library in {personal} (a folder you chose to sync) is left as it is:"
        " removing it would remove it on every machine that syncs it."
    )
