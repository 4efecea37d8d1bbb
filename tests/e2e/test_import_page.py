"""The staff import page in real Chromium: a GBK shapefile without `.cpg` is uploaded, the page
shows the guessed encoding with the names decoded, the dry run lists the rejected rows with their
reasons, and the commit (skipping them) registers the facility. Nothing leaves 127.0.0.1; the
committed facility is removed afterwards."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from .conftest import E2E_PASSWORD, E2E_USER, external_requests

pytestmark = pytest.mark.e2e  # no django_db: the page is used through a separate server
NAME = "端到端导入幸福食堂"


@pytest.fixture
def gbk_upload(server_url, django_db_blocker, tmp_path: Path):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    import shapely

    from apps.common.models import ChangeRecord
    from apps.divisions.models import Division
    from apps.facilities.models import BurialDetail, Facility, FacilityStatusEvent, MealServiceDetail

    with django_db_blocker.unblock():
        seat = Division.objects.get(name="武康街道", level="township", valid_to__isnull=True).seat
    frame = gpd.GeoDataFrame({"MC": [NAME, "无名"], "LX": ["老年食堂", "火箭站"]},
                             geometry=[shapely.Point(seat.x + 0.001, seat.y), shapely.Point(seat.x, seat.y)],
                             crs="EPSG:4490")
    frame.to_file(tmp_path / "src.shp", encoding="GBK", engine="pyogrio")
    os.remove(tmp_path / "src.cpg")
    archive = tmp_path / "养老设施.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(tmp_path / f"src{suffix}", f"src{suffix}")
    try:
        yield archive
    finally:
        with django_db_blocker.unblock():
            for facility in Facility.objects.filter(name=NAME):
                for model in (FacilityStatusEvent, MealServiceDetail, BurialDetail):
                    model.objects.filter(facility=facility).delete()
                ChangeRecord.objects.filter(table_name="facilities_facility", row_id=str(facility.pk)).delete()
                facility.delete()


def test_upload_preview_dry_run_and_commit(page, server_url, gbk_upload, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    from apps.facilities.models import Facility

    page.goto(f"{server_url}/admin/login/?next=/imports/")
    page.fill("#id_username", E2E_USER)
    page.fill("#id_password", E2E_PASSWORD)
    page.click("input[type=submit]")
    page.set_input_files("input[name=file]", str(gbk_upload))
    page.select_option("select[name=target]", "facilities")
    page.click("#upload-form button")
    page.wait_for_selector("#preview-table")
    assert page.inner_text("#detected-encoding") == "GBK" and page.inner_text("#detected-crs") == "EPSG:4490"
    assert NAME in page.inner_text("#preview-table")
    # MC/LX (名称/类型 initials) are usual field names: the mapping is proposed, the user may change it.
    assert page.input_value("select[name=map_name]") == "MC" and page.input_value("select[name=map_kind]") == "LX"
    assert page.input_value("select[name=map_operator]") == ""
    page.click("#mapping-form button[value=dry_run]")
    page.wait_for_selector("#report-message")
    assert "1 行可导入，1 行被拒绝" in page.inner_text("#report-message")
    assert "未知设施类型“火箭站”" in page.inner_text("#rejected-table")
    page.check("input[name=skip_rejected]")
    page.click("#commit-form button")
    page.wait_for_selector("text=导入完成")
    with django_db_blocker.unblock():
        facility = Facility.objects.get(name=NAME)
        assert facility.kind.code == "elderly_canteen" and facility.status_events.get().actor == E2E_USER
    assert external_requests(page.requested) == []
