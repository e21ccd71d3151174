from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from groundwork.errors import ToolError
from groundwork.logs import configure_logging, get_logger, redactor
from groundwork.secrets import SecretBox


@pytest.fixture
def box(tmp_path: Path) -> SecretBox:
    return SecretBox("demo", tmp_path / "secrets.key", use_keyring=False)


def test_round_trip_with_a_private_key_file(box: SecretBox) -> None:
    token = box.encrypt("sk-live-1234567890")
    assert "sk-live" not in token
    assert box.decrypt(token) == "sk-live-1234567890"
    assert stat.S_IMODE(box.key_file.stat().st_mode) == 0o600
    again = SecretBox("demo", box.key_file, use_keyring=False)
    assert again.decrypt(token) == "sk-live-1234567890"
    assert box.check().status == "ok"


def test_a_tampered_value_or_another_key_is_a_clear_error(box: SecretBox, tmp_path: Path) -> None:
    token = box.encrypt("hunter2-password")
    with pytest.raises(ToolError) as tampered:
        box.decrypt(token[:-4] + "AAAA")
    assert tampered.value.code == "GROUNDWORK_SECRET_UNREADABLE"
    other = SecretBox("demo", tmp_path / "other.key", use_keyring=False)
    with pytest.raises(ToolError):
        other.decrypt(token)


def test_an_exposed_key_file_is_refused(box: SecretBox) -> None:
    box.encrypt("value-1234")
    box.key_file.chmod(0o644)
    fresh = SecretBox("demo", box.key_file, use_keyring=False)
    with pytest.raises(ToolError) as exposed:
        fresh.encrypt("value-5678")
    assert exposed.value.code == "GROUNDWORK_SECRET_KEY_EXPOSED"
    assert fresh.check().status == "error"


def test_a_secret_never_appears_in_the_logs(box: SecretBox, tmp_path: Path) -> None:
    log_file = tmp_path / "demo.log"
    configure_logging(log_file)
    try:
        secret = "ghp_SuperSecretTokenValue42"
        stored = box.encrypt(secret)
        plain = SecretBox("demo", box.key_file, use_keyring=False).decrypt(stored)
        log = get_logger("demo")
        log.info("calling api", url=f"https://api.example/?key={plain}", api_key=plain)
        log.warning(f"request failed with token {plain}")
        try:
            raise RuntimeError(f"auth failed for {plain}")
        except RuntimeError:
            log.exception("boom")
        logging.getLogger("thirdparty").error("header Authorization: Bearer %s", plain)
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log_file.read_text()
        assert "calling api" in text
        assert "auth failed for" in text
        assert secret not in text
        assert text.count("***") >= 5
    finally:
        logging.getLogger().handlers.clear()
        redactor.clear()


WHERE_IS_THE_KEY = """
import sys
from pathlib import Path
from groundwork.secrets import SecretBox

box = SecretBox("demo", Path(sys.argv[1]))
check = box.check()
print(check.status, check.message, "keyring" in sys.modules, sep="|")
"""


@pytest.mark.parametrize("key_file_exists", [False, True])
def test_doctor_finds_the_key_without_asking_the_os_keyring(
    tmp_path: Path, key_file_exists: bool
) -> None:
    key_file = tmp_path / "secrets.key"
    if key_file_exists:
        SecretBox("demo", key_file, use_keyring=False).encrypt("made the key")
    done = subprocess.run(
        [sys.executable, "-c", WHERE_IS_THE_KEY, str(key_file)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DEMO_KEYRING": ""},
    )
    status, message, keyring_loaded = done.stdout.strip().split("|")
    expected = ("ok", f"key in {key_file} (0600)") if key_file_exists else ("info", "no key yet")
    assert (status, message) == expected
    assert keyring_loaded == "False"  # importing it costs ~80 ms on every doctor
