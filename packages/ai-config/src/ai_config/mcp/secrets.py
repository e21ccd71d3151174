"""MCP secrets: every env value and header is stored encrypted unless marked public.

A definition keeps ``${secret:NAME}`` where a value was; the value itself is encrypted in
``secrets.json`` (the key in the OS keyring, else a 0600 file). Exports turn references back into
values (a global export, 0600) or into references the target tool expands from the environment
(a project export, which people commit): ``${VAR}`` for Claude Code and Kiro, ``${env:VAR}`` for
Cursor, each as that tool documents; Q CLI documents no expansion, so a secret env key is left
out and the server inherits the variable from the environment Q CLI runs in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from groundwork.errors import ExitCode, ToolError
from groundwork.state.atomic import atomic_write_json

if TYPE_CHECKING:
    from groundwork.secrets import SecretBox

__all__ = [
    "PROTECTED_FIELDS",
    "REFERENCE",
    "ReferenceStyle",
    "SecretStore",
    "env_var_for",
    "secret_name",
]

REFERENCE = re.compile(r"\$\{secret:([A-Za-z0-9_.-]+)\}")
_VARIABLE = re.compile(r"^\$\{[^}]+\}$|^\$[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
PROTECTED_FIELDS = ("env", "headers")
"""The parts of an MCP definition whose values are secret unless marked public."""

ReferenceStyle = Literal["inline", "dollar", "env-colon", "inherit"]
"""How an export writes a secret: its value, ``${VAR}``, ``${env:VAR}``, or nothing at all
(``inherit``: the env key is left out, so the server inherits the variable from the environment
the tool runs in; for a tool that documents no expansion of its own)."""


def secret_name(raw: str) -> str:
    if not _SECRET_NAME.match(raw):
        raise ToolError(
            "AI_CONFIG_SECRET_NAME_INVALID",
            f"{raw!r} is not a valid secret name.",
            suggestions=["Use letters, digits, '.', '_' and '-', like github.GITHUB_TOKEN."],
            context={"name": raw},
            exit_code=ExitCode.USAGE,
        )
    return raw


def env_var_for(name: str) -> str:
    """The environment variable a project export asks for in place of secret ``name``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()


class SecretStore:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.file = home / "secrets.json"

    @cached_property
    def box(self) -> SecretBox:
        """Made when a secret is read or written: cryptography is slow to import, and listing
        servers needs none of it."""
        from groundwork.secrets import SecretBox

        return SecretBox("ai-config", self.home / "secrets.key")

    def _load(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.file.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def names(self) -> list[str]:
        return sorted(self._load())

    def put(self, name: str, value: str) -> None:
        stored = self._load()
        stored[secret_name(name)] = self.box.encrypt(value)
        atomic_write_json(self.file, stored, private=True)

    def get(self, name: str) -> str:
        stored = self._load()
        if name not in stored:
            raise ToolError(
                "AI_CONFIG_SECRET_MISSING",
                f"The secret {name!r} an MCP server needs is not set.",
                suggestions=[f"Set it: ai-config mcp secret {name}"],
                exit_code=ExitCode.NOT_FOUND,
            )
        return self.box.decrypt(stored[name])

    def values(self) -> list[str]:
        """Every stored secret's value, to look for in files that must not hold them."""
        return [self.box.decrypt(token) for token in self._load().values()]

    def protect(
        self, entry: dict[str, Any], prefix: str, public: Iterable[str] = ()
    ) -> dict[str, Any]:
        """``entry`` with each env and header value moved into the store (``prefix.KEY``) and
        replaced by its reference; public keys, empty values and values that already refer to
        a variable or a secret stay as they are."""
        keep = set(public)
        protected = dict(entry)
        for field in PROTECTED_FIELDS:
            values = entry.get(field)
            if not isinstance(values, dict):
                continue
            protected[field] = {}
            for key, value in values.items():
                text = str(value)
                if key in keep or not text or REFERENCE.fullmatch(text) or _VARIABLE.match(text):
                    protected[field][key] = value
                    continue
                name = f"{prefix}.{key}" if field == "env" else f"{prefix}.{field}.{key}"
                self.put(name, text)
                protected[field][key] = f"${{secret:{name}}}"
        return protected

    def render(
        self, entry: dict[str, Any], style: ReferenceStyle, needed: set[str]
    ) -> dict[str, Any]:
        """A copy for an export: references become values (``inline``) or references to
        environment variables, whose names are added to ``needed``."""
        rendered = dict(entry)
        for field in PROTECTED_FIELDS:
            values = entry.get(field)
            if not isinstance(values, dict):
                continue
            rendered[field] = {}
            for key, value in values.items():
                if not isinstance(value, str):
                    rendered[field][key] = value
                elif style == "inherit" and REFERENCE.search(value):
                    self._inherit(entry, field, key, value, needed)
                else:
                    env_key = key if field == "env" else None
                    rendered[field][key] = self._render_value(value, env_key, style, needed)
        return rendered

    def _inherit(
        self, entry: dict[str, Any], field: str, key: str, value: str, needed: set[str]
    ) -> None:
        """Leave a secret env key out so the server inherits it; a secret the tool would have
        to expand (a header, part of a longer value) cannot be left to the environment."""
        if field == "env" and REFERENCE.fullmatch(value):
            needed.add(key)
            return
        raise ToolError(
            "AI_CONFIG_SECRET_NOT_EXPANDABLE",
            f"The {field} value {key!r} of MCP server {entry.get('name') or 'in this agent'}"
            " holds a secret inside it, and this tool does not expand variables in its files:"
            " the secret would have to be written into the project file.",
            suggestions=[
                "Export it for you alone, without --dest (the file is 0600 in your home).",
                "Or write the value into the project file with --inline-secrets, and keep that"
                " file out of git (agent export --check flags it).",
            ],
            context={"field": f"{field}.{key}"},
            exit_code=ExitCode.USAGE,
        )

    def _render_value(
        self, text: str, env_key: str | None, style: ReferenceStyle, needed: set[str]
    ) -> str:
        whole = REFERENCE.fullmatch(text)

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if style == "inline":
                return self.get(name)
            # An env value that is wholly a secret asks for the variable of the same name, the
            # one the server documents (GITHUB_TOKEN, not GITHUB_GITHUB_TOKEN).
            var = env_key if whole and env_key else env_var_for(name)
            needed.add(var)
            return f"${{{var}}}" if style == "dollar" else f"${{env:{var}}}"

        return REFERENCE.sub(fill, text)
