"""A user template's history, and rolling it back to a version it had."""

from __future__ import annotations

from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.state import atomic_write_text
from prism.templates.catalog import catalog_for
from prism.templates.issues import TemplateInvalid
from prism.templates.loader import load_text
from prism.templates.repos.history import TemplateHistoryStore, version_of
from prism.templates.repos.index import checksum
from prism.templates.repos.installs import Installer
from prism.templates.repos.results import HistoryEntry, TemplateHistory

__all__ = ["history_of", "rollback", "user_template_path"]


def user_template_path(home: Path, name: str) -> tuple[str, Path]:
    """The slug and file of one of the user's templates (bundled ones have no history here)."""
    file = catalog_for(home).get(name)
    if file.origin != "user":
        raise ToolError(
            "PRISM_TEMPLATE_NOT_YOURS",
            f"{file.template.key} is bundled with prism: its versions come with prism's.",
            suggestions=[
                f"Install a copy to keep its history: prism templates install"
                f" builtin/{file.template.key}",
            ],
            exit_code=ExitCode.USAGE,
        )
    return file.template.key, Path(file.path)


def history_of(home: Path, name: str) -> TemplateHistory:
    slug, path = user_template_path(home, name)
    store = TemplateHistoryStore(home)
    store.catch_edits(slug, path)
    current = checksum(path.read_bytes())
    entries = store.entries(slug)
    return TemplateHistory(
        template=slug,
        path=str(path),
        versions=[
            HistoryEntry(
                version=e.get("version") or None,
                checksum=e["checksum"],
                recorded_at=e["recorded_at"],
                source=e["source"],
                current=e["checksum"] == current and i == _last_match(entries, current),
            )
            for i, e in enumerate(entries)
        ],
    )


def _last_match(entries: list[dict[str, str]], digest: str) -> int:
    matches = [i for i, e in enumerate(entries) if e["checksum"] == digest]
    return matches[-1] if matches else -1


def rollback(home: Path, name: str, version: str) -> tuple[TemplateHistory, str | None]:
    """Put a recorded version back in place; returns the history and the version it replaced."""
    slug, path = user_template_path(home, name)
    store = TemplateHistoryStore(home)
    store.catch_edits(slug, path)
    before = version_of(path.read_text(encoding="utf-8"))
    text = store.text_of(slug, version)
    file = load_text(text, str(path), "user")
    report = catalog_for(home).validate_one(file)
    if report.errors:
        raise TemplateInvalid(report.errors)
    atomic_write_text(path, text)
    store.record(slug, text, "rollback")
    installer = Installer(home)
    records = installer.records()
    if slug in records:
        records[slug] = records[slug].model_copy(
            update={"version": version_of(text) or version, "checksum": checksum(text.encode())}
        )
        installer.save_records(records)
    return history_of(home, slug), before
