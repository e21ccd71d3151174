"""Several agents exported into one project share its files: each owns its part, `--check` sees
drift in any one of them, a dry run shows diffs, every export backs up what it overwrites and
`--revert` puts it back."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ai_config.agents.model import Agent
from ai_config.agents.store import AgentStore
from ai_config.exports.check import stale_exports
from ai_config.exports.names import ExportTarget
from ai_config.exports.service import Exporter
from ai_config.exports.writer import ExportedFile
from ai_config.library.store import Library
from ai_config.mcp.catalog import McpCatalog
from groundwork.errors import ToolError

ALL = [ExportTarget.CLAUDE_CODE, ExportTarget.CURSOR, ExportTarget.AGENTS_MD, ExportTarget.KIRO]


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("AI_CONFIG_KEYRING", "0")
    lib = Library(tmp_path / "home")
    lib.init(None, None)
    McpCatalog(lib.home).add('{"tickets": {"command": "tickets-mcp"}}')
    store = AgentStore(lib)
    for name, servers in (("alpha", ["git"]), ("beta", ["fetch"]), ("gamma", ["tickets", "git"])):
        store.save(
            Agent(
                name=name,
                description=f"The {name} agent",
                prompt=f"You are {name}.",
                resources=["tools/git.md"] if name == "alpha" else [],
                mcpServers=servers,
            ),
            new=True,
        )
    return lib


def export(
    lib: Library,
    names: list[str],
    dest: Path | None,
    targets: list[ExportTarget] = ALL,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> list[ExportedFile]:
    """What `agent export NAME... --target T... --dest DEST` does: one planned run."""
    exporter = Exporter(lib.home)
    plan = exporter.plan()
    for name in names:
        for target in targets:
            exporter.add(plan, name, target, dest)
    if dry_run:
        return plan.preview(force=force)
    if not force:
        plan.check_edited()
    return plan.commit("agent export")


def findings(lib: Library) -> set[tuple[str, str, str]]:
    return {(f.agent, Path(f.path).name, f.state) for f in stale_exports(lib.home)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "AGENTS.md").write_text("# Our project\n\nHouse rules written by hand.\n")
    (folder / ".mcp.json").write_text(json.dumps({"mcpServers": {"ours": {"command": "x"}}}))
    return folder


def test_three_agents_share_a_project_and_each_keeps_its_part(
    starter: Library, project: Path
) -> None:
    export(starter, ["alpha", "beta", "gamma"], project)
    agents_md = (project / "AGENTS.md").read_text()
    assert agents_md.startswith("# Our project\n\nHouse rules written by hand.\n")
    for name in ("alpha", "beta", "gamma"):
        assert f"<!-- ai-config:begin {name} -->\n## {name}\n" in agents_md
        assert (project / ".claude" / "agents" / f"{name}.md").exists()
        assert (project / ".kiro" / "steering" / f"{name}.md").exists()
    for path in (".mcp.json", ".cursor/mcp.json", ".kiro/settings/mcp.json"):
        servers = json.loads((project / path).read_text())["mcpServers"]
        assert set(servers) >= {"git", "fetch", "tickets"}, path
    assert "ours" in json.loads((project / ".mcp.json").read_text())["mcpServers"]
    assert stale_exports(starter.home) == []

    agents_md_path = project / "AGENTS.md"
    agents_md_path.write_text(agents_md.replace("You are beta.", "You are beta, edited."))
    assert findings(starter) == {("beta", "AGENTS.md", "edited")}
    with pytest.raises(ToolError) as refused:
        export(starter, ["beta"], project, [ExportTarget.AGENTS_MD])
    assert refused.value.code == "AI_CONFIG_EXPORT_EDITED"

    mcp = json.loads((project / ".mcp.json").read_text())
    del mcp["mcpServers"]["fetch"]
    (project / ".mcp.json").write_text(json.dumps(mcp))
    assert ("beta", ".mcp.json", "missing") in findings(starter)

    starter.edit("tools/git.md", open_editor=False)
    (starter.personal_dir / "tools" / "git.md").write_text("# Git, my way\n")
    stale = findings(starter)
    assert ("alpha", "AGENTS.md", "stale") in stale
    assert not any(agent == "gamma" for agent, _, _ in stale)

    export(starter, ["alpha", "beta", "gamma"], project, force=True)
    assert stale_exports(starter.home) == []
    assert "Git, my way" in (project / "AGENTS.md").read_text()
    assert "House rules written by hand." in (project / "AGENTS.md").read_text()


def test_two_agents_with_different_servers_of_one_name_are_an_error_naming_both(
    starter: Library, project: Path
) -> None:
    store = AgentStore(starter)
    store.save(
        Agent(name="one", mcpServers=[{"db": {"command": "db-mcp", "args": ["a"]}}]), new=True
    )
    store.save(
        Agent(name="two", mcpServers=[{"db": {"command": "db-mcp", "args": ["b"]}}]), new=True
    )
    store.save(
        Agent(name="three", mcpServers=[{"db": {"command": "db-mcp", "args": ["a"]}}]), new=True
    )
    export(starter, ["one"], project, [ExportTarget.CLAUDE_CODE])
    with pytest.raises(ToolError) as clash:
        export(starter, ["two"], project, [ExportTarget.CLAUDE_CODE])
    assert clash.value.code == "AI_CONFIG_EXPORT_SERVER_CONFLICT"
    assert "'one' and 'two'" in clash.value.message
    export(starter, ["three"], project, [ExportTarget.CLAUDE_CODE])  # the same server: shared
    store.save(Agent(name="one"), new=False)
    export(starter, ["one"], project, [ExportTarget.CLAUDE_CODE])
    assert json.loads((project / ".mcp.json").read_text())["mcpServers"]["db"]["args"] == ["a"]
    store.save(Agent(name="three"), new=False)
    export(starter, ["three"], project, [ExportTarget.CLAUDE_CODE])
    assert set(json.loads((project / ".mcp.json").read_text())["mcpServers"]) == {"ours"}


def test_a_server_written_by_hand_is_not_overwritten_without_force(
    starter: Library, project: Path
) -> None:
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": {"git": {"command": "mine"}}}))
    with pytest.raises(ToolError) as refused:
        export(starter, ["alpha"], project, [ExportTarget.CLAUDE_CODE])
    assert refused.value.code == "AI_CONFIG_EXPORT_EDITED"
    assert json.loads((project / ".mcp.json").read_text())["mcpServers"]["git"]["command"] == "mine"


def test_a_dry_run_shows_diffs_and_writes_nothing(starter: Library, project: Path) -> None:
    before = (project / "AGENTS.md").read_text()
    preview = export(starter, ["alpha", "beta"], project, [ExportTarget.AGENTS_MD], dry_run=True)
    assert {(p.agent, p.state) for p in preview} == {
        ("alpha", "would-write"),
        ("beta", "would-write"),
    }
    [diff] = [p.diff for p in preview if p.diff]
    assert "+<!-- ai-config:begin alpha -->" in diff and "+<!-- ai-config:begin beta -->" in diff
    assert " House rules written by hand." in diff
    assert (project / "AGENTS.md").read_text() == before
    assert stale_exports(starter.home) == []
    assert not (starter.home / "state" / "export-runs.json").exists()


def test_an_export_backs_up_what_it_overwrites_and_revert_puts_it_back(
    starter: Library, project: Path
) -> None:
    original = (project / "AGENTS.md").read_text()
    export(starter, ["alpha"], project, [ExportTarget.AGENTS_MD, ExportTarget.CLAUDE_CODE])
    first = (project / "AGENTS.md").read_text()
    backups = [b for b in starter.safety.backups.list() if b.reason == "agent export"]
    assert {Path(b.source).name for b in backups} == {"AGENTS.md", ".mcp.json"}

    AgentStore(starter).save(Agent(name="alpha", prompt="You are alpha, v2."), new=False)
    export(starter, ["alpha"], project, [ExportTarget.AGENTS_MD, ExportTarget.CLAUDE_CODE])
    assert "alpha, v2" in (project / "AGENTS.md").read_text()

    reverted = Exporter(starter.home).revert()
    assert {(r.agent, r.state) for r in reverted} == {("alpha", "reverted")}
    assert (project / "AGENTS.md").read_text() == first
    assert findings(starter) == {
        ("alpha", "AGENTS.md", "stale"),
        ("alpha", "alpha.md", "stale"),
        ("alpha", ".mcp.json", "stale"),  # its servers, which alpha no longer has
    }

    Exporter(starter.home).revert()
    assert (project / "AGENTS.md").read_text() == original
    assert not (project / ".claude" / "agents" / "alpha.md").exists()
    assert json.loads((project / ".mcp.json").read_text()) == {
        "mcpServers": {"ours": {"command": "x"}}
    }
    assert stale_exports(starter.home) == []
    with pytest.raises(ToolError) as nothing:
        Exporter(starter.home).revert()
    assert nothing.value.code == "AI_CONFIG_NOTHING_TO_REVERT"
    actions = [e.action for e in starter.safety.audit.entries()]
    assert actions.count("agent export") == 2 and actions.count("agent export --revert") == 2


def test_agents_md_goes_to_the_git_top_level_never_the_current_folder(
    starter: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / "src" / "deep").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    monkeypatch.chdir(repo / "src" / "deep")
    [written] = export(starter, ["alpha"], None, [ExportTarget.AGENTS_MD])
    assert Path(written.path) == repo / "AGENTS.md"
    assert not (repo / "src" / "deep" / "AGENTS.md").exists()

    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(ToolError) as refused:
        export(starter, ["alpha"], None, [ExportTarget.AGENTS_MD])
    assert refused.value.code == "AI_CONFIG_AGENTS_MD_NEEDS_PROJECT"
    assert not (elsewhere / "AGENTS.md").exists()


def test_a_global_cursor_export_is_refused_with_what_to_do(starter: Library) -> None:
    with pytest.raises(ToolError) as refused:
        export(starter, ["alpha"], None, [ExportTarget.CURSOR])
    assert refused.value.code == "AI_CONFIG_CURSOR_NEEDS_PROJECT"
    assert "--dest PROJECT" in refused.value.suggestions[0]


def test_kiro_gets_an_agent_steering_and_mcp_settings(
    starter: Library, project: Path, tmp_path: Path
) -> None:
    export(starter, ["gamma"], project, [ExportTarget.KIRO])
    kiro = project / ".kiro"
    agent: dict[str, Any] = json.loads((kiro / "agents" / "gamma.json").read_text())
    assert agent["name"] == "gamma" and set(agent["mcpServers"]) == {"tickets", "git"}
    assert (kiro / "steering" / "gamma.md").read_text() == "You are gamma.\n"
    assert set(json.loads((kiro / "settings" / "mcp.json").read_text())["mcpServers"]) == {
        "tickets",
        "git",
    }
    export(starter, ["gamma"], None, [ExportTarget.KIRO])
    user = tmp_path / "user" / ".kiro"
    assert (user / "agents" / "gamma.json").exists() and (user / "steering" / "gamma.md").exists()
    assert (user / "settings" / "mcp.json").stat().st_mode & 0o777 == 0o600


def test_the_check_sees_a_new_file_a_glob_matches_and_a_changed_server(
    starter: Library, project: Path
) -> None:
    AgentStore(starter).save(
        Agent(name="roles", resources=["roles/*.md"], mcpServers=["tickets"]), new=True
    )
    export(starter, ["roles"], project, [ExportTarget.CLAUDE_CODE])
    assert stale_exports(starter.home) == []
    starter.new("roles/new-role.md", open_editor=False)
    assert findings(starter) == {("roles", "roles.md", "stale")}
    export(starter, ["roles"], project, [ExportTarget.CLAUDE_CODE])
    assert "new role" in (project / ".claude" / "agents" / "roles.md").read_text().lower()
    McpCatalog(starter.home).add('{"tickets": {"command": "tickets-v2"}}', force=True)
    assert findings(starter) == {("roles", ".mcp.json", "stale")}
