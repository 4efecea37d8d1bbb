"""Importing surveyed buildings as door addresses (`import_layer --target addresses`): each point is
numbered on its road by the register's rule, through the same service as the door allocation of
the API. A 武康街道 clerk's import on another township's road is refused with nothing written (issue
9: "a clerk account for one township cannot change an address in another … import tried"), a dry
run writes nothing, and bad rows are named."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.addresses.models import Address
from apps.common.models import ChangeRecord

from ..addresses.conftest import clerk, ew_road, far_road, other_township, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _buildings(folder: Path, road, count: int = 3, *, households: str = "4") -> Path:  # type: ignore[no-untyped-def]
    """Building points ~20 m north of an east–west road, ~100 m apart, from its east end westwards
    (the numbering direction of GB/T 35639 Annex B: odd numbers on the north side)."""
    east = max(road.geometry.coords)
    path = folder / f"buildings-{road.code}.csv"
    rows = [f"{road.code},{east[0] - 0.001 * (i + 1):.7f},{east[1] + 0.0002:.7f},{households}" for i in range(count)]
    path.write_text("道路编码,lon,lat,户数\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _import(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import_layer", str(path), "--target", "addresses", "--crs", "EPSG:4490", "--x", "lon",
                 "--y", "lat", *extra, stdout=out)
    return out.getvalue()


def _rows() -> list[tuple]:
    return list(Address.objects.order_by("pk").values_list("pk", "code", "road_id", "door_number", "valid_to"))


def test_clerk_imports_doors_on_its_own_roads_only(clerk, ew_road, far_road, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = _rows()
    with pytest.raises(CommandError, match="辖区"):
        _import(_buildings(tmp_path, far_road), "--commit", "--user", clerk.username)
    with pytest.raises(CommandError, match="辖区"):
        _import(_buildings(tmp_path, far_road), "--commit", "--skip-rejected", "--user", clerk.username)
    assert _rows() == before

    out = _import(_buildings(tmp_path, ew_road), "--commit", "--user", clerk.username)
    assert "已导入 3 行" in out
    made = Address.objects.filter(road=ew_road, valid_to__isnull=True).order_by("door_number")
    # Numbered by the rule in the file's order (east to west, north side: 1, 3, 5号), with its households.
    assert [(a.door_number, a.door_suffix) for a in made] == [(1, 0), (3, 0), (5, 0)]
    assert {a.township_id for a in made} == {ew_road.township_id} and {a.households for a in made} == {4}
    recorded = ChangeRecord.objects.filter(table_name="addresses_address", action="I",
                                           row_id__in=[str(a.pk) for a in made])
    assert recorded.count() == 3 and {r.actor for r in recorded} == {clerk.username}


def test_dry_run_and_bad_rows_write_nothing(ew_road, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = _rows()
    out = _import(_buildings(tmp_path, ew_road))
    assert "试运行" in out and "3 行可导入" in out and _rows() == before
    bad = tmp_path / "bad.csv"
    start = ew_road.geometry.coords[0]
    bad.write_text(f"道路编码,lon,lat,户数\nR0000-nope,{start[0]:.6f},{start[1]:.6f},1\n"
                   f"{ew_road.code},{start[0]:.6f},{start[1] + 0.0002:.6f},-2\n", encoding="utf-8")
    report = _import(bad)  # the dry run names each bad row
    assert "没有现行街路巷“R0000-nope”" in report and "户数“-2”应为非负整数" in report
    with pytest.raises(CommandError, match="2 行被拒绝"):
        _import(bad, "--commit")
    assert _rows() == before


