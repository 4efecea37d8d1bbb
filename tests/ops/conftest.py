"""Operations fixtures: connection URLs to databases on the test cluster, and a scratch database."""
from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg2
import pytest
from django.db import connection


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def scratch_database(django_db_setup) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database of our own on the same cluster, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(*statements: str) -> None:
    conn = psycopg2.connect(database_url("postgres"))
    conn.autocommit = True
    try:
        for statement in statements:
            conn.cursor().execute(statement)
    finally:
        conn.close()
