"""Log files are readable by their owner only, after rotation too."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from groundwork.logs import configure_logging, get_logger


def test_every_rotated_log_file_is_private(tmp_path: Path) -> None:
    log_file = tmp_path / "service.log"
    configure_logging(log_file, max_bytes=2_000, backups=2)
    try:
        log = get_logger("rotation")
        for n in range(100):
            log.info("request", path=f"/api/things/{n}", client="127.0.0.1")
        for handler in logging.getLogger().handlers:
            handler.flush()
    finally:
        for handler in logging.getLogger().handlers:
            handler.close()
        logging.getLogger().handlers.clear()
    files = sorted(tmp_path.glob("service.log*"))
    assert [f.name for f in files] == ["service.log", "service.log.1", "service.log.2"]
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
