"""A throwaway PostgreSQL 15 cluster for the fault tests, and small psycopg2 helpers.

The fault tests restart PostgreSQL; the shared cluster (scripts/pg.sh, port 55432) serves every
engineer and must never be stopped, so these tests get a cluster of their own: ``initdb`` into a
temporary directory with the same binaries as ``scripts/pg.sh`` (``/usr/lib/postgresql/15/bin``),
on a free loopback port, trust authentication on 127.0.0.1 only, the postgis, pgrouting and
pg_trgm extensions, then the project's migrations. As root (PostgreSQL refuses to run as root)
the cluster runs as the ``postgres`` system user, like ``scripts/pg.sh``. ``destroy`` stops it
(immediate) and removes the directory.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from tests.row_counts import row_counts as table_row_counts

PG_BIN = Path("/usr/lib/postgresql/15/bin")
USER = "geo_mz"
DBNAME = "geo_mz_faults"
EXTENSIONS = ("postgis", "pgrouting", "pg_trgm")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def query(url: str, sql: str, params: Any = None) -> list[tuple]:
    """Rows of one statement on a fresh autocommit connection (closed afterwards)."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def sessions(url: str, app: str) -> int:
    """Open sessions of the client programs named ``app`` (libpq's application_name, ``PGAPPNAME``)."""
    return query(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app])[0][0]


def row_counts(url: str) -> dict[str, int]:
    """Row count of every table of the public schema (what a partial write would change)."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            return table_row_counts(cur)
    finally:
        conn.close()


@dataclass
class Cluster:
    """A running throwaway cluster: its directory, port and the URL of its one database."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = DBNAME) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/{dbname}"

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
                              capture_output=True, text=True, timeout=120, check=True)

    def start(self) -> None:
        self.ctl("-l", str(self.root / "postgres.log"), "-w", "-t", "60", "start")

    def restart(self, mode: str) -> None:
        """``pg_ctl restart -m <mode>`` (fast: sessions ended, clean shutdown; immediate: no
        shutdown, crash recovery at start), waiting until it accepts connections again."""
        self.ctl("-m", mode, "-l", str(self.root / "postgres.log"), "-w", "-t", "60", "restart")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def create_cluster() -> Cluster:
    """initdb, configure, start; create the database with the extensions. Not migrated yet."""
    root = Path(tempfile.mkdtemp(prefix="geo-mz-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root, free_port())
    try:
        subprocess.run(_as_owner([str(PG_BIN / "initdb"), "-D", str(cluster.data), "-U", USER, "-E", "UTF8",
                                  "--locale=C.UTF-8", "--auth=trust", "--no-sync"]),
                       capture_output=True, text=True, timeout=120, check=True)
        with open(cluster.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            # Loopback only, a socket in our own directory, small and quick (a throwaway: no fsync).
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {cluster.port}\n"
                       f"unix_socket_directories = '{root}'\nshared_buffers = 64MB\nmax_connections = 30\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        cluster.start()
        query(cluster.url("postgres"), f'CREATE DATABASE "{DBNAME}"')
        for extension in EXTENSIONS:
            query(cluster.url(), f"CREATE EXTENSION IF NOT EXISTS {extension}")
    except BaseException:
        cluster.destroy()
        raise
    return cluster


def wait_until(predicate: Any, what: str, timeout: float = 60.0, step: float = 0.02) -> Any:
    """Poll ``predicate()`` until it returns something truthy (returned); fail after ``timeout``
    seconds with ``what`` (a bound against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting ({timeout:.0f} s) for {what}")
        time.sleep(step)
