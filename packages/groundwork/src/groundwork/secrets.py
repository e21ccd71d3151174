"""Small secrets encrypted at rest (API keys, MCP server tokens, notebook secrets).

The key is a Fernet key kept in the OS keyring when a real keyring backend is available, else in
a 0600 key file beside the tool's state. Every value that passes through a :class:`SecretBox`
is registered with the log redactor, so it can never reach a log line in clear.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from groundwork.errors import ExitCode, ToolError
from groundwork.health import CheckResult, Status
from groundwork.logs import redactor
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

__all__ = ["SecretBox"]

_KEYRING_USER = "secrets-key"


class SecretBox:
    """Encrypts and decrypts short strings with one key per tool.

    ``use_keyring=None`` uses the keyring only when a real backend is present (a desktop session,
    macOS Keychain, Windows Credential Locker); headless machines and CI get the key file.
    ``<TOOL>_KEYRING=0`` forces the file.
    """

    def __init__(self, tool: str, key_file: Path, *, use_keyring: bool | None = None) -> None:
        self.tool = tool
        self.key_file = key_file
        self._use_keyring = use_keyring
        self._fernet: Fernet | None = None

    @property
    def uses_keyring(self) -> bool:
        """Decided on first use, from where the key already is when it exists (a key file, or
        the marker left beside it when the key went into the keyring): importing keyring to ask
        costs ~80 ms that most commands never need.
        """
        if self._use_keyring is None:
            env = os.environ.get(f"{self.tool.upper().replace('-', '_')}_KEYRING", "")
            if env in ("0", "false"):
                self._use_keyring = False
            elif self._keyring_marker.exists():
                self._use_keyring = True
            elif self.key_file.exists():
                self._use_keyring = False
            else:
                self._use_keyring = _keyring_usable()
        return self._use_keyring

    @property
    def _keyring_marker(self) -> Path:
        """An empty file that says "the key is in the keyring" (it holds nothing secret)."""
        return self.key_file.with_name(f"{self.key_file.name}.in-keyring")

    @property
    def key_location(self) -> str:
        return f"OS keyring (service {self.tool})" if self.uses_keyring else str(self.key_file)

    def encrypt(self, plaintext: str) -> str:
        redactor.add(plaintext)
        return self._key().encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            plaintext = self._key().decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise ToolError(
                "GROUNDWORK_SECRET_UNREADABLE",
                "A stored secret could not be decrypted: it was changed, or the key is not the"
                " one it was encrypted with.",
                suggestions=[
                    "Set the secret again.",
                    f"If you moved the tool's folder, bring its key too ({self.key_location}).",
                ],
                exit_code=ExitCode.FAILURE,
            ) from exc
        redactor.add(plaintext)
        return plaintext

    def check(self) -> CheckResult:
        """A doctor check: the key is reachable and, when in a file, private."""
        name = "secrets key"
        if not self.key_file.exists() and not self._keyring_marker.exists():
            return CheckResult(name, Status.INFO, "no key yet", "It is created on first use.")
        if self.uses_keyring:
            try:
                self._key()
            except ToolError as exc:
                return CheckResult(name, Status.ERROR, exc.message, exc.suggestions[0])
            return CheckResult(name, Status.OK, f"key in the {self.key_location}")
        mode = stat.S_IMODE(self.key_file.stat().st_mode)
        if mode & 0o077:
            return CheckResult(
                name,
                Status.ERROR,
                f"{self.key_file} is readable by others (mode {mode:o})",
                f"chmod 600 {self.key_file}",
            )
        return CheckResult(name, Status.OK, f"key in {self.key_file} (0600)")

    def _key(self) -> Fernet:
        # cryptography is loaded here, not at import: a `doctor` that only checks the key file's
        # mode, or a command that never touches a secret, should not pay for it.
        from cryptography.fernet import Fernet

        if self._fernet is None:
            key = self._load_from_keyring() if self.uses_keyring else self._load_from_file()
            self._fernet = Fernet(key)
        return self._fernet

    def _load_from_file(self) -> bytes:
        if self.key_file.exists():
            mode = stat.S_IMODE(self.key_file.stat().st_mode)
            if mode & 0o077:
                raise ToolError(
                    "GROUNDWORK_SECRET_KEY_EXPOSED",
                    f"The secrets key {self.key_file} is readable by other users (mode {mode:o}).",
                    suggestions=[
                        f"chmod 600 {self.key_file}, then set your secrets again:"
                        " anyone who read the key can decrypt them."
                    ],
                    exit_code=ExitCode.PERMISSION,
                )
            return self.key_file.read_bytes().strip()
        from cryptography.fernet import Fernet

        key = Fernet.generate_key()
        private_dir(self.key_file.parent)
        atomic_write(self.key_file, key + b"\n", private=True)
        return key

    def _load_from_keyring(self) -> bytes:
        import keyring
        import keyring.errors
        from cryptography.fernet import Fernet

        try:
            stored = keyring.get_password(self.tool, _KEYRING_USER)
            if stored is None:
                stored = Fernet.generate_key().decode("ascii")
                keyring.set_password(self.tool, _KEYRING_USER, stored)
        except keyring.errors.KeyringError as exc:
            raise ToolError(
                "GROUNDWORK_KEYRING_UNAVAILABLE",
                f"The OS keyring refused access to the secrets key: {exc}.",
                suggestions=[
                    "Unlock your keyring and try again.",
                    f"Or set {self.tool.upper().replace('-', '_')}_KEYRING=0 to keep the key in a"
                    " 0600 file instead.",
                ],
                exit_code=ExitCode.PERMISSION,
            ) from exc
        if not self._keyring_marker.exists():
            private_dir(self.key_file.parent)
            atomic_write(self._keyring_marker, b"", private=True)
        return stored.encode("ascii")


def _keyring_usable() -> bool:
    """True when keyring has a real backend; its fail and null backends have priority <= 0."""
    try:
        import keyring

        backend = keyring.get_keyring()
        return float(getattr(backend, "priority", 0)) > 0 and "fail" not in type(backend).__module__
    except Exception:  # noqa: BLE001 - a broken keyring install means "not usable", not a crash
        return False
