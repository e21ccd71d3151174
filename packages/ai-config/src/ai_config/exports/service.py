"""Exporting agents: resolve, render for a target, plan every part, then write (or preview).

Secrets: a global export writes their values (files 0600 in the user's home); a project export
(``dest``) writes references the target tool expands from the environment, unless the user asks
for ``inline_secrets``, and reports the variables to set.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from ai_config.agents.store import AgentStore
from ai_config.exports.inputs import Inputs, place_of
from ai_config.exports.models import ExportedFile
from ai_config.exports.names import ExportTarget
from ai_config.exports.parts import Output
from ai_config.exports.records import ExportRecords
from ai_config.exports.runs import ExportRuns
from ai_config.exports.targets import PROJECT_STYLE, render
from ai_config.exports.writer import ExportPlan
from ai_config.library.git import Git
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog
from groundwork.errors import ExitCode, ToolError
from groundwork.state.backups import BackupStore

__all__ = ["Exporter", "project_root"]


def project_root(target: ExportTarget, dest: Path | None) -> Path | None:
    """Where a target's files go: ``dest`` when given; AGENTS.md without one goes to the git
    top-level of the current folder (never silently into the current folder itself)."""
    if dest is not None:
        root = dest.expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise ToolError(
                "AI_CONFIG_DEST_NOT_A_FOLDER",
                f"{root} is a file; --dest names the project folder exports go into.",
                suggestions=[
                    f"Name its folder: ai-config agent export NAME --dest {root.parent}",
                    "Or see which profile chose it: ai-config profile list",
                ],
                context={"dest": str(root)},
                exit_code=ExitCode.USAGE,
            )
        return root
    if target != ExportTarget.AGENTS_MD:
        return None
    done = Git(Path.cwd()).run("rev-parse", "--show-toplevel", check=False)
    if done.returncode == 0 and done.stdout.strip():
        return Path(done.stdout.strip())
    raise ToolError(
        "AI_CONFIG_AGENTS_MD_NEEDS_PROJECT",
        f"AGENTS.md belongs at a project's root, and {Path.cwd()} is not inside a git"
        " repository, so ai-config cannot tell where that is.",
        suggestions=[
            "Name the project: ai-config agent export NAME --target agents-md --dest PROJECT",
            "Or run it from inside the project's repository.",
        ],
        exit_code=ExitCode.USAGE,
    )


class Exporter:
    """Exports many agents over one scan of the library and one catalog."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.catalog = McpCatalog(home)
        self.library = Library(home)
        self.store = AgentStore(self.library)
        self.records = ExportRecords(home)
        self.environment: set[str] = set()
        """Variables the project exports so far refer to (their tools expand them)."""

    @functools.cached_property
    def inputs(self) -> Inputs:
        return Inputs(self.store.effective().sha, self.home)

    def outputs(
        self, agent_name: str, target: ExportTarget, dest: Path | None, *, inline: bool = False
    ) -> list[Output]:
        return self.rendered(agent_name, target, dest, inline=inline)[0]

    def rendered(
        self, agent_name: str, target: ExportTarget, dest: Path | None, *, inline: bool = False
    ) -> tuple[list[Output], list[str]]:
        """The outputs, and the library files they were made from."""
        file = self.store.file(agent_name)
        resolved = self.store.resolve(self.store.get(agent_name), self.catalog)
        style = "inline" if dest is None or inline else PROJECT_STYLE[target]
        mcp = {
            name: self.catalog.secrets.render(entry, style, self.environment)
            for name, entry in resolved.mcp.items()
        }
        return render(target, resolved, mcp, dest), [file.path, *resolved.read]

    def plan(self) -> ExportPlan:
        return ExportPlan(self.home, self.library.safety)

    def add(
        self,
        plan: ExportPlan,
        agent_name: str,
        target: ExportTarget,
        dest: Path | None,
        *,
        inline: bool = False,
    ) -> None:
        root = project_root(target, dest)
        secrets: Literal["inline", "reference"] = (
            "inline" if root is None or inline else "reference"
        )
        outputs, read = self.rendered(agent_name, target, root, inline=inline)
        place = place_of(target, root, secrets)
        plan.add(
            outputs,
            agent=agent_name,
            target=target,
            dest=root,
            secrets=secrets,
            inputs=read,
            inputs_sha=self.inputs.sha(read, place),
        )

    def plan_agents(
        self,
        names: list[str],
        targets: list[ExportTarget] | None,
        dest: Path | None,
        *,
        inline: bool = False,
    ) -> ExportPlan:
        """One run's plan for these agents, as `agent export` makes it: to ``targets`` (into
        ``dest``); without targets, the profile in use's, else each agent where it went before
        (Q CLI the first time)."""
        if not targets:
            from ai_config.profiles import ProfileStore

            profile = ProfileStore(self.home).active()
            if profile is not None and profile.targets:
                targets, dest = profile.targets, dest or profile.dest
        recorded = self.records.load()
        plan = self.plan()
        for each in names:
            places = (
                {(t, dest) for t in targets}
                if targets
                else {
                    (ExportTarget(r.target), Path(r.dest) if r.dest else None)
                    for r in recorded
                    if r.agent == each and r.target in set(ExportTarget)
                }
                or {(ExportTarget.Q_CLI, dest)}
            )
            for where, folder in sorted(places, key=lambda p: (p[0], str(p[1]))):
                self.add(plan, each, where, folder, inline=inline)
        return plan

    def export(
        self,
        agent_name: str,
        target: ExportTarget,
        dest: Path | None,
        *,
        force: bool,
        inline: bool = False,
    ) -> list[ExportedFile]:
        """One agent to one target, written (a run of its own)."""
        plan = self.plan()
        self.add(plan, agent_name, target, dest, inline=inline)
        if not force:
            plan.check_edited()
        return plan.commit("agent export")

    def revert(self) -> list[ExportedFile]:
        """Put back what the last export run changed, and its records."""
        runs = ExportRuns(self.home)
        run = runs.pop()
        if run is None:
            raise ToolError(
                "AI_CONFIG_NOTHING_TO_REVERT",
                "No export to revert: ai-config has not exported anything since it kept runs.",
                suggestions=["See what was exported: ai-config agent export --check"],
                exit_code=ExitCode.NOT_FOUND,
            )
        paths = {f.path for f in run.files}
        records = self.records.load()
        now = [r for r in records if r.path in paths]
        backups = BackupStore(self.home / "backups")
        touched = [*(Path(p) for p in sorted(paths)), self.records.file]
        with self.library.safety.change("agent export --revert", touched, run=run.id):
            for file in run.files:
                if file.backup is not None:
                    backups.restore(file.backup)
                elif not file.existed:
                    Path(file.path).unlink(missing_ok=True)
            kept = [r for r in records if r.path not in paths]
            self.records.save(kept + [r for f in run.files for r in f.records])
        affected = {(r.agent, r.target, r.path) for r in now}
        affected |= {(r.agent, r.target, r.path) for f in run.files for r in f.records}
        return [
            ExportedFile(agent=agent, target=ExportTarget(target), path=path, state="reverted")
            for agent, target, path in sorted(affected)
        ]
