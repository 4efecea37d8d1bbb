"""Issue 9, data exchange: imports run with the importing account's rights. A 武康街道 clerk's import
of features lying in another township — by `import_layer --user` or on the /imports/ page — is
refused with nothing written (even when asked to skip rejected rows), while the same import inside
武康街道 is written; viewers cannot import; OGC and exports are reads for staff and keys, 401 for
the public."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rest_framework.test import APIClient

from apps.accounts.keys import issue_key
from apps.facilities.models import Facility
from apps.placenames.models import PlaceName
from tests.conftest import make_staff

from ..addresses.conftest import clerk, other_township, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _csv(folder: Path, name: str, seat, count: int = 2) -> Path:  # type: ignore[no-untyped-def]
    path = folder / name
    rows = [f"{name[:2]}助餐点{i},{seat.x + 0.001 * (i + 1):.6f},{seat.y:.6f}" for i in range(count)]
    path.write_text("name,lon,lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _import(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import_layer", str(path), "--target", "facilities", "--crs", "EPSG:4490", "--x", "lon",
                 "--y", "lat", "--fixed", "kind=meal_point", "--commit", *extra, stdout=out)
    return out.getvalue()


def _facility_rows() -> list[tuple]:
    return list(Facility.objects.order_by("pk").values_list("pk", "code", "name", "township_id"))


def test_command_imports_only_inside_the_users_jurisdiction(clerk, wukang, other_township, tmp_path) -> None:  # type: ignore[no-untyped-def]
    far = _csv(tmp_path, "far.csv", other_township.seat)
    before = _facility_rows()
    with pytest.raises(CommandError, match="辖区"):
        _import(far, "--user", clerk.username)
    with pytest.raises(CommandError, match="辖区"):  # skipping rejected rows does not skip the jurisdiction
        _import(far, "--user", clerk.username, "--skip-rejected")
    assert _facility_rows() == before
    home = _import(_csv(tmp_path, "home.csv", wukang.seat), "--user", clerk.username)
    assert "已导入 2 行" in home
    made = Facility.objects.exclude(pk__in=[row[0] for row in before])
    assert made.count() == 2 and {f.township_id for f in made} == {wukang.pk}
    assert {e.actor for f in made for e in f.status_events.all()} == {clerk.username}


def test_command_refuses_viewers_and_unknown_users(wukang, tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_staff("import-viewer", role="viewer", jurisdiction=wukang.code)
    path = _csv(tmp_path, "home.csv", wukang.seat)
    before = _facility_rows()
    with pytest.raises(CommandError, match="编辑员"):
        _import(path, "--user", "import-viewer")
    with pytest.raises(CommandError, match="没有启用的账号"):
        _import(path, "--user", "nobody-here")
    assert _facility_rows() == before


def test_command_refuses_place_names_naming_another_township(clerk, other_township, wukang, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "names.csv"
    seat = wukang.seat  # the point lies at home, but the named division is elsewhere
    path.write_text(f"name,category,division,lon,lat\n测试新村,村,{other_township.code},{seat.x:.6f},{seat.y:.6f}\n",
                    encoding="utf-8")
    before = PlaceName.objects.count()
    with pytest.raises(CommandError, match="辖区"):
        call_command("import_layer", str(path), "--target", "placenames", "--crs", "EPSG:4490", "--x", "lon",
                     "--y", "lat", "--commit", "--user", clerk.username, stdout=io.StringIO())
    assert PlaceName.objects.count() == before


def test_import_page_refuses_another_township_and_viewers(client, clerk, wukang, other_township, tmp_path,
                                                          settings) -> None:  # type: ignore[no-untyped-def]
    settings.EXCHANGE_IMPORT_DIR = tmp_path / "uploads"
    assert client.get("/imports/").status_code == 403  # the `client` fixture is a viewer
    client.force_login(clerk)
    before = _facility_rows()
    options = {"crs": "EPSG:4490", "x": "lon", "y": "lat", "map_name": "name", "fixed_kind": "meal_point"}
    for name, seat in (("far.csv", other_township.seat), ("home.csv", wukang.seat)):
        with open(_csv(tmp_path, name, seat), "rb") as fh:
            preview = client.post("/imports/", {"file": fh, "target": "facilities"})["Location"]
        committed = client.post(preview + "run", options | {"action": "commit", "skip_rejected": "1"})
        page = committed.content.decode()
        if name == "far.csv":
            assert "不在本账号辖区内" in page and "导入完成" not in page
            assert _facility_rows() == before
        else:
            assert "导入完成" in page, page[-1500:]
            assert len(_facility_rows()) == len(before) + 2


def test_ogc_and_exports_are_reads_for_staff_only_401_for_the_public(api, anon_api, anon_client) -> None:  # type: ignore[no-untyped-def]
    assert anon_client.get("/ogc/collections").status_code == 401
    assert anon_api.get("/api/v1/export/divisions", {"format": "csv", "division": "330521"}).status_code == 401
    assert api.get("/api/v1/export/divisions", {"format": "csv", "division": "330521"}).status_code == 200
    assert api.get("/ogc/collections", HTTP_ACCEPT="application/json").status_code == 200
    key = APIClient()
    key.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_key('规划局', created_by='t').secret}")
    items = key.get("/ogc/collections/divisions/items", {"limit": 2, "f": "json"})
    assert items.status_code == 200 and len(items.json()["features"]) == 2  # GIS clients use department keys
