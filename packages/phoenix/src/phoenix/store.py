"""phoenix's state in SQLite: deployments (versioned), experiments, per-interval figures."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from groundwork.paths import private_dir
from groundwork.state import Migration, open_database

__all__ = ["open_store"]

MIGRATIONS = [
    Migration(
        1,
        "deployments and experiments",
        """
        CREATE TABLE deployments (
            version INTEGER PRIMARY KEY,
            pipeline TEXT NOT NULL,
            source TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            reason TEXT NOT NULL,
            deployed_at TEXT NOT NULL
        );
        CREATE TABLE experiments (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            baseline TEXT NOT NULL,
            candidate TEXT NOT NULL,
            duration_seconds REAL NOT NULL,
            interval_seconds REAL NOT NULL,
            critical_regex TEXT NOT NULL,
            min_reduction REAL NOT NULL,
            min_critical REAL NOT NULL,
            state TEXT NOT NULL,
            verdict TEXT,
            runner_pid INTEGER,
            deployment_before INTEGER,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            message TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE intervals (
            experiment TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            variant TEXT NOT NULL,
            at TEXT NOT NULL,
            input_series INTEGER NOT NULL,
            output_series INTEGER NOT NULL,
            reduction_percent REAL NOT NULL,
            critical_seen INTEGER NOT NULL,
            critical_retained INTEGER NOT NULL,
            datapoints_per_minute REAL NOT NULL,
            monthly_cost REAL NOT NULL,
            engine_cpu_ms REAL NOT NULL,
            PRIMARY KEY (experiment, seq, variant)
        );
        """,
    ),
    Migration(
        2,
        "fleet hosts and their deployments; experiments across host groups",
        """
        CREATE TABLE fleet_hosts (
            name TEXT PRIMARY KEY,
            host_group TEXT NOT NULL,
            kind TEXT NOT NULL,
            address TEXT,
            netns TEXT,
            collector TEXT NOT NULL,
            workdir TEXT NOT NULL,
            gateway TEXT NOT NULL,
            health_port INTEGER NOT NULL,
            telemetry_port INTEGER NOT NULL,
            cores INTEGER NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE fleet_deployments (
            id INTEGER PRIMARY KEY,
            host TEXT NOT NULL REFERENCES fleet_hosts(name) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            pipeline TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            config TEXT NOT NULL,
            outcome TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '',
            deployed_at TEXT NOT NULL
        );
        ALTER TABLE experiments ADD COLUMN baseline_group TEXT;
        ALTER TABLE experiments ADD COLUMN candidate_group TEXT;
        ALTER TABLE experiments ADD COLUMN prometheus_url TEXT;
        """,
    ),
    Migration(
        3,
        "ssh options per fleet host",
        "ALTER TABLE fleet_hosts ADD COLUMN ssh_options TEXT NOT NULL DEFAULT '[]';",
    ),
]


def open_store(home: Path) -> sqlite3.Connection:
    """Opened under a lock: groundwork reads the schema version before it starts the migration's
    transaction, so two first opens at once (the server's threads, the server and the CLI) could
    both apply the same migration."""
    import fcntl

    private_dir(home)
    with (home / "phoenix.db.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return open_database(home / "phoenix.db", MIGRATIONS, check_same_thread=False)
