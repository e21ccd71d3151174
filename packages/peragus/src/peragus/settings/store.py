"""Settings and secrets in one SQLite file.

Secret values go through groundwork's SecretBox: only ciphertext is stored, they are decrypted
only to start a cell or call an AI provider, and nothing here returns one to an API caller. The
key is kept apart from the database (:mod:`peragus.settings.keys`) and can be rotated: every
secret is re-encrypted under a new key in one transaction.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.secrets import SecretBox
from groundwork.state import Migration, open_database
from groundwork.state.atomic import atomic_write
from peragus.settings.keys import KEY_NAME, config_dir, move_old_key

__all__ = ["AiSettings", "AlertSettings", "SecretInfo", "SettingsStore"]

SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_AI_KEY_SECRET = "__ai_api_key"  # noqa: S105 - the name of the row, not a key

_MIGRATIONS = (
    Migration(
        1,
        "settings and secrets",
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE secrets (
            name TEXT PRIMARY KEY,
            ciphertext TEXT NOT NULL,
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        """,
    ),
    Migration(
        2,
        "secrets linked to notebooks",
        """
        CREATE TABLE secret_notebooks (
            secret TEXT NOT NULL,
            notebook TEXT NOT NULL,
            PRIMARY KEY (secret, notebook)
        );
        """,
    ),
)


class AiSettings(BaseModel):
    """Which provider answers AI requests; the key itself is a secret, never part of this."""

    provider: Literal["openai", "anthropic"] = "openai"
    base_url: str = Field(default="https://api.openai.com/v1", max_length=500)
    model: str = Field(default="gpt-4o-mini", max_length=200)


class AlertSettings(BaseModel):
    """Thresholds past which the status page shows a banner and `doctor --watch` stops."""

    memory_mb: int = Field(
        default=1024, ge=16, description="The server's and its cells' memory together."
    )
    errors_per_minute: int = Field(default=20, ge=1, description="Error replies and events.")
    cell_seconds: int = Field(default=600, ge=1, description="A cell running longer than this.")


class SecretInfo(BaseModel):
    """A secret as any API shows it: its name and when it was set, never its value."""

    name: str
    updated_at: str | None = Field(description="UTC, ISO 8601.")
    notebooks: list[str] = Field(
        default_factory=list,
        description="The notebooks it is linked to (srcbook's per-session secrets); empty: every"
        " notebook gets it.",
    )


_KEYRING_USER = "secrets-key"  # groundwork's SecretBox keeps the key under this user name


class SettingsStore:
    def __init__(self, home: Path) -> None:
        self._conn = open_database(home / "peragus.db", _MIGRATIONS, check_same_thread=False)
        self.key_file = config_dir(home) / KEY_NAME
        self.key_moved = move_old_key(home, self.key_file)
        self._box = SecretBox("peragus", self.key_file)
        self._lock = threading.Lock()
        self._finish_rotation()

    @property
    def key_location(self) -> str:
        return self._box.key_location

    @property
    def _next_key_file(self) -> Path:
        return self.key_file.with_name(f"{KEY_NAME}.next")

    def rotate_key(self) -> int:
        """A new key, and every secret re-encrypted with it; the number of secrets.

        The new key is written to ``secrets.key.next`` first, the secrets are re-encrypted in one
        transaction, then the new key takes the old one's place: a crash at any point leaves a
        key that opens every secret (see :meth:`_finish_rotation`).
        """
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()
        fresh = Fernet(key)
        with self._lock:
            rows = self._conn.execute("SELECT name, ciphertext FROM secrets").fetchall()
            plain = {r["name"]: self._box.decrypt(r["ciphertext"]) for r in rows}
            private_dir(self.key_file.parent)
            atomic_write(self._next_key_file, key + b"\n", private=True)
            with self._conn:
                for name, value in plain.items():
                    token = fresh.encrypt(value.encode("utf-8")).decode("ascii")
                    self._conn.execute(
                        "UPDATE secrets SET ciphertext = ? WHERE name = ?", (token, name)
                    )
            self._install_next_key(key)
        return len(plain)

    def _install_next_key(self, key: bytes) -> None:
        if self._box.uses_keyring:
            import keyring

            keyring.set_password("peragus", _KEYRING_USER, key.decode("ascii"))
        else:
            atomic_write(self.key_file, key + b"\n", private=True)
        self._next_key_file.unlink()
        self._box = SecretBox("peragus", self.key_file)

    def _finish_rotation(self) -> None:
        """A rotation a crash interrupted: the next key stays if the secrets need it."""
        if not self._next_key_file.exists():
            return
        from cryptography.fernet import Fernet, InvalidToken

        key = self._next_key_file.read_bytes().strip()
        row = self._conn.execute("SELECT ciphertext FROM secrets LIMIT 1").fetchone()
        try:
            if row is not None:
                Fernet(key).decrypt(row["ciphertext"].encode("ascii"))
        except InvalidToken:
            self._next_key_file.unlink()  # the transaction never committed: the old key holds
            return
        self._install_next_key(key)

    def _links(self) -> dict[str, list[str]]:
        links: dict[str, list[str]] = {}
        for row in self._conn.execute(
            "SELECT secret, notebook FROM secret_notebooks ORDER BY notebook"
        ).fetchall():
            links.setdefault(row["secret"], []).append(row["notebook"])
        return links

    def secret_names(self) -> list[SecretInfo]:
        """Names, dates and links only: no API returns a secret's value."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, updated_at FROM secrets WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\'"
                " ORDER BY name"
            ).fetchall()
            links = self._links()
        return [
            SecretInfo(
                name=r["name"], updated_at=r["updated_at"], notebooks=links.get(r["name"], [])
            )
            for r in rows
        ]

    def secret(self, name: str) -> SecretInfo | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT name, updated_at FROM secrets WHERE name = ?", (name,)
            ).fetchone()
            links = self._links()
        if row is None:
            return None
        return SecretInfo(
            name=row["name"], updated_at=row["updated_at"], notebooks=links.get(name, [])
        )

    def link(self, name: str, notebook: str, *, linked: bool) -> SecretInfo:
        """Gives the secret to ``notebook`` only (with its other links), or takes it back."""
        if self.secret(name) is None or name.startswith("__"):
            raise ToolError(
                "PERAGUS_SECRET_NOT_FOUND",
                f"There is no secret {name!r}.",
                suggestions=["Add it in Settings first."],
                exit_code=ExitCode.NOT_FOUND,
            )
        with self._lock:
            if linked:
                self._conn.execute(
                    "INSERT OR IGNORE INTO secret_notebooks (secret, notebook) VALUES (?, ?)",
                    (name, notebook),
                )
            else:
                self._conn.execute(
                    "DELETE FROM secret_notebooks WHERE secret = ? AND notebook = ?",
                    (name, notebook),
                )
        found = self.secret(name)
        assert found is not None  # checked above
        return found

    def set_secret(self, name: str, value: str) -> SecretInfo:
        if not SECRET_NAME.match(name):
            raise ToolError(
                "PERAGUS_SECRET_NAME_INVALID",
                f"{name!r} cannot be an environment variable name.",
                suggestions=["Use letters, digits and _, not starting with a digit (API_KEY)."],
                exit_code=ExitCode.USAGE,
            )
        self._put(name, value)
        stored = self.secret(name)
        assert stored is not None  # just written
        return stored

    def _put(self, name: str, value: str) -> None:
        ciphertext = self._box.encrypt(value)
        with self._lock:
            self._conn.execute(
                "INSERT INTO secrets (name, ciphertext) VALUES (?, ?) ON CONFLICT(name) DO UPDATE"
                " SET ciphertext = excluded.ciphertext,"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                (name, ciphertext),
            )

    def delete_secret(self, name: str) -> SecretInfo | None:
        """The secret removed, or None when there was none of that name."""
        with self._lock:
            rows = self._conn.execute(
                "DELETE FROM secrets WHERE name = ? RETURNING name, updated_at", (name,)
            ).fetchall()  # all: the statement (and its write) ends only once it is read out
            self._conn.execute("DELETE FROM secret_notebooks WHERE secret = ?", (name,))
        return next((SecretInfo(name=r["name"], updated_at=r["updated_at"]) for r in rows), None)

    def secret_values(self, notebook: str) -> dict[str, str]:
        """The secrets ``notebook`` gets, in clear (only for a cell's environment): those linked
        to it and those linked to no notebook.
        """
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, ciphertext FROM secrets WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\'"
                " AND (NOT EXISTS (SELECT 1 FROM secret_notebooks WHERE secret = name)"
                " OR EXISTS (SELECT 1 FROM secret_notebooks WHERE secret = name AND notebook = ?))",
                (notebook,),
            ).fetchall()
        return {r["name"]: self._box.decrypt(r["ciphertext"]) for r in rows}

    def ai(self) -> AiSettings:
        with self._lock:
            row = self._conn.execute("SELECT value FROM settings WHERE key = 'ai'").fetchone()
        return AiSettings.model_validate_json(row["value"]) if row else AiSettings()

    def set_ai(self, settings: AiSettings, api_key: str | None) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO settings (key, value) VALUES ('ai', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (settings.model_dump_json(),),
            )
        if api_key:
            self._put(_AI_KEY_SECRET, api_key)

    def alerts(self) -> AlertSettings:
        with self._lock:
            row = self._conn.execute("SELECT value FROM settings WHERE key = 'alerts'").fetchone()
        return AlertSettings.model_validate_json(row["value"]) if row else AlertSettings()

    def set_alerts(self, alerts: AlertSettings) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO settings (key, value) VALUES ('alerts', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (alerts.model_dump_json(),),
            )

    def ai_key(self) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT ciphertext FROM secrets WHERE name = ?", (_AI_KEY_SECRET,)
            ).fetchone()
        return self._box.decrypt(row["ciphertext"]) if row else None

    def close(self) -> None:
        self._conn.close()
