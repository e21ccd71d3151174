"""Scrape this host's processes with psutil into one batch per scrape.

`process_iter(attrs=...)` reads each process once in psutil's one-shot mode and yields None for
what it may not read (another user's io counters), so a process the agent cannot fully see is
still exported with what it can see. A process that exits mid-scrape simply is not in the batch.

A process's identity (executable, command line, owner) is read once and kept while the process
lives under the same name: those three reads (a readlink, the cmdline file, a user lookup) were
about a third of a scrape, and they do not change unless the process execs, which renames it.
"""

from __future__ import annotations

import os
import time
from typing import Any

import psutil

from phoenix.collector.model import ProcessBatch, new_row

PSUTIL_ATTRS = [
    "pid",
    "ppid",
    "name",
    "create_time",
    "cpu_times",
    "memory_info",
    "io_counters",
    "num_threads",
    "num_fds",
]
"""Read on every scrape."""
IDENTITY_ATTRS = ["exe", "cmdline", "username"]
"""Read when a process is first seen (or renamed by an exec)."""


class Scraper:
    """Keeps the previous scrape's CPU times, so `cpu_percent` covers the interval between two.

    A process is known by (pid, create_time), so a recycled pid starts afresh. On its first
    scrape a process's `cpu_percent` is its lifetime average, which is the best there is.
    """

    def __init__(self) -> None:
        self._previous: dict[tuple[int, float], tuple[float, float]] = {}
        self._identity: dict[tuple[int, float], tuple[str, str, str, str]] = {}
        self._cpu_primed = False

    def scrape(self) -> ProcessBatch:
        now = time.time()
        batch = ProcessBatch(now, self._host_cpu_percent(), psutil.virtual_memory().percent)
        seen: dict[tuple[int, float], tuple[float, float]] = {}
        identities: dict[tuple[int, float], tuple[str, str, str, str]] = {}
        for row_id, proc in enumerate(psutil.process_iter(attrs=PSUTIL_ATTRS, ad_value=None)):
            info: dict[str, Any] = proc.info
            identity_key = (info["pid"], info["create_time"] or 0.0)
            identity = self._identity.get(identity_key)
            if identity is None or identity[0] != info["name"]:
                try:
                    known = proc.as_dict(attrs=IDENTITY_ATTRS, ad_value=None)
                except psutil.NoSuchProcess:  # it exited since process_iter read it
                    continue
                identity = (
                    info["name"],
                    known["exe"] or "",
                    " ".join(known["cmdline"] or ()),
                    known["username"] or "",
                )
            identities[identity_key] = identity
            row = _row(row_id, info, identity)
            busy = row["cpu_user"] + row["cpu_system"]
            key = (row["pid"], row["create_time"])
            last = self._previous.get(key)
            if last is not None and now > last[1]:
                row["cpu_percent"] = max(0.0, (busy - last[0]) / (now - last[1]) * 100)
            elif row["create_time"] and now > row["create_time"]:
                row["cpu_percent"] = busy / (now - row["create_time"]) * 100
            seen[key] = (busy, now)
            batch.append_row(row)
        self._previous = seen
        self._identity = identities
        return batch

    def _host_cpu_percent(self) -> float:
        if self._cpu_primed:
            return float(psutil.cpu_percent(interval=None))
        # psutil's first reading has no interval behind it; the load average stands in for it.
        psutil.cpu_percent(interval=None)
        self._cpu_primed = True
        return min(100.0, os.getloadavg()[0] / (psutil.cpu_count() or 1) * 100)


def _row(row_id: int, info: dict[str, Any], identity: tuple[str, str, str, str]) -> dict[str, Any]:
    cpu = info["cpu_times"]
    memory = info["memory_info"]
    io = info["io_counters"]
    return new_row(
        row_id=row_id,
        pid=info["pid"],
        parent_pid=info["ppid"] or 0,
        name=info["name"] or "",
        exe=identity[1],
        cmdline=identity[2],
        owner=identity[3],
        create_time=info["create_time"] or 0.0,
        cpu_user=cpu.user if cpu else 0.0,
        cpu_system=cpu.system if cpu else 0.0,
        cpu_wait=getattr(cpu, "iowait", 0.0) if cpu else 0.0,
        rss=memory.rss if memory else 0,
        vms=memory.vms if memory else 0,
        read_bytes=io.read_bytes if io else 0,
        write_bytes=io.write_bytes if io else 0,
        threads=info["num_threads"] or 0,
        fds=info["num_fds"] or 0,
    )
