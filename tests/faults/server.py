"""A gunicorn of the fault tests, as in production as far as a test allows, and its HTTP client.

Settings ``geo_mz.settings.prod`` (random 64-byte secret, ``DJANGO_ALLOWED_HOSTS=127.0.0.1``,
``DATABASE_URL`` of the throwaway cluster, the production ``CONN_MAX_AGE`` default of 60 s:
persistent connections), sync workers as ``make run`` and the Dockerfile start them. Requests
carry ``X-Forwarded-Proto: https`` as the bureau's reverse proxy sets it (production redirects
plain http and marks cookies Secure). The workers' database sessions are named with ``PGAPPNAME``
so that the tests can see in ``pg_stat_activity`` which workers hold a connection.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .cluster import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = secrets.token_urlsafe(64)  # one for every server of the session: sessions stay valid across them


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    app: str
    workers: int
    log: Path

    def stop(self) -> None:
        """SIGINT (gunicorn's quick shutdown) to the master we started; SIGKILL if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def worker_pids(self) -> set[int]:
        """The master's child processes (its workers), from /proc."""
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.add(int(entry.name))
        return found


def start_server(database_url: str, app: str, *, workers: int, health_checks: bool, log: Path) -> Server:
    """Launch gunicorn on a free loopback port (returns at once: ``wait_up`` waits for it)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geo_mz.settings.prod", "DJANGO_SECRET_KEY": SECRET_KEY,
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": database_url, "PGAPPNAME": app,
           "DJANGO_CONN_HEALTH_CHECKS": "1" if health_checks else "0"}
    env.pop("DJANGO_CONN_MAX_AGE", None)  # the production default
    port = free_port()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "geo_mz.wsgi:application", "--bind",
                                 f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(proc, port, app, workers, log)


def wait_up(server: Server) -> None:
    """Until /healthz answers 200 (bounded); a server that exits meanwhile fails with its log."""
    def up() -> bool:
        if server.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited {server.proc.returncode}:\n{server.log.read_text()[-3000:]}")
        try:
            return request(server, "/healthz")[0] == 200
        except OSError:
            return False

    wait_until(up, f"gunicorn {server.app} to answer", timeout=60, step=0.1)


def request(server: Server, path: str, *, method: str = "GET", cookie: str = "", body: str = "",
            headers: dict[str, str] | None = None) -> tuple[int, bytes, list[str]]:
    """One request through the (simulated) TLS proxy: status, body and Set-Cookie headers."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        sent = {"X-Forwarded-Proto": "https", "Accept": "application/json", **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        conn.request(method, path, body=body or None, headers=sent)
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


def _cookie(set_cookies: list[str], name: str) -> str | None:
    for header in set_cookies:
        key, _, rest = header.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    return None


def login(server: Server, username: str, password: str) -> str:
    """Session login at /admin/login/ (CSRF cookie and token, same-origin Referer as over HTTPS);
    returns the Cookie header value to send afterwards."""
    status, page, cookies = request(server, "/admin/login/", headers={"Accept": "text/html"})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    csrf = _cookie(cookies, "csrftoken")
    assert status == 200 and token and csrf, (status, page[:300])
    form = urllib.parse.urlencode({"username": username, "password": password, "next": "/admin/",
                                   "csrfmiddlewaretoken": token.group(1).decode()})
    status, body, cookies = request(server, "/admin/login/", method="POST", cookie=f"csrftoken={csrf}", body=form,
                                    headers={"Content-Type": "application/x-www-form-urlencoded",
                                             "Referer": f"https://127.0.0.1:{server.port}/admin/login/"})
    session = _cookie(cookies, "sessionid")
    assert status == 302 and session, (status, body[:500])
    return f"csrftoken={csrf}; sessionid={session}"


def concurrently(server: Server, paths: list[str], cookie: str) -> list[int]:
    """Send ``paths`` at once (one thread each); their statuses, in order."""
    statuses = [0] * len(paths)

    def send(i: int) -> None:
        try:
            statuses[i] = request(server, paths[i], cookie=cookie)[0]
        except OSError:
            statuses[i] = -1

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses
