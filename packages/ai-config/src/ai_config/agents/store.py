"""Agents in the library: base agents, and the user's in the personal library (which win)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from ai_config.agents.model import Agent, is_external
from ai_config.agents.names import agent_name
from ai_config.library.paths import contained
from ai_config.library.store import Effective, Library, LibraryFile
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_text
from groundwork.yamllines import syntax_error_line

if TYPE_CHECKING:
    from ai_config.mcp.catalog import McpCatalog

__all__ = ["AgentStore", "ResolvedAgent"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it: loading 50 agents takes a tenth of the time."""


@dataclass
class ResolvedAgent:
    """An agent with its prompt text, its library files and its MCP servers found.

    ``external`` are its ``file://`` resources outside the library, kept as written; ``mcp``
    holds each server's definition as the catalog or the agent has it (secrets still
    references); ``tools_settings`` and ``allowed_tools`` are what library MCP files add.
    """

    agent: Agent
    prompt: str | None
    resources: list[LibraryFile]
    mcp: dict[str, dict[str, Any]]
    external: list[str] = field(default_factory=list)
    inline_servers: set[str] = field(default_factory=set)
    tools_settings: dict[str, Any] = field(default_factory=dict)
    allowed_tools: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    """The library files resolving it read (prompt, resources, MCP definitions)."""


class AgentStore:
    def __init__(self, library: Library) -> None:
        self.library = library
        self._effective: Effective | None = None

    def use(self, effective: Effective) -> None:
        """Work from this scan of the library (one the caller made already)."""
        self._effective = effective

    def effective(self) -> Effective:
        """The effective library, scanned once per store: exporting 50 agents walks it once."""
        if self._effective is None:
            self._effective = self.library.effective()
        return self._effective

    def _path(self, name: str) -> str:
        return f"agents/{agent_name(name)}.yaml"

    def list(self) -> list[Agent]:
        """Every agent (yours win), found by listing ``agents/`` alone, not the whole library."""
        found = self.library.glob("agents/*.yaml")
        return [self._load(LibraryFile(rel, "base", found[rel])) for rel in sorted(found)]

    def get(self, name: str) -> Agent:
        return self._load(self.file(name))

    def file(self, name: str) -> LibraryFile:
        """The library file an agent is defined in (yours wins over the base's)."""
        agent_name(name)
        for candidate in (f"agents/{name}.yaml", f"agents/{name}.yml"):
            try:
                return self.library.resolve(candidate)
            except ToolError as exc:
                if exc.code != "AI_CONFIG_LIBRARY_FILE_NOT_FOUND":
                    raise
        # Named from the files, not loaded: one broken agent must not hide which ones exist.
        names = sorted({Path(rel).stem for rel in self.library.glob("agents/*.y*ml")})
        raise ToolError(
            "AI_CONFIG_AGENT_NOT_FOUND",
            f"No agent named {name!r}.",
            suggestions=[
                f"Agents: {', '.join(names)}"
                if names
                else "Create one: ai-config agent create NAME"
            ],
            exit_code=ExitCode.NOT_FOUND,
        )

    def save(self, agent: Agent, *, new: bool) -> Path:
        target = contained(self.library.personal_dir, self._path(agent.name))
        if new and any(a.name == agent.name for a in self.list()):
            raise ToolError(
                "AI_CONFIG_AGENT_EXISTS",
                f"An agent named {agent.name!r} exists already.",
                suggestions=[f"Edit it: ai-config agent edit {agent.name}"],
                exit_code=ExitCode.CONFLICT,
            )
        data = {"name": agent.name, **agent.model_dump(by_alias=True, exclude_unset=True)}
        with self.library.safety.change(
            "agent save", [target], repo=self.library.personal, agent=agent.name
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(target, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
            self.library.personal.commit_all(f"Agent {agent.name}")
        return target

    def delete(self, name: str) -> Agent:
        agent = self.get(name)
        target = self.library.personal_dir / self._path(name)
        if not target.exists():
            raise ToolError(
                "AI_CONFIG_AGENT_IN_BASE",
                f"{name} comes from the base library, which ai-config does not change.",
                suggestions=["Override it instead: ai-config agent edit " + name],
                exit_code=ExitCode.CONFLICT,
            )
        with self.library.safety.change(
            "agent delete", [target], repo=self.library.personal, agent=name
        ):
            target.unlink()
            self.library.personal.commit_all(f"Delete agent {name}")
        return agent

    def import_q_cli(self, path: Path, name: str | None = None) -> Agent:
        """Import a Q CLI agent JSON; see :mod:`ai_config.agents.importer`."""
        from ai_config.agents.importer import import_q_cli

        secrets = self.library.home / "secrets.json"
        with self.library.safety.change("agent import", [secrets], file=str(path)):
            agent = import_q_cli(self.library, path, name)
            self.save(agent, new=True)
        return agent

    def resolve(self, agent: Agent, mcp_catalog: McpCatalog) -> ResolvedAgent:
        files = self.effective()
        chosen: dict[str, LibraryFile] = {}
        external = []
        for pattern in agent.resources:
            if is_external(pattern):
                external.append(pattern)
                continue
            matches = [files.file(rel) for rel in files.matching(pattern)]
            if not matches:
                raise ToolError(
                    "AI_CONFIG_RESOURCE_NOT_FOUND",
                    f"Agent {agent.name}: no library file matches {pattern!r}.",
                    suggestions=[
                        "List the files: ai-config library files",
                        "A file outside the library is written file://PATH (kept as it is).",
                    ],
                    exit_code=ExitCode.NOT_FOUND,
                )
            for match in matches:
                chosen[match.path] = match
        prompt = agent.prompt
        read = [f.path for f in chosen.values()]
        if prompt and _names_a_file(prompt):
            prompt_file = self.library.resolve(prompt)
            read.append(prompt_file.path)
            prompt = prompt_file.location.read_text(encoding="utf-8")
        resolved = ResolvedAgent(agent, prompt, list(chosen.values()), {}, external, read=read)
        for server in agent.mcp_servers:
            if isinstance(server, str):
                found = mcp_catalog.server(server)
                resolved.mcp[server] = {
                    k: v for k, v in found.definition.items() if k != "description"
                }
                _add_settings(resolved, server, found.tools_settings, found.allowed_tools)
                if found.file is not None:
                    resolved.read.append(found.file)
            else:
                resolved.mcp.update(server)
                resolved.inline_servers.update(server)
        return resolved

    def _load(self, file: LibraryFile) -> Agent:
        """The agent a library file defines (its YAML is read once per store)."""
        text = file.location.read_text(encoding="utf-8")
        try:
            data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, libyaml's
        except yaml.MarkedYAMLError as exc:
            line = syntax_error_line(exc) or "?"
            raise ToolError(
                "AI_CONFIG_AGENT_INVALID",
                f"{file.path}:{line}: not valid YAML: {exc.problem}.",
                suggestions=[f"Fix the YAML: ai-config library edit {file.path}"],
                exit_code=ExitCode.USAGE,
            ) from None
        try:
            return Agent.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ToolError(
                "AI_CONFIG_AGENT_INVALID",
                f"{file.path}: {'.'.join(map(str, first['loc']))}: {first['msg']}.",
                suggestions=[f"Fix it: ai-config library edit {file.path}"],
                exit_code=ExitCode.USAGE,
            ) from None


def _names_a_file(prompt: str) -> bool:
    """A prompt that is one library path (``roles/reviewer.md``), not text that mentions one."""
    return prompt.endswith(".md") and "://" not in prompt and not any(c.isspace() for c in prompt)


def _add_settings(
    resolved: ResolvedAgent, server: str, settings: dict[str, Any], allowed: list[str]
) -> None:
    """What a library MCP file gives with its servers (toolsSettings, allowedTools), for this
    server: entries that name no server apply to all; ``@other...`` ones stay with ``other``."""

    def mine(tool: str) -> bool:
        return not tool.startswith("@") or tool[1:].split("/", 1)[0] == server

    for tool, value in settings.items():
        if mine(tool):
            resolved.tools_settings.setdefault(tool, value)
    for tool in allowed:
        if mine(tool) and tool not in resolved.allowed_tools:
            resolved.allowed_tools.append(tool)
