"""GDAL's own OAPIF client (the one QGIS uses) against our OGC API on a real gunicorn serving the
test database: `ogrinfo` lists every collection with its geometry type and feature count, and
`ogr2ogr` pages through the `next` links (small pages) to fetch every feature of a collection.
GDAL authenticates as a department would: with an API key sent as a configured HTTP header."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest

from apps.divisions.models import Division

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def key_header(server_url, django_db_blocker) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """GDAL options sending a committed department key; the key and its usage are removed after."""
    from apps.accounts.keys import issue_key

    with django_db_blocker.unblock():
        issued = issue_key("自然资源和规划局", created_by="e2e", name="GDAL", rate_limit_per_minute=1000)
    try:
        yield ["--config", "GDAL_HTTP_HEADERS", f"Authorization: Api-Key {issued.secret}"]
    finally:
        from apps.common.models import ChangeRecord

        with django_db_blocker.unblock():
            key_id = issued.key.pk
            issued.key.delete()  # its per-minute usage rows go with it
            ChangeRecord.objects.filter(table_name="accounts_apikey", row_id=str(key_id)).delete()


def test_without_a_key_gdal_is_refused(server_url) -> None:  # type: ignore[no-untyped-def]
    refused = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{server_url}/ogc"], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode != 0 and "401" in refused.stderr


def _current_divisions(django_db_blocker) -> list[str]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return sorted(Division.objects.filter(valid_to__isnull=True, code__isnull=False, geometry__isnull=False)
                      .values_list("code", flat=True))


def test_ogrinfo_lists_the_collections_and_counts(server_url, key_header, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    listing = subprocess.run(["ogrinfo", *key_header, "-ro", "-so", f"OAPIF:{server_url}/ogc"], capture_output=True,
                             text=True, timeout=120, check=True).stdout
    layers = dict(re.findall(r"^\d+: (\S+) \(title: ([^)]*\))", listing, re.M))
    assert list(layers) == ["divisions", "addresses", "roads", "placenames", "facilities", "boundary-lines",
                            "boundary-markers"]
    assert layers["divisions"].startswith("行政区划")
    summary = subprocess.run(["ogrinfo", *key_header, "-ro", "-so", f"OAPIF:{server_url}/ogc", "divisions"],
                             capture_output=True, text=True, timeout=120, check=True).stdout
    assert "Geometry: Multi Polygon" in summary
    assert f"Feature Count: {len(_current_divisions(django_db_blocker))}" in summary
    assert re.search(r"^name: String", summary, re.M) and "ID[\"EPSG\",4326]" in summary


def test_ogr2ogr_follows_next_links_to_fetch_everything(server_url, key_header, django_db_blocker,
                                                       tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = _current_divisions(django_db_blocker)
    page_size = max(2, len(expected) // 5)  # several pages, so the `next` links must be followed
    out = tmp_path / "divisions.gpkg"
    run = subprocess.run(["ogr2ogr", *key_header, "--config", "CPL_DEBUG", "ON", "-f", "GPKG", str(out),
                          f"OAPIF:{server_url}/ogc", "divisions", "-oo", f"PAGE_SIZE={page_size}"],
                         capture_output=True, text=True, timeout=300, check=True)
    fetched_pages = re.findall(r"Fetch\((\S+/items\S*)\)", run.stderr)
    assert len([u for u in fetched_pages if "offset=" in u]) >= len(expected) // page_size - 1
    frame = pyogrio.read_dataframe(out)
    assert sorted(frame["code"]) == expected
    names = dict(zip(frame["code"], frame["name"]))
    with django_db_blocker.unblock():
        sample = Division.objects.filter(code=expected[0], valid_to__isnull=True).first()
    assert names[expected[0]] == sample.name
