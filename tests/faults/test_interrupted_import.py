"""An import interrupted mid-write leaves no partial rows and can be run again to success.

The import is ``manage.py import_layer … --target facilities --commit`` over 150 points (one
transaction; tests/faults/imports.py). It is caught mid-write from the database's own evidence
(its session inside a transaction with an xid, holding the table lock, with at least 30 facility
ids drawn and nothing committed), then interrupted:

* killed: SIGKILL of the ``manage.py`` process (the session's test database on the shared
  cluster: nothing else is disturbed);
* database restarted under it: ``pg_ctl restart -m immediate`` of the throwaway cluster (no
  shutdown at all, as in a crash: the server replays its WAL at start, and the open transaction
  never committed). The import then fails on its next statement. (The clean ``-m fast`` restart,
  which ends the sessions and aborts their transactions, is the one of test_reconnect.py.)

Afterwards every table of the database has the row count it had before (not one of the rows the
open transaction wrote survives), and the very same command run again imports all 150 rows.
"""
from __future__ import annotations

import signal

from .cluster import Cluster, row_counts, sessions, wait_until
from .conftest import session_database_url
from .imports import N_ROWS, imported, output, run_import, start_import, wait_mid_write


def _rerun_succeeds(url: str, layer, app: str, tmp, before: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    again = run_import(url, layer, app, tmp)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert f"已导入 {N_ROWS} 行" in again.stdout
    after = row_counts(url)
    assert after["facilities_facility"] - before["facilities_facility"] == N_ROWS
    assert after["facilities_facilitystatusevent"] - before["facilities_facilitystatusevent"] == N_ROWS
    assert after["facilities_mealservicedetail"] - before["facilities_mealservicedetail"] == N_ROWS


def test_import_killed_mid_write_leaves_nothing_and_reruns(facility_layer, drill_cleanup, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url, app = session_database_url(), "geo-mz-fault-import-kill"
    before = row_counts(url)
    assert imported(url) == 0

    with start_import(url, facility_layer, app, tmp_path) as run:
        seen = wait_mid_write(run)
        run.proc.send_signal(signal.SIGKILL)
        assert run.proc.wait(timeout=30) == -signal.SIGKILL, output(tmp_path, app)
    # The server notices the dead client and rolls its transaction back; wait for the session to end.
    wait_until(lambda: sessions(url, app) == 0, "the killed import's session to end")

    assert row_counts(url) == before, f"rows left behind by an import killed after {seen['ids_drawn']} rows"
    _rerun_succeeds(url, facility_layer, app, tmp_path, before)
    assert imported(url) == N_ROWS


def test_database_restarted_mid_import_leaves_nothing_and_reruns(  # type: ignore[no-untyped-def]
        throwaway_cluster: Cluster, facility_layer, tmp_path) -> None:
    url, app, mode = throwaway_cluster.url(), "geo-mz-fault-import-restart", "immediate"
    before = row_counts(url)

    with start_import(url, facility_layer, app, tmp_path) as run:
        seen = wait_mid_write(run)
        throwaway_cluster.restart(mode)
        code = run.proc.wait(timeout=120)
    log = output(tmp_path, app)
    assert code != 0, f"the import survived a database restart?\n{log[-2000:]}"
    assert "OperationalError" in log or "InterfaceError" in log, log[-2000:]

    assert row_counts(url) == before, f"rows left behind by an import cut after {seen['ids_drawn']} rows ({mode})"
    _rerun_succeeds(url, facility_layer, app, tmp_path, before)
