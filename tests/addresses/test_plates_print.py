"""Tests for apps.addresses.plates_print (door-plate print files); pure Python, no Django, no database.

QR codes are checked with a real decoder (zxing-cpp), the PDF is parsed back with pypdf, and, where
poppler-utils' `pdftoppm` is installed, rendered to pixels so the printed QR codes are decoded too.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import zxingcpp
from fontTools.ttLib import TTCollection, TTFont
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream

from apps.addresses import plates_print as pp
from apps.addresses.plates_print import (
    CSV_HEADER,
    PLATE_FORMATS,
    CJKFontNotFound,
    PlateToPrint,
    find_cjk_font,
    plates_csv,
    plates_pdf,
    qr_code,
    qr_svg,
)

PT_PER_MM = 72 / 25.4
BASE = "https://mz.deqing.gov.cn"
TOKENS = [  # opaque url-safe tokens, 22 characters like secrets.token_urlsafe(16)
    "q3Xv_9kL2mN8pR4sT6wY0a", "B7cD-eF1gH2iJ3kL4mN5oP", "Zz9yX8wV7uT6sR5qP4oN3m", "aA1bB2cC3dD4eE5fF6gG7h",
    "-kL2mN8pR4sT6wY0aq3Xv_", "H2iJ3kL4mN5oPB7cD-eF1g", "uT6sR5qP4oN3mZz9yX8wV7", "dD4eE5fF6gG7haA1bB2cC3",
    "mN8pR4sT6wY0aq3Xv_9kL2",
]
PAGE_MM = {"A4P": (210, 297), "A2L": (594, 420), "A3P": (297, 420), "A3L": (420, 297)}
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def url(i: int) -> str:
    return f"{BASE}/m/{TOKENS[i]}"


def _plates() -> list[PlateToPrint]:
    sizes = ["small", "large", "medium", "small", "medium", "small", "medium", "small", "small"]
    roads = ["余英坊", "英溪南路", "英溪南路", "千秋街", "永安街", "余英坊小区东门", "中兴路", "北湖街", "群安路"]
    doors = ["3幢101室", "8号", "10号", "12号", "1号", "1-2号", "88号", "5号", "7号"]
    pinyin = ["Yuying Fang", "Yingxi Nanlu", "Yingxi Nanlu", None, "Yong'an Jie", None, "Zhongxing Lu", None, None]
    return [
        PlateToPrint(
            plate_no=f"330521-001-{i + 1:05d}",
            size=size,
            road_or_area=road,
            door=door,
            full_text=f"浙江省湖州市德清县武康街道{road}{door}",
            url=url(i),
            pinyin=py,
        )
        for i, (size, road, door, py) in enumerate(zip(sizes, roads, doors, pinyin))
    ]


@pytest.fixture(scope="module")
def plates() -> list[PlateToPrint]:
    return _plates()


@pytest.fixture(scope="module")
def pdf_bytes(plates) -> bytes:  # type: ignore[no-untyped-def]
    return plates_pdf(plates, title="德清县数字门牌 第一批")


@pytest.fixture(scope="module")
def reader(pdf_bytes) -> PdfReader:  # type: ignore[no-untyped-def]
    return PdfReader(io.BytesIO(pdf_bytes))


def decode(image: Image.Image) -> list[zxingcpp.Result]:
    return [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]


# ------------------------------------------------------------------------------------------ formats


def test_plate_formats() -> None:
    assert {k: (f.width_mm, f.height_mm, f.qr_mm) for k, f in PLATE_FORMATS.items()} == {
        "large": (570, 370, 120),
        "medium": (270, 170, 75),
        "small": (150, 90, 40),
    }
    assert PLATE_FORMATS["large"].label == "大号 570×370"
    assert PLATE_FORMATS["medium"].label == "中号 270×170"
    assert PLATE_FORMATS["small"].label == "小号 150×90"
    assert all(f.key == k for k, f in PLATE_FORMATS.items())


def test_plate_rejects_unknown_size() -> None:
    with pytest.raises(ValueError, match="unknown plate size"):
        PlateToPrint("X-1", "huge", "英溪南路", "8号", "浙江省湖州市德清县武康街道英溪南路8号", url(0))


# ----------------------------------------------------------------------------------------------- QR


def test_qr_png_decodes_to_url() -> None:
    qr = qr_code(url(0))
    assert qr.error in ("M", "Q") and not qr.is_micro
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=8, border=4)
    (result,) = decode(Image.open(io.BytesIO(buf.getvalue())))
    assert result.text == url(0)
    assert result.ec_level == "Q"


def _rasterize_svg(svg: str, px_per_module: int = 8) -> tuple[Image.Image, ET.Element]:
    """Paint the SVG qr_svg writes (a white rect plus one path of closed axis-aligned rectangles
    `M x y h w v 1 h -w z`) to a bitmap; fails on anything else in the path."""
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    vb = [float(v) for v in root.attrib["viewBox"].split()]
    assert vb[:2] == [0, 0] and vb[2] == vb[3]
    n = int(vb[2])
    bg = root.find("s:rect", ns)
    assert bg is not None and bg.attrib["fill"] == "#fff"
    assert float(bg.attrib["width"]) == n and float(bg.attrib["height"]) == n
    path = root.find("s:path", ns)
    assert path is not None and path.attrib["fill"] == "#000"
    d = path.attrib["d"]
    rx = re.compile(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z")
    img = Image.new("L", (n * px_per_module, n * px_per_module), 255)
    draw = ImageDraw.Draw(img)
    pos = 0
    for m in rx.finditer(d):
        assert m.start() == pos, f"unexpected path data at {pos}: {d[pos:pos + 20]!r}"
        pos = m.end()
        x, y, w, back = map(int, m.groups())
        assert w == back
        s = px_per_module
        draw.rectangle((x * s, y * s, (x + w) * s - 1, (y + 1) * s - 1), fill=0)
    assert pos == len(d)
    return img, root


@pytest.mark.parametrize("i", range(len(TOKENS)))
def test_qr_svg_decodes_to_url(i: int) -> None:
    svg = qr_svg(url(i))
    img, root = _rasterize_svg(svg)
    (result,) = decode(img)
    assert result.text == url(i)
    assert root.find("{http://www.w3.org/2000/svg}title").text == url(i)
    # the quiet zone: 4 white modules on every side
    n = qr_code(url(i)).symbol_size(scale=1, border=4)[0]
    assert root.attrib["viewBox"] == f"0 0 {n} {n}"
    px = img.load()
    for j in range(4 * 8):
        for k in range(n * 8):
            assert px[j, k] == px[k, j] == px[n * 8 - 1 - j, k] == px[k, n * 8 - 1 - j] == 255


def test_qr_svg_sizes() -> None:
    svg = qr_svg(url(1), size_mm=40)
    root = ET.fromstring(svg)
    assert root.attrib["width"] == root.attrib["height"] == "40mm"
    assert ET.fromstring(qr_svg(url(1), size_mm=75.5)).attrib["width"] == "75.5mm"
    plain = ET.fromstring(qr_svg(url(1)))
    n = int(plain.attrib["viewBox"].split()[2])
    assert plain.attrib["width"] == str(4 * n)
    with pytest.raises(ValueError):
        qr_svg(url(1), size_mm=0)
    with pytest.raises(ValueError):
        qr_svg("")


def test_qr_svg_escapes_url_in_title() -> None:
    u = BASE + "/m/abc?x=1&y=<2>"
    root = ET.fromstring(qr_svg(u))
    assert root.find("{http://www.w3.org/2000/svg}title").text == u
    (result,) = decode(_rasterize_svg(qr_svg(u))[0])
    assert result.text == u


# ------------------------------------------------------------------------------------------- fonts


def test_default_font_is_truetype_cjk() -> None:
    """The default must be a TrueType (glyf) CJK font, embedded as CIDFontType2/Identity-H, which
    pypdf and every RIP read; Debian: fonts-wqy-zenhei."""
    regular, _ = find_cjk_font()
    if regular.path.lower().endswith((".ttc", ".otc")):
        coll = TTCollection(regular.path, lazy=True)
        font = coll.fonts[regular.index]
    else:
        font = TTFont(regular.path, lazy=True)
    assert "glyf" in font, f"{regular.path} has no TrueType outlines: apt-get install -y fonts-wqy-zenhei"
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "浙江省湖州市德清县武康街道英溪南路号幢室")


def test_font_not_found(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(pp.FONT_ENV, raising=False)
    monkeypatch.setattr(pp, "CJK_FONT_CANDIDATES", (("/nonexistent/font.ttc", None),))
    with pytest.raises(CJKFontNotFound, match="fonts-wqy-zenhei") as exc:
        plates_pdf(_plates()[:1], title="x")
    assert "/nonexistent/font.ttc" in str(exc.value)
    with pytest.raises(CJKFontNotFound, match="does not exist"):
        find_cjk_font("/nonexistent/other.ttf")
    monkeypatch.setenv(pp.FONT_ENV, "/nonexistent/env.ttf")
    with pytest.raises(CJKFontNotFound, match=pp.FONT_ENV):
        find_cjk_font()



def test_noto_cjk_from_env(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A CFF-flavoured collection picked by the environment variable: the SC face, and its Bold
    sibling; the PDF embeds it (FontFile3) as real text."""
    monkeypatch.setenv(pp.FONT_ENV, str(NOTO))
    regular, bold = find_cjk_font()
    assert regular.path == str(NOTO) and bold.path.endswith("NotoSansCJK-Bold.ttc")
    assert "SC" in TTCollection(str(NOTO), lazy=True).fonts[regular.index]["name"].getDebugName(1)
    data = plates_pdf(_plates()[:2], title="测试")
    pdf = PdfReader(io.BytesIO(data))
    fonts = pdf.pages[1]["/Resources"]["/Font"]
    names = {f.get_object()["/BaseFont"] for f in fonts.values()}
    assert any("NotoSansCJKSC" in n for n in names)
    descendant = next(iter(fonts.values())).get_object()["/DescendantFonts"][0].get_object()
    assert "/FontFile3" in descendant["/FontDescriptor"]
    if shutil.which("pdftotext"):  # pypdf does not read the embedded CMap fpdf2 writes for CFF fonts
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert "英溪南路" in text


# --------------------------------------------------------------------------------------------- PDF


def _rects(page) -> list[tuple[tuple[float, ...], float, float, float, float]]:  # type: ignore[no-untyped-def]
    """(fill colour, x, y, w, h) in pt of every filled `re` on the page."""
    ops = ContentStream(page.get_contents(), page.pdf).operations
    fill: tuple[float, ...] = (0.0,)
    out = []
    pending = None
    for operands, op in ops:
        if op == b"rg":
            fill = tuple(round(float(v), 3) for v in operands)
        elif op == b"g":
            fill = (round(float(operands[0]), 3),)
        elif op == b"re":
            pending = tuple(float(v) for v in operands)
        elif op in (b"f", b"F", b"f*") and pending is not None:
            x, y, w, h = pending
            out.append((fill, min(x, x + w), min(y, y + h), abs(w), abs(h)))
            pending = None
        elif op in (b"S", b"n", b"B"):
            pending = None
    return out


BLUE = tuple(round(c / 255, 3) for c in pp.PLATE_BLUE)
WHITE = (1.0, 1.0, 1.0)


def test_pdf_pages_and_sheet_sizes(reader) -> None:  # type: ignore[no-untyped-def]
    # cover + 1 large (A2) + 3 medium at 2 per A3 portrait + 5 small at 4 per A3 landscape
    assert len(reader.pages) == 1 + 1 + 2 + 2
    expected = ["A4P", "A2L", "A3P", "A3P", "A3L", "A3L"]
    for page, key in zip(reader.pages, expected):
        w, h = PAGE_MM[key]
        box = page.mediabox
        assert float(box.width) == pytest.approx(w * PT_PER_MM, abs=0.05)
        assert float(box.height) == pytest.approx(h * PT_PER_MM, abs=0.05)


def test_pdf_plates_true_size(reader, plates) -> None:  # type: ignore[no-untyped-def]
    order = list(PLATE_FORMATS)
    ordered = sorted(plates, key=lambda p: order.index(p.size))  # stable: input order within a size
    per_page = [[], ordered[0:1], ordered[1:3], ordered[3:4], ordered[4:8], ordered[8:9]]
    for page, on_page in zip(reader.pages, per_page):
        rects = _rects(page)
        blue = [r for r in rects if r[0] == BLUE]
        assert len(blue) == len(on_page)
        white_squares = [r for r in rects if r[0] == WHITE and abs(r[3] - r[4]) < 0.05]
        dark = [r for r in rects if r[0] == (0.0,)]
        for (_, x, y, w, h), plate in zip(blue, on_page):
            f = PLATE_FORMATS[plate.size]
            assert w == pytest.approx(f.width_mm * PT_PER_MM, abs=0.02)
            assert h == pytest.approx(f.height_mm * PT_PER_MM, abs=0.02)
            # the plate sits on the sheet with at least 10 mm around it
            assert x >= 10 * PT_PER_MM and y >= 10 * PT_PER_MM
            assert x + w <= float(page.mediabox.width) - 10 * PT_PER_MM
            assert y + h <= float(page.mediabox.height) - 10 * PT_PER_MM
            # the white QR square inside this plate, right half, exact size
            (qr,) = [s for s in white_squares if x < s[1] and s[1] + s[3] < x + w and y < s[2] and s[2] + s[4] < y + h]
            assert qr[3] == pytest.approx(f.qr_mm * PT_PER_MM, abs=0.02)
            assert qr[1] > x + w / 2
            # the modules fill the square but for a 4-module quiet zone on every side
            _, qx, qy, qw, _ = qr
            modules = [r for r in dark if qx <= r[1] and r[1] + r[3] <= qx + qw and qy <= r[2] and r[2] + r[4] <= qy + qw]
            n = qr_code(plate.url).symbol_size(scale=1, border=4)[0]
            mod = qw / n
            assert min(r[1] for r in modules) - qx == pytest.approx(4 * mod, abs=0.05)
            assert min(r[2] for r in modules) - qy == pytest.approx(4 * mod, abs=0.05)
            assert qx + qw - max(r[1] + r[3] for r in modules) == pytest.approx(4 * mod, abs=0.05)
            assert qy + qw - max(r[2] + r[4] for r in modules) == pytest.approx(4 * mod, abs=0.05)


def test_pdf_text_is_real_chinese(reader, plates) -> None:  # type: ignore[no-untyped-def]
    texts = [page.extract_text() for page in reader.pages]
    everything = "\n".join(texts)
    for p in plates:
        assert p.full_text in everything
        assert p.plate_no in everything
        assert p.road_or_area in everything
        assert p.door in everything
        if p.pinyin:
            assert p.pinyin in everything
    # a plate is on the page it belongs to: large first, then medium, then small, input order kept
    assert "英溪南路8号" in texts[1] and "330521-001-00002" in texts[1]
    assert "330521-001-00003" in texts[2] and "330521-001-00005" in texts[2]
    assert "330521-001-00007" in texts[3]
    assert [n for n in ("00001", "00004", "00006", "00008") if f"330521-001-{n}" in texts[4]] == [
        "00001", "00004", "00006", "00008"]
    assert "330521-001-00009" in texts[5]


def test_pdf_fonts_embedded(reader) -> None:  # type: ignore[no-untyped-def]
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0"
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile2", "/FontFile3")), "font not embedded"
            assert "/ToUnicode" in font


def test_pdf_cover_counts(reader) -> None:  # type: ignore[no-untyped-def]
    cover = reader.pages[0].extract_text()
    assert "德清县数字门牌 第一批" in cover
    lines = {line.split()[0] + " " + line.split()[1]: line for line in cover.splitlines()
             if line.startswith(("大号", "中号", "小号"))}
    assert set(lines) == {"大号 570×370", "中号 270×170", "小号 150×90"}
    # columns: label, QR, count, per sheet, sheets, paper
    assert re.search(r"120×120\s*1\s+1\s+1\s+A2", lines["大号 570×370"])
    assert re.search(r"75×75\s*3\s+2\s+2\s+A3", lines["中号 270×170"])
    assert re.search(r"40×40\s*5\s+4\s+2\s+A3", lines["小号 150×90"])
    assert "合计 9 块" in cover
    assert reader.metadata.title == "德清县数字门牌 第一批"


def test_pdf_only_cover_when_empty() -> None:
    reader = PdfReader(io.BytesIO(plates_pdf([], title="空")))
    assert len(reader.pages) == 1
    assert "合计 0 块" in reader.pages[0].extract_text()


def test_pdf_long_names_fit(plates) -> None:  # type: ignore[no-untyped-def]
    long = PlateToPrint("330521-009-00001", "small", "武康街道城北社区余英坊小区东区", "102幢1单元1201室",
                        "浙江省湖州市德清县武康街道城北社区余英坊小区东区102幢1单元1201室", url(8))
    reader = PdfReader(io.BytesIO(plates_pdf([long], title="长名称")))
    assert long.full_text in reader.pages[1].extract_text()



def test_pdf_rendered_qr_codes_decode(pdf_bytes, plates, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "plates.pdf"
    src.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", str(src), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 6
    found = Counter()
    for png in pages[1:]:
        for r in decode(Image.open(png)):
            found[r.text] += 1
    assert found == Counter(p.url for p in plates)


# --------------------------------------------------------------------------------------------- CSV


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_header_and_rows(plates) -> None:  # type: ignore[no-untyped-def]
    data = plates_csv(plates)
    assert b"\r\n" in data
    rows = _rows(data)
    assert rows[0] == list(CSV_HEADER) == [
        "门牌编号", "规格", "宽(mm)", "高(mm)", "二维码边长(mm)", "街路巷/片区", "门牌号", "标准地址", "二维码内容"]
    assert len(rows) == 1 + len(plates)
    for row, p in zip(rows[1:], plates):
        f = PLATE_FORMATS[p.size]
        expected = [p.plate_no, f.label, f"{f.width_mm:g}", f"{f.height_mm:g}", f"{f.qr_mm:g}",
                    p.road_or_area, p.door, p.full_text, p.url]
        if p.door.startswith("-"):
            expected[6] = "'" + p.door
        assert row == expected
    assert rows[2][1:5] == ["大号 570×370", "570", "370", "120"]


def test_csv_injection_guard_and_round_trip() -> None:
    nasty = PlateToPrint(
        plate_no="=cmd|' /C calc'!A0",
        size="medium",
        road_or_area="+86 路",
        door="-1号",
        full_text='@SUM(1+1),"引号",\n换行',
        url="\t" + url(3),
    )
    ok = PlateToPrint("330521-001-00010", "small", "英溪南路", "10号", "浙江省,湖州市 \"德清县\"", url(4))
    rows = _rows(plates_csv([nasty, ok]))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "中号 270×170", "270", "170", "75", "'+86 路", "'-1号",
                       "'@SUM(1+1),\"引号\",\n换行", "'\t" + url(3)]
    assert rows[2][0] == "330521-001-00010" and rows[2][7] == ok.full_text
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_csv_empty() -> None:
    assert _rows(plates_csv([])) == [list(CSV_HEADER)]
