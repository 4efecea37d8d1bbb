"""The service reconnects after a database restart without being restarted itself.

Two gunicorns with the production settings (tests/faults/server.py) serve the throwaway cluster:
the project's configuration (2 workers, persistent connections, ``CONN_HEALTH_CHECKS`` on) and,
as the control, the same with health checks off (1 worker, so the order of its requests is
known). Each request is a register read as a logged-in superuser (``/api/v1/divisions/330521/``,
session cookie) or ``/readyz``. Before the restart every worker holds its persistent connection
(its session is in ``pg_stat_activity``); ``pg_ctl restart -m fast`` ends those sessions.

Measured: with health checks, every request after the restart answers 200 — each worker checks
its connection (``SELECT 1``) before first using it in a request, finds it dead and reconnects —
until every worker has a new session, with the same gunicorn master and worker processes as
before. Without them, a worker's first request after the restart uses the dead connection and
fails (500), and only then is the connection dropped, so its next request succeeds: one failed
request per worker per restart, which is what the setting prevents.
"""
from __future__ import annotations

from pathlib import Path

from .cluster import Cluster, sessions, wait_until
from .conftest import SUPERUSER, SUPERUSER_PASSWORD
from .server import Server, concurrently, login, request, start_server, wait_up

REGISTER = "/api/v1/divisions/330521/"
READY = "/readyz"


def _until_every_worker_connected(server: Server, url: str, cookie: str) -> list[int]:
    """Send requests (two per worker at once) until each worker holds a database session; all statuses."""
    statuses: list[int] = []

    def connected() -> bool:
        statuses.extend(concurrently(server, [REGISTER, READY] * server.workers, cookie))
        return sessions(url, server.app) >= server.workers

    wait_until(connected, f"every worker of {server.app} to hold a connection", timeout=60, step=0)
    return statuses


def test_service_reconnects_after_database_restart(throwaway_cluster: Cluster, tmp_path: Path) -> None:
    url = throwaway_cluster.url()
    servers: list[Server] = []
    try:
        checked = start_server(url, "geo-mz-fault-web", workers=2, health_checks=True, log=tmp_path / "web.log")
        servers.append(checked)
        control = start_server(url, "geo-mz-fault-web-unchecked", workers=1, health_checks=False,
                               log=tmp_path / "control.log")
        servers.append(control)
        for server in servers:
            wait_up(server)
        cookie = login(checked, SUPERUSER, SUPERUSER_PASSWORD)
        assert request(checked, REGISTER, cookie=cookie)[0] == 200
        for server in servers:
            assert set(_until_every_worker_connected(server, url, cookie)) == {200}
        workers = checked.worker_pids()
        assert len(workers) == 2

        throwaway_cluster.restart("fast")
        assert sessions(url, checked.app) == 0 and sessions(url, control.app) == 0  # the old sessions are gone

        after = _until_every_worker_connected(checked, url, cookie)
        assert after and set(after) == {200}, f"failed requests after the restart: {after}"
        assert checked.proc.poll() is None and checked.worker_pids() == workers  # nothing was restarted

        # The control: the first request on the dead connection fails, the next reconnects.
        first, second = request(control, REGISTER, cookie=cookie)[0], request(control, REGISTER, cookie=cookie)[0]
        assert (first, second) == (500, 200), (first, second)
        assert "Internal Server Error" in (tmp_path / "control.log").read_text(errors="replace")
        assert "Internal Server Error" not in (tmp_path / "web.log").read_text(errors="replace")
    finally:
        for server in servers:
            server.stop()
