"""The 界桩 field page on a phone in real Chromium: the position comes from the browser's
geolocation (granted in the context), the displacement from the registered position is shown;
a GCJ-02 reading typed in is converted. Nothing leaves 127.0.0.1."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import E2E_PASSWORD, external_requests

pytestmark = pytest.mark.e2e  # no django_db: the page is read through a separate server

FIELD_USER = "e2e-zhongfang-inspector"


@pytest.fixture
def field_marker(server_url, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo lines committed (the server is another process), a planned campaign on 中芷线."""
    import datetime as dt

    from apps.boundaries import services
    from apps.boundaries.demo import load_demo_boundaries
    from apps.accounts.principal import Role
    from apps.accounts.services import save_staff_account
    from apps.boundaries.models import BoundaryLine
    from tests.boundaries.conftest import wipe_boundaries

    with django_db_blocker.unblock():
        wipe_boundaries()
        load_demo_boundaries()
        line = BoundaryLine.objects.get(code="4301")
        services.start_campaign(line, title="2026年中芷线联检", period_start=dt.date(2026, 11, 1), actor="e2e")
        marker = line.markers.order_by("sequence").first()
        # The inspector works for 中方县, a party of 中芷线 (the default e2e account is 德清县's).
        save_staff_account(FIELD_USER, role=Role.EDITOR, jurisdiction="431221", password=E2E_PASSWORD,
                           department="中方县民政局")
        try:
            yield marker.number, (marker.position.x, marker.position.y)
        finally:
            wipe_boundaries()
            shutil.rmtree(Path(settings.MEDIA_ROOT) / "boundaries" / marker.number, ignore_errors=True)


def test_record_an_inspection_from_the_phone_position(server_url, field_marker, browser) -> None:  # type: ignore[no-untyped-def]
    # The server and the data first: their database work must not run inside Playwright's loop.
    from apps.boundaries.displacement import destination
    from apps.common.coords import wgs84_to_gcj02

    number, registered = field_marker
    lon, lat = destination(registered, 0.0, 25.0)  # the phone stands 25 m north of the registered position
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  geolocation={"longitude": lon, "latitude": lat, "accuracy": 3},
                                  permissions=["geolocation"])
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(f"{server_url}/admin/login/?next=/boundaries/field/{number}/")
        page.fill("#id_username", FIELD_USER)
        page.fill("#id_password", E2E_PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector(f"text={number}")
        assert page.inner_text("header").startswith("界桩检查")
        page.select_option("#condition", "moved")
        page.select_option("#action", "pending")
        page.click("#locate")
        page.wait_for_function("() => document.getElementById('lon').value !== ''")
        assert page.input_value("#crs") == "EPSG:4326"
        assert "已定位" in page.inner_text("#locate-status")
        page.fill("#remarks", "界桩受挤压北移")
        page.set_input_files("#photos", files=[{"name": "jz.png", "mimeType": "image/png", "buffer": _png()}])
        page.click("#save")
        page.wait_for_selector("#result")
        assert float(page.inner_text("#displacement")) == pytest.approx(25.0, abs=0.02)
        assert page.inner_text("#marker-state") == "移位"
        assert page.inner_text("#photo-count") == "1"
        assert len(list((Path(settings.MEDIA_ROOT) / "boundaries" / number).glob("*.png"))) == 1
        # The same marker read off a phone map (GCJ-02), typed in: converted, so ~0 m.
        glon, glat = wgs84_to_gcj02(*registered)
        page.select_option("#condition", "good")
        page.select_option("#action", "restored")
        page.select_option("#crs", "GCJ-02")
        page.fill("#lon", f"{glon:.7f}")
        page.fill("#lat", f"{glat:.7f}")
        page.click("#save")
        page.wait_for_selector("#result")
        assert float(page.inner_text("#displacement")) < 0.5
        assert "GCJ-02 转换" in page.inner_text("#result")
        assert page.inner_text("#marker-state") == "完好"
        # Bad input is refused with a reason, not a crash.
        page.fill("#lat", "abc")
        page.click("#save")
        page.wait_for_selector("#error")
        assert "经纬度" in page.inner_text("#error")
        assert external_requests(requested) == []
    finally:
        context.close()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 120, 160)).save(buffer, "PNG")
    return buffer.getvalue()
