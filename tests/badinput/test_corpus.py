"""The bad-input corpus (issue #9): every case of `tests/data/bad_inputs/cases.json` is sent to the
real service (real PostGIS test database, DRF/Django test clients) as the case's caller — "staff":
an account with every right (superuser), so that only the bad input can be the reason for the
refusal; "anon": the public; otherwise a read-only viewer of 德清县, the least account that may
read the API at all — and must be answered with its expected 4xx — `application/problem+json` with a message
containing the expected fragment for the API, the page's own error page for HTML pages — never a
500, and must write nothing: the row counts of every table (except sessions) are the same before
and after. A few `check` cases store a hostile value (a `<script>` name, a `=cmd|` name, an SQL
string) and prove it comes back escaped, neutralised or literal."""
from __future__ import annotations

import html
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tests.conftest import make_staff
from tests.row_counts import row_counts

DATA = Path(__file__).resolve().parent.parent / "data" / "bad_inputs"
CASES: list[dict[str, Any]] = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))["cases"]
NOT_COUNTED = {"django_session"}  # logging a test client in writes a session; nothing else may change

sys.path.insert(0, str(DATA))
from make_files import make  # noqa: E402


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return tmp_path_factory.mktemp("bad_inputs")


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return row_counts(cursor, skip=NOT_COUNTED)


def _client(case: dict[str, Any], settings, tmp_path):  # type: ignore[no-untyped-def]
    from django.test import Client
    from rest_framework.test import APIClient

    auth = case.get("auth")
    if auth == "staff":
        user = get_user_model().objects.create_superuser("corpus-staff", password=None)
    elif auth == "anon":
        user = None
    else:
        user = make_staff("corpus-viewer", role="viewer", jurisdiction="330521")
    if case.get("client") == "page":
        settings.EXCHANGE_IMPORT_DIR = tmp_path / "uploads"
        client = Client()
        if user:
            client.force_login(user)
        return client
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def _send(client, case: dict[str, Any], files: Path):  # type: ignore[no-untyped-def]
    method, path = case["method"].lower(), case["path"]
    call = getattr(client, method)
    extra: dict[str, Any] = {}
    if case.get("content_length"):
        extra["CONTENT_LENGTH"] = str(case["content_length"])
    if case.get("query"):
        return call(path, case["query"], **extra)
    if "upload" in case:
        upload = case["upload"]
        with open(make(upload["file"], files), "rb") as fh:
            data = {"file": fh, **upload.get("data", {})}
            if case.get("client") == "page":
                response = call(path, data, **extra)
                if response.status_code == 302:
                    response = client.get(response["Location"], case.get("then_query", {}))
                return response
            return call(path, data, format="multipart", **extra)
    if "raw" in case:
        return call(path, case["raw"].encode(), content_type=case["content_type"], **extra)
    if "body_file" in case:
        return call(path, make(case["body_file"], files).read_bytes(), content_type="application/json", **extra)
    if "body" in case:
        return call(path, case["body"], format="json", **extra)
    return call(path, **extra)


def _assert_refused(case: dict[str, Any], response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == case["status"], (response.status_code, response.content[:400])
    if case.get("plain"):  # pages refused before any view runs: a plain-text 400
        assert response["Content-Type"].startswith("text/plain")
        text = response.content.decode()
    elif case.get("html"):
        assert response["Content-Type"].startswith("text/html")
        found = re.search(r'<p class="err" id="import-error">(.*?)</p>', response.content.decode(), re.S)
        assert found and found.group(1).strip(), "the page shows no error message"
        text = html.unescape(found.group(1))
    else:
        assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
        body = response.json()
        assert body["status"] == case["status"] and body["detail"].strip()
        text = json.dumps(body, ensure_ascii=False)
    assert case["fragment"] and case["fragment"] in text, text[:600]


def _check_shown_safely(case: dict[str, Any], client, response) -> None:  # type: ignore[no-untyped-def]
    """A hostile value that was accepted must come back harmless wherever it is shown."""
    assert response.status_code == case["status"], response.content[:400]
    stored = case["body"]["name"]
    url = case["show"].replace("{id}", str(response.json()["id"]))
    if case["check"] == "html_escaped":
        from django.test import Client

        page_client = Client()
        page_client.force_login(get_user_model().objects.get(username="corpus-staff"))
        page = page_client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert html.escape(stored) in text and stored not in text
    else:
        shown = client.get(url)
        assert shown.status_code == 200, shown.content[:400]
        content = b"".join(shown.streaming_content) if shown.streaming else shown.content
        text = content.decode("utf-8-sig")
        assert case["expect_in_file"] in text
        if case["check"] == "csv_neutralised":
            assert not any(line.startswith("=") or ",=" in line for line in text.splitlines())


def _command_error(case: dict[str, Any], files: Path) -> str:
    """The message of the CommandError the management command must stop with."""
    from django.core.management import CommandError, call_command

    command = case["command"]
    args = [str(make(a[1:-1], files)) if a.startswith("{") else a for a in command["args"]]
    with pytest.raises(CommandError) as refused:
        call_command(command["name"], *args, stdout=io.StringIO())
    return str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case: dict[str, Any], files: Path, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = _client(case, settings, tmp_path)
    if "check" in case:
        _check_shown_safely(case, client, _send(client, case, files))
        return
    before = _row_counts()
    if "command" in case:
        message = _command_error(case, files)
        assert case["fragment"] and case["fragment"] in message, message
        assert _row_counts() == before, "a refused import wrote rows"
        return
    response = _send(client, case, files)
    assert response.status_code < 500, response.content[:600]
    _assert_refused(case, response)
    assert _row_counts() == before, "a refused request wrote rows"


def test_corpus_is_large_and_spread() -> None:
    """The issue asks for at least 60 inputs across the API and the imports."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    assert {c["app"] for c in CASES} >= {"divisions", "addresses", "placenames", "boundaries", "facilities",
                                         "analysis", "exchange", "mapui"}
