"""Row counts of every table, the evidence several tests use that nothing was written (bad input,
interrupted imports, the restore drill). Works with any DB-API cursor (Django's or psycopg2's)."""
from __future__ import annotations

from collections.abc import Container
from typing import Any

# Every schema but PostgreSQL's own (PostGIS keeps spatial_ref_sys in public; topology has its own).
ALL_SCHEMAS = ("SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables "
               "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
PUBLIC_SCHEMA = "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"


def row_counts(cursor: Any, tables_sql: str = PUBLIC_SCHEMA, skip: Container[str] = ()) -> dict[str, int]:
    cursor.execute(tables_sql)
    counts = {}
    for (table,) in cursor.fetchall():
        if table in skip:
            continue
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
    return counts
