"""Agents in the library: base agents, and the user's in the personal library (which win)."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ai_config.agents.model import Agent
from ai_config.library.store import Library, LibraryFile
from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_text
from groundwork.yamllines import syntax_error_line

__all__ = ["AgentStore", "ResolvedAgent"]


class ResolvedAgent:
    """An agent with its prompt text and resource files found in the effective library."""

    def __init__(
        self, agent: Agent, prompt: str, resources: list[LibraryFile], mcp: dict[str, Any]
    ):
        self.agent = agent
        self.prompt = prompt
        self.resources = resources
        self.mcp = mcp


class AgentStore:
    def __init__(self, library: Library) -> None:
        self.library = library
        self._files: list[LibraryFile] | None = None

    def _library_files(self) -> list[LibraryFile]:
        """The effective library, scanned once per store: exporting 50 agents walks it once."""
        if self._files is None:
            self._files = self.library.files()
        return self._files

    def _path(self, name: str) -> str:
        return f"agents/{name}.yaml"

    def list(self) -> list[Agent]:
        return [self._load(f) for f in self.library.files("agents/*.yaml")]

    def get(self, name: str) -> Agent:
        return self._load(self.file(name))

    def file(self, name: str) -> LibraryFile:
        """The library file an agent is defined in (yours wins over the base's)."""
        for candidate in (f"agents/{name}.yaml", f"agents/{name}.yml"):
            try:
                return self.library.resolve(candidate)
            except ToolError as exc:
                if exc.code != "AI_CONFIG_LIBRARY_FILE_NOT_FOUND":
                    raise
        # Named from the files, not loaded: one broken agent must not hide which ones exist.
        names = sorted({Path(f.path).stem for f in self.library.files("agents/*.y*ml")})
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
        target = self.library.personal_dir / self._path(agent.name)
        if new and any(a.name == agent.name for a in self.list()):
            raise ToolError(
                "AI_CONFIG_AGENT_EXISTS",
                f"An agent named {agent.name!r} exists already.",
                suggestions=[f"Edit it: ai-config agent edit {agent.name}"],
                exit_code=ExitCode.CONFLICT,
            )
        data = agent.model_dump(by_alias=True, exclude_defaults=True)
        data = {"name": agent.name, **data}
        with self.library.safety.change(
            "agent save", [self.library.personal_dir], agent=agent.name
        ):
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
        with self.library.safety.change("agent delete", [self.library.personal_dir], agent=name):
            target.unlink()
            self.library.personal.commit_all(f"Delete agent {name}")
        return agent

    def import_q_cli(self, path: Path) -> Agent:
        """Read an existing Q CLI agent JSON; resources stay as written if outside the library."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ToolError(
                "AI_CONFIG_IMPORT_NOT_FOUND",
                f"{path} does not exist.",
                suggestions=["Check the path."],
                exit_code=ExitCode.NOT_FOUND,
            ) from None
        except json.JSONDecodeError as exc:
            raise ToolError(
                "AI_CONFIG_IMPORT_INVALID",
                f"{path} is not valid JSON: line {exc.lineno}: {exc.msg}.",
                suggestions=["Fix the JSON, then import again."],
                exit_code=ExitCode.USAGE,
            ) from None
        data.pop("$schema", None)
        servers = data.pop("mcpServers", {}) or {}
        data["mcpServers"] = [{name: entry} for name, entry in servers.items()]
        root = str(self.library.personal_dir)
        resources = []
        for uri in data.pop("resources", []) or []:
            raw = str(uri).removeprefix("file://")
            for base in (root, str(self.library.base_dir)):
                if raw.startswith(base + "/"):
                    raw = raw[len(base) + 1 :]
            resources.append(raw)
        data["resources"] = resources
        try:
            agent = Agent.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ToolError(
                "AI_CONFIG_IMPORT_INVALID",
                f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}.",
                suggestions=["Fix that field, then import again."],
                exit_code=ExitCode.USAGE,
            ) from None
        self.save(agent, new=True)
        return agent

    def resolve(self, agent: Agent, mcp_catalog: Any) -> ResolvedAgent:
        files = self._library_files()
        chosen: dict[str, LibraryFile] = {}
        for pattern in agent.resources:
            matches = [f for f in files if fnmatch.fnmatch(f.path, pattern)]
            if not matches:
                raise ToolError(
                    "AI_CONFIG_RESOURCE_NOT_FOUND",
                    f"Agent {agent.name}: no library file matches {pattern!r}.",
                    suggestions=["List the files: ai-config library files"],
                    exit_code=ExitCode.NOT_FOUND,
                )
            for match in matches:
                chosen[match.path] = match
        prompt = agent.prompt
        if prompt.endswith(".md") and "\n" not in prompt:
            prompt = self.library.resolve(prompt).location.read_text(encoding="utf-8")
        mcp: dict[str, Any] = {}
        for server in agent.mcp_servers:
            if isinstance(server, str):
                mcp[server] = mcp_catalog.get(server)
            else:
                mcp.update(server)
        return ResolvedAgent(agent, prompt, list(chosen.values()), mcp)

    def _load(self, file: LibraryFile) -> Agent:
        text = file.location.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text)
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
