"""Real-browser fixtures: a gunicorn server on 127.0.0.1 serving the session's test database
(with its committed seed data), and Debian's headless Chromium driven by Playwright. Every
request the page makes is recorded so tests can prove nothing left the machine."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

# Playwright's sync API keeps an event loop in the main thread; Django would then refuse the
# fixtures' own (synchronous) database calls. Nothing here is really async: allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
E2E_USER, E2E_PASSWORD = "e2e-staff", "e2e-Passw0rd-不外传"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_url(django_db_setup, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The browser tests log in through the real login form as a real staff account: an
    administrator of 德清县 (330521), made by the accounts service like any other account."""
    from apps.accounts.principal import Role
    from apps.accounts.services import save_staff_account

    with django_db_blocker.unblock():
        save_staff_account(E2E_USER, role=Role.ADMINISTRATOR, jurisdiction="330521", password=E2E_PASSWORD,
                           department="德清县民政局")
        db = connection.settings_dict
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geo_mz.settings.test", "DJANGO_CONN_MAX_AGE": "0",
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    log = open(Path(settings.BASE_DIR) / "var" / "e2e-server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "geo_mz.wsgi:application", "--bind",
                             f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"],
                            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start; see var/e2e-server.log")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        # Backends of the killed workers can outlive them for a moment; end them so the test
        # database can be dropped.
        with django_db_blocker.unblock(), connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")


class CspCheckedBrowser:
    """The Chromium browser, whose every new context records Content-Security-Policy violations
    reported on the console (`csp_violations`); the autouse fixture below fails any test that caused one."""

    def __init__(self, browser: object) -> None:
        self._browser = browser
        self.csp_violations: list[str] = []

    def new_context(self, **kwargs: object) -> object:
        context = self._browser.new_context(**kwargs)  # type: ignore[attr-defined]
        context.on("console", self._console)
        return context

    def _console(self, message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text:
            self.csp_violations.append(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser() -> Iterator[CspCheckedBrowser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM,
                                      args=["--no-sandbox", "--disable-background-networking",
                                            "--disable-component-update", "--no-first-run"])
        yield CspCheckedBrowser(chromium)
        chromium.close()


@pytest.fixture(autouse=True)
def no_csp_violations(request):  # type: ignore[no-untyped-def]
    """Every browser test must run its pages under our Content-Security-Policy without a violation."""
    if "browser" not in request.fixturenames:
        yield
        return
    if "server_url" in request.fixturenames:  # the server first, as in `page`
        request.getfixturevalue("server_url")
    checked = request.getfixturevalue("browser")
    checked.csp_violations.clear()
    yield
    assert checked.csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(checked.csp_violations)


@pytest.fixture
def page(server_url, browser):  # server first: its DB set-up must not run inside Playwright's loop  # type: ignore[no-untyped-def]
    """A fresh page whose every request URL is kept in `page.requested`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested.append(request.url))  # type: ignore[attr-defined]
    yield page
    context.close()


def external_requests(urls: list[str]) -> list[str]:
    local = ("http://127.0.0.1:", "data:", "blob:", "about:")
    return [u for u in urls if not u.startswith(local)]
