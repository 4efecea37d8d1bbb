"""The matcher and its API on real addresses made through the services (test database): exact
and messy spellings, renamed roads, homophones, negatives, status rules, autocomplete, batches."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.accounts.keys import issue_key

from apps.addresses import services
from apps.addresses.matching import index as match_index
from apps.addresses.matching.service import geocode
from apps.addresses.models import MatchBatch, ReviewItem
from apps.common.jobs import claim_next, run_job
from apps.common.models import JobStatus
from tests.conftest import make_staff

from ..addresses.conftest import ew_road, offset, wukang  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(ew_road, wukang):  # type: ignore[no-untyped-def]
    """测试东西路 1号, 3号 and 2号, and a room address behind 1号; the index rebuilt on them."""
    seat = wukang.seat
    made = {}
    for key, dx, dy in (("1", 0.003, 0.0002), ("3", 0.002, 0.0002), ("2", 0.003, -0.0002)):
        made[key] = services.allocate_door(ew_road, offset(seat, dx, dy), actor="t", valid_from=dt.date(2020, 1, 1))
    made["room"] = services.create_address(services.AddressInput(
        location=offset(seat, 0.003, 0.0004), road=ew_road, door_number=1, building="3", unit="2", room="502",
        valid_from=dt.date(2020, 1, 1)), actor="t")
    match_index.forget()
    yield made
    match_index.forget()


@pytest.mark.parametrize("query", [
    "浙江省湖州市德清县武康街道测试东西路1号",
    "德清县武康街道测试东西路1号",
    "德清武康测试东西路1号",
    "测试东西路1号",
    "湖州德清 测试东西路 1 号",
    "浙江省湖州市德清县武康街道测试东西路１号",
    "浙江省湖州市德清縣武康街道測試東西路一號",
])
def test_door_spellings_match_the_door(register, query: str) -> None:  # type: ignore[no-untyped-def]
    result = geocode(query)
    assert result.status == "matched", (query, result)
    assert result.best.code == register["1"].code and result.best.precision == "门牌"


@pytest.mark.parametrize("query", ["测试东西路1号3幢2单元502室", "测试东西路1号3栋2单元502", "测试东西路1号3号楼2单元五零二室"])
def test_room_spellings(register, query: str) -> None:  # type: ignore[no-untyped-def]
    result = geocode(query)
    assert result.status == "matched" and result.best.code == register["room"].code and result.best.precision == "户室"


def test_nonexistent_door_is_not_matched_but_the_road_is_offered(register) -> None:  # type: ignore[no-untyped-def]
    result = geocode("德清县武康街道测试东西路99号")
    assert result.status == "unmatched"
    assert result.best.precision == "街路巷" and any(r.startswith("door_not_found") for r in result.best.reasons)


def test_unknown_road_and_outside_county_are_unmatched(register) -> None:  # type: ignore[no-untyped-def]
    assert geocode("德清县武康街道完全不存在大道8号").status == "unmatched"
    outside = geocode("江苏省南通市启东市汇龙镇人民中路1号")
    assert outside.status == "unmatched" and outside.outside_county


def test_homophone_typo_is_corrected_with_a_reason(register) -> None:  # type: ignore[no-untyped-def]
    result = geocode("德清县武康街道测式东西路3号")  # 试→式, same pinyin
    assert result.best.code == register["3"].code and any(r.startswith("fuzzy:") for r in result.best.reasons)


def test_old_road_name_finds_the_renamed_road(register, ew_road) -> None:  # type: ignore[no-untyped-def]
    services.rename_road(ew_road, "英才新路", dt.date(2025, 1, 1), actor="t")
    match_index.forget()
    result = geocode("德清县武康街道测试东西路3号")
    assert result.status == "matched" and result.best.code == register["3"].code
    assert "英才新路3号" in result.best.full_text and any(r.startswith("renamed_from") for r in result.best.reasons)


def test_api_geocode_and_autocomplete(api, register) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/geocode", {"q": "测试东西路3号", "within": "330521"}).json()
    assert body["status"] == "matched" and body["features"][0]["id"] == register["3"].code
    assert body["features"][0]["geometry"]["type"] == "Point" and body["features"][0]["properties"]["reasons"]
    assert api.get("/api/v1/geocode", {"q": "测试东西路3号", "within": "320681"}).json()["count"] == 0
    suggestions = api.get("/api/v1/autocomplete", {"q": "测试东西"}).json()["suggestions"]
    assert suggestions[0]["text"] == "测试东西路" and suggestions[0]["kind"] == "road"
    doors = api.get("/api/v1/autocomplete", {"q": "测试东西路"+"1"}).json()["suggestions"]
    assert doors[0]["code"] == register["1"].code
    for bad in ({"q": ""}, {"q": "x", "limit": 0}, {"q": "x", "within": "abc"}, {"q": "x", "nope": 1}):
        assert api.get("/api/v1/geocode", bad).status_code == 400


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("batch.csv", buffer.getvalue().encode(encoding), content_type="text/csv")


def key_client(department: str) -> tuple[APIClient, int]:
    """An API client presenting a new department key (as the department's system would)."""
    issued = issue_key(department, created_by="test-admin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.secret}")
    return client, issued.key.pk


def test_batch_runs_as_a_job_and_its_report_matches_its_output(api, register) -> None:  # type: ignore[no-untyped-def]
    """Sent with the police's key: the batch is the key's department's whatever the form says, and
    only that key (and staff of the county) see its job."""
    police, key_id = key_client("公安局")
    rows = [["编号", "地址"], ["1", "德清县武康街道测试东西路1号"], ["2", "测试东西路3号"], ["3", "测试东西路99号"],
            ["4", "江苏省南通市启东市人民路1号"], ["5", "=HYPERLINK(\"x\")测试东西路2号"]]
    response = police.post("/api/v1/geocode/batch", {"file": _csv(rows, "gbk"), "column": "地址", "department": "别的部门"},
                           format="multipart")
    assert response.status_code == 202 and response["Location"].startswith("/api/v1/jobs/")
    job = claim_next()
    assert job is not None and run_job(job).status == JobStatus.SUCCEEDED
    status = police.get(response["Location"]).json()
    assert status["status"] == "succeeded" and status["progress"] == 1.0 and status["batch"]["department"] == "公安局"
    assert MatchBatch.objects.get(job=job).api_key_id == key_id
    other_key, _ = key_client("水务集团")
    assert other_key.get(response["Location"]).status_code == 404  # another department's job
    assert other_key.get(response["Location"] + "/result").status_code == 404
    assert api.get(response["Location"]).json()["batch"]["department"] == "公安局"  # a county viewer
    output = police.get(response["Location"] + "/result")
    lines = list(csv.reader(io.StringIO(b"".join(output.streaming_content).decode("utf-8-sig"))))
    assert lines[0][:2] == ["编号", "地址"] and lines[1][-2] == "匹配"
    matched_in_file = sum(1 for line in lines[1:] if line[-2] == "匹配")
    batch = MatchBatch.objects.get(job=job)
    assert batch.report["match_rate"] == round(matched_in_file / 5, 4) and batch.report["encoding"].startswith("GBK")
    assert lines[5][1].startswith("'=")  # the formula is written back inert
    assert ReviewItem.objects.filter(batch=batch).count() == 5 - matched_in_file
    # The per-department match rate counts the key's batch under the key's department (staff only).
    history = api.get("/api/v1/geocode/departments").json()["departments"]
    assert set(history) == {"公安局"} and history["公安局"][0]["rows"] == 5
    assert history["公安局"][0]["matched"] == matched_in_file
    assert police.get("/api/v1/geocode/departments").status_code == 403


@pytest.mark.parametrize("upload,column,field", [
    (SimpleUploadedFile("e.csv", b""), "地址", "file"),
    (SimpleUploadedFile("h.csv", "地址\n".encode()), "地址", "file"),
    (SimpleUploadedFile("w.csv", "名称,住址\n甲,德清\n".encode()), "地址", "column"),
    (SimpleUploadedFile("b.csv", bytes(range(256)) * 10), "地址", "file"),
    (SimpleUploadedFile("big.csv", ("地址\n" + "德" * 600 + "\n").encode()), "地址", "file"),
    (SimpleUploadedFile("x.xlsx", b"PK\x03\x04not really a zip"), "地址", "file"),
])
def test_bad_batch_uploads_are_400_and_write_nothing(api, upload, column, field) -> None:  # type: ignore[no-untyped-def]
    api.force_authenticate(make_staff("clerk", role="editor"))
    response = api.post("/api/v1/geocode/batch", {"file": upload, "column": column, "department": "水务"},
                        format="multipart")
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not MatchBatch.objects.exists()


def test_batch_needs_a_login_or_a_key_and_a_viewer_cannot_send_one(anon_api, api) -> None:  # type: ignore[no-untyped-def]
    anonymous = anon_api.post("/api/v1/geocode/batch", {}, format="multipart")
    assert anonymous.status_code == 401 and anonymous["Content-Type"].startswith("application/problem+json")
    assert api.post("/api/v1/geocode/batch", {}, format="multipart").status_code == 403  # viewers only read
    assert not MatchBatch.objects.exists()


def test_review_resolution_becomes_an_alias(api, register, client) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff("reviewer", role="editor", jurisdiction="330521")
    api.force_authenticate(staff)
    rows = [["地址"], ["武康街道老街3号门面"]]
    api.post("/api/v1/geocode/batch", {"file": _csv(rows), "column": "地址", "department": "供电公司"},
             format="multipart")
    run_job(claim_next())
    item = ReviewItem.objects.get()
    client.force_login(staff)
    page = client.get("/addresses/matching/review/").content.decode()
    assert "武康街道老街3号门面" in page
    client.post("/addresses/matching/review/", {"item": item.pk, "code": register["3"].code})
    item.refresh_from_db()
    assert item.resolved.code == register["3"].code
    match_index.forget()
    again = geocode("武康街道老街3号门面")
    assert again.status == "matched" and again.best.code == register["3"].code and "alias" in again.best.reasons[0]
    history = api.get("/api/v1/geocode/departments").json()["departments"]
    assert history["供电公司"][0]["rows"] == 1
    assert "供电公司" in client.get("/addresses/matching/").content.decode()


def test_xlsx_with_formulas_is_matched_as_text_and_a_10_mb_cell_is_refused(api, register) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    api.force_authenticate(make_staff("water", role="editor"))
    book = Workbook()
    sheet = book.active
    sheet.append(["户号", "地址"])
    sheet.append(["A1", "测试东西路3号"])
    sheet.append(["A2", '=HYPERLINK("http://evil","测试东西路1号")'])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("water.xlsx", buffer.getvalue())
    response = api.post("/api/v1/geocode/batch", {"file": upload, "column": "地址", "department": "水务集团"},
                        format="multipart")
    assert response.status_code == 202
    job = run_job(claim_next())
    batch = MatchBatch.objects.get(job=job)
    assert batch.rows == 2 and "公式" in "".join(batch.report["notes"])  # the formula text is matched as typed
    lines = list(csv.reader(io.StringIO(job.result_file.open("rb").read().decode("utf-8-sig"))))
    assert lines[2][1].startswith("'=HYPERLINK")  # never evaluated, written back inert
    huge = SimpleUploadedFile("huge.csv", ("地址\n" + "德" * (10 * 1024 * 1024 // 3) + "\n").encode())
    refused = api.post("/api/v1/geocode/batch", {"file": huge, "column": "地址", "department": "水务集团"},
                       format="multipart")
    assert refused.status_code == 400 and "超过" in refused.json()["detail"]
