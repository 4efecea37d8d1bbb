"""Print files for digital door plates (数字门牌): the QR code as SVG, a print-ready PDF at true size,
and the manufacturer's CSV.

Pure module: no Django import, so it can be used from a management command, a view or a worker
alike, and tested without a database.

A plate (GB 17733 style) is blue with white text; the QR code, which encodes
``<base_url>/m/<token>``, sits in a white square on the right. Three formats exist
(:data:`PLATE_FORMATS`): large 570×370 mm (QR 120 mm), medium 270×170 mm (QR 75 mm) and
small 150×90 mm (QR 40 mm).

PDF layout (:func:`plates_pdf`) — every plate is drawn at its TRUE size; print at 100 % ("actual
size"), never "fit to page":

* page 1 is an A4 cover listing the count per size and the sheets used;
* large plates: one per **A2 landscape** sheet (594×420 mm), a standard large-format sheet that
  holds 570×370 with room for the crop marks;
* medium plates: two per **A3 portrait** sheet (297×420 mm);
* small plates: four per **A3 landscape** sheet (420×297 mm);
* each sheet holds plates of one size only, in the order given; sizes come large, medium, small;
* the plate's trim rectangle is the blue background rectangle itself (exactly W×H mm); crop marks
  stand 2 mm outside each corner, 5 mm long; the white frame line is drawn inside the plate.

Fonts: the Chinese text is real text with an embedded, subset CJK font (PDF written with fpdf2).
:func:`find_cjk_font` looks at the ``font_path`` argument, then ``$GEO_MZ_PLATE_FONT`` (a
.ttf/.otf/.ttc path; ``$GEO_MZ_PLATE_FONT_BOLD`` optionally for the bold face), then at
:data:`CJK_FONT_CANDIDATES`. The first candidate is WenQuanYi Zen Hei (Debian package
``fonts-wqy-zenhei``, a TrueType 黑体 collection), embedded as CIDFontType2/Identity-H, the most
widely readable kind (it has no bold face: the road name and door number are set in its regular
weight). Noto Sans CJK (``fonts-noto-cjk``, CFF outlines, with a bold face) is the fallback. If no
font is found, :class:`CJKFontNotFound` says which paths were tried and what to install.
"""
from __future__ import annotations

import csv
import functools
import io
import logging
import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

import segno

__all__ = [
    "CJK_FONT_CANDIDATES",
    "CJKFontNotFound",
    "CSV_HEADER",
    "FontFace",
    "PLATE_BLUE",
    "PLATE_FORMATS",
    "PlateFormat",
    "PlateToPrint",
    "find_cjk_font",
    "plates_csv",
    "plates_pdf",
    "qr_code",
    "qr_svg",
]

MM_TO_PT = 72 / 25.4

#: GB 17733 plate blue (RGB). Print shops get the exact value from the CSV/PDF; adjust here only.
PLATE_BLUE = (0x14, 0x56, 0xA0)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)

#: QR error correction: Q (25 %) survives dirt and scratches on an outdoor plate.
QR_ERROR = "Q"
#: Quiet zone in modules (ISO/IEC 18004 asks for 4); it is part of the white QR square.
QR_BORDER = 4


@dataclass(frozen=True)
class PlateFormat:
    key: str
    width_mm: float
    height_mm: float
    qr_mm: float
    label: str


PLATE_FORMATS: dict[str, PlateFormat] = {
    "large": PlateFormat("large", 570, 370, 120, "大号 570×370"),
    "medium": PlateFormat("medium", 270, 170, 75, "中号 270×170"),
    "small": PlateFormat("small", 150, 90, 40, "小号 150×90"),
}


@dataclass(frozen=True)
class PlateToPrint:
    plate_no: str
    size: str  # a key of PLATE_FORMATS
    road_or_area: str  # 街路巷/片区, e.g. "英溪南路"
    door: str  # 门牌号, e.g. "8号"
    full_text: str  # 标准地址, e.g. "浙江省湖州市德清县武康街道英溪南路8号"
    url: str  # QR content, "<base_url>/m/<token>"
    pinyin: str | None = None  # e.g. "Yingxi Nanlu"

    def __post_init__(self) -> None:
        if self.size not in PLATE_FORMATS:
            raise ValueError(f"unknown plate size {self.size!r}; expected one of {sorted(PLATE_FORMATS)}")

    @property
    def format(self) -> PlateFormat:
        return PLATE_FORMATS[self.size]


# --------------------------------------------------------------------------------------------- QR


def qr_code(url: str) -> segno.QRCode:
    """The QR code (never Micro QR) for ``url`` at error level Q."""
    if not url:
        raise ValueError("empty QR content")
    return segno.make_qr(url, error=QR_ERROR, boost_error=False)


def _dark_runs(qr: segno.QRCode) -> Iterable[tuple[int, int, int]]:
    """(x, y, length) of each horizontal run of dark modules, in module units, quiet zone included."""
    for y, row in enumerate(qr.matrix_iter(scale=1, border=QR_BORDER)):
        x = 0
        row = list(row)
        n = len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                yield start, y, x - start
            else:
                x += 1


def _fmt(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def qr_svg(url: str, *, size_mm: float | None = None) -> str:
    """A standalone SVG of the QR code for ``url``: black modules on a white square that includes the
    4-module quiet zone. The viewBox is in modules; with ``size_mm`` the width/height are in mm (the
    whole square, quiet zone included), otherwise 4 user units per module."""
    qr = qr_code(url)
    n = qr.symbol_size(scale=1, border=QR_BORDER)[0]
    if size_mm is not None:
        if size_mm <= 0:
            raise ValueError("size_mm must be positive")
        dim = f"{_fmt(size_mm)}mm"
    else:
        dim = str(n * 4)
    d = "".join(f"M{x} {y}h{w}v1h-{w}z" for x, y, w in _dark_runs(qr))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{dim}" height="{dim}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
        f"<title>{escape(url)}</title>"
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{d}"/>'
        "</svg>\n"
    )


# -------------------------------------------------------------------------------------------- fonts

#: Searched in order after $GEO_MZ_PLATE_FONT: (regular, bold or None). TrueType fonts come first:
#: fpdf2 embeds them as CIDFontType2 with Identity-H, which every viewer, text extractor (pypdf
#: included) and print RIP reads; Noto CJK (CFF outlines) is embedded as CIDFontType0C with an
#: embedded CMap, which renders and extracts fine with poppler but not with pypdf. Debian packages:
#: fonts-wqy-zenhei, fonts-wqy-microhei, fonts-noto-cjk, fonts-arphic-uming.
CJK_FONT_CANDIDATES: tuple[tuple[str, str | None], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None),
)
FONT_ENV = "GEO_MZ_PLATE_FONT"
FONT_BOLD_ENV = "GEO_MZ_PLATE_FONT_BOLD"


class CJKFontNotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFace:
    path: str
    index: int = 0  # face number inside a .ttc collection


@functools.lru_cache(maxsize=32)
def _pick_face(path: str) -> int:
    """Index of the Simplified Chinese face in a collection (Noto's "… CJK SC"), else the first
    non-monospaced face; 0 for a single font file."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    coll = TTCollection(path, lazy=True)
    try:
        names = [(f["name"].getDebugName(1) or "") for f in coll.fonts]
    finally:
        coll.close()
    for i, name in enumerate(names):
        if "mono" not in name.lower() and name.split()[-1:] in (["SC"], ["CN"], ["GB"]):
            return i
    for i, name in enumerate(names):
        if "mono" not in name.lower():
            return i
    return 0


def find_cjk_font(path: str | os.PathLike[str] | None = None) -> tuple[FontFace, FontFace]:
    """(regular, bold) faces to use. ``path`` (or $GEO_MZ_PLATE_FONT) wins over the search list; the
    bold face is $GEO_MZ_PLATE_FONT_BOLD, a "-Bold" sibling of a "-Regular" file, or the regular one."""
    tried: list[str] = []
    explicit = str(path) if path else os.environ.get(FONT_ENV) or None
    if explicit:
        if not Path(explicit).is_file():
            raise CJKFontNotFound(f"CJK font {explicit!r} (from {'argument' if path else FONT_ENV}) does not exist")
        bold = os.environ.get(FONT_BOLD_ENV) or None
        if bold is None and "-Regular" in Path(explicit).name:
            sibling = Path(explicit).with_name(Path(explicit).name.replace("-Regular", "-Bold"))
            bold = str(sibling) if sibling.is_file() else None
        candidates: Sequence[tuple[str, str | None]] = ((explicit, bold),)
    else:
        candidates = CJK_FONT_CANDIDATES
    for regular, bold in candidates:
        tried.append(regular)
        if Path(regular).is_file():
            bold = bold if bold and Path(bold).is_file() else regular
            return FontFace(regular, _pick_face(regular)), FontFace(bold, _pick_face(bold))
    raise CJKFontNotFound(
        "No CJK font found for the door-plate PDF. Tried: "
        + ", ".join(tried)
        + f". Install one (Debian: `apt-get install -y fonts-wqy-zenhei`) or set ${FONT_ENV} to a "
        ".ttf/.otf/.ttc file with Chinese glyphs."
    )


# ---------------------------------------------------------------------------------------------- PDF

CROP_OFFSET_MM = 2.0  # gap between the plate edge and its crop mark
CROP_LENGTH_MM = 5.0
GUTTER_MM = 2 * (CROP_OFFSET_MM + CROP_LENGTH_MM) + 2  # between plates on a sheet: room for both marks
MIN_MARGIN_MM = 12.0  # sheet edge to plate edge (marks end 5 mm from the edge: inside printable area)

#: size key -> (sheet name, sheet width mm, sheet height mm)
SHEETS: dict[str, tuple[str, float, float]] = {
    "large": ("A2 横向", 594, 420),
    "medium": ("A3 纵向", 297, 420),
    "small": ("A3 横向", 420, 297),
}


def _grid(fmt: PlateFormat, sheet_w: float, sheet_h: float) -> tuple[int, int]:
    cols = int((sheet_w - 2 * MIN_MARGIN_MM + GUTTER_MM) // (fmt.width_mm + GUTTER_MM))
    rows = int((sheet_h - 2 * MIN_MARGIN_MM + GUTTER_MM) // (fmt.height_mm + GUTTER_MM))
    if cols < 1 or rows < 1:  # pragma: no cover - guarded by the constants above
        raise ValueError(f"{fmt.label} does not fit its sheet")
    return cols, rows


def plates_per_sheet(size: str) -> int:
    _, w, h = SHEETS[size]
    cols, rows = _grid(PLATE_FORMATS[size], w, h)
    return cols * rows


def _pt(mm: float) -> float:
    return mm * MM_TO_PT


class _PlateDoc:
    def __init__(self, title: str, font_path: str | os.PathLike[str] | None) -> None:
        from fpdf import FPDF

        regular, bold = find_cjk_font(font_path)
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.add_font("cjk", "", regular.path, collection_font_number=regular.index)
        self.has_bold = bold != regular
        if self.has_bold:
            pdf.add_font("cjk", "B", bold.path, collection_font_number=bold.index)
        pdf.set_title(title)
        pdf.set_subject("数字门牌印制文件")
        pdf.set_creator("geo-mz")
        pdf.set_lang("zh-CN")
        self.pdf = pdf
        self.title = title

    # -- text helpers (sizes in mm of the em box) ----------------------------------------------
    def _font(self, em_mm: float, style: str = "") -> None:
        self.pdf.set_font("cjk", style if self.has_bold else "", _pt(em_mm))

    def _fit(self, text: str, em_mm: float, max_w: float, style: str = "") -> float:
        """Largest em size <= em_mm for which ``text`` fits in ``max_w`` mm."""
        self._font(em_mm, style)
        w = self.pdf.get_string_width(text)
        if w > max_w > 0:
            em_mm = em_mm * max_w / w
            self._font(em_mm, style)
        return em_mm

    def _text(self, x: float, baseline: float, text: str, em_mm: float, style: str = "", *, max_w: float,
              align: str = "L") -> float:
        em = self._fit(text, em_mm, max_w, style)
        w = self.pdf.get_string_width(text)
        if align == "C":
            x = x + (max_w - w) / 2
        elif align == "R":
            x = x + max_w - w
        self.pdf.text(x, baseline, text)
        return em

    # -- cover -------------------------------------------------------------------------------------
    def cover(self, plates: Sequence[PlateToPrint]) -> None:
        pdf = self.pdf
        pdf.add_page(format="A4", orientation="P")
        pdf.set_text_color(*BLACK)
        left, width = 20.0, 170.0
        self._text(left, 30, self.title, 9, "B", max_w=width)
        self._text(left, 40, "数字门牌印制文件（GB 17733 蓝底白字，右侧二维码）", 4.5, max_w=width)
        counts = Counter(p.size for p in plates)
        y = 56.0
        cols = (("规格", 0), ("二维码", 40), ("数量", 70), ("每张", 92), ("张数", 112), ("纸张", 132))
        for name, dx in cols:
            self._text(left + dx, y, name, 4.2, "B", max_w=38)
        pdf.set_draw_color(*BLACK)
        pdf.set_line_width(0.3)
        pdf.line(left, y + 2.5, left + width, y + 2.5)
        for key, fmt in PLATE_FORMATS.items():
            y += 9
            n = counts.get(key, 0)
            per = plates_per_sheet(key)
            sheet = SHEETS[key]
            cells = (
                fmt.label,
                f"{fmt.qr_mm:g}×{fmt.qr_mm:g}",
                f"{n}",
                f"{per}",
                f"{math.ceil(n / per)}",
                f"{sheet[0]} {sheet[1]:g}×{sheet[2]:g}",
            )
            for (_, dx), cell in zip(cols, cells):
                self._text(left + dx, y, cell, 4.2, max_w=38 if dx < 132 else width - dx)
        pdf.line(left, y + 2.5, left + width, y + 2.5)
        y += 9
        self._text(left, y, f"合计 {len(plates)} 块", 4.2, "B", max_w=width)
        notes = (
            "请按 100% 实际尺寸打印，不要“适合页面”缩放；每块门牌按实际毫米尺寸绘制。",
            "裁切线位于门牌四角外 2 mm；蓝色矩形即成品尺寸，白色边框线在门牌内。",
            "底色 RGB #%02X%02X%02X，文字白色；二维码白底黑码，白色方块含静区，边长即规格中的二维码边长。"
            % PLATE_BLUE,
            "二维码纠错等级 Q；扫码内容见随附 CSV 的“二维码内容”列。",
        )
        y += 14
        for note in notes:
            self._text(left, y, note, 3.6, max_w=width)
            y += 7

    # -- one plate at (x, y) top-left, in mm --------------------------------------------------------
    def plate(self, p: PlateToPrint, x: float, y: float) -> None:
        pdf = self.pdf
        f = p.format
        W, H, Q = f.width_mm, f.height_mm, f.qr_mm

        # background = trim rectangle, exactly W×H
        pdf.set_fill_color(*PLATE_BLUE)
        pdf.rect(x, y, W, H, style="F")

        # white frame line inside the plate
        inset = 0.035 * H
        pdf.set_draw_color(*WHITE)
        pdf.set_line_width(0.009 * H)
        pdf.rect(x + inset, y + inset, W - 2 * inset, H - 2 * inset, style="D", round_corners=True,
                 corner_radius=0.05 * H)

        # QR square: exact size, right side, vertically centred
        right = max(0.075 * W, inset + 0.06 * H)
        qx, qy = x + W - right - Q, y + (H - Q) / 2
        pdf.set_fill_color(*WHITE)
        pdf.rect(qx, qy, Q, Q, style="F")
        qr = qr_code(p.url)
        n = qr.symbol_size(scale=1, border=QR_BORDER)[0]
        m = Q / n
        pdf.set_fill_color(*BLACK)
        for rx, ry, rw in _dark_runs(qr):
            pdf.rect(qx + rx * m, qy + ry * m, rw * m, m, style="F")

        # plate number under the QR square
        pdf.set_text_color(*WHITE)
        below = (y + H - inset) - (qy + Q)
        self._text(qx - 0.1 * Q, qy + Q + below * 0.62, p.plate_no, min(0.045 * H, below * 0.45),
                   max_w=1.2 * Q, align="C")

        # text column on the left
        tx = x + max(0.07 * W, inset + 0.05 * H)
        tw = qx - 0.05 * W - tx
        top = y + inset
        inner_h = H - 2 * inset
        self._text(tx, top + 0.30 * inner_h, p.road_or_area, 0.22 * H, "B", max_w=tw, align="C")
        if p.pinyin:
            self._text(tx, top + 0.30 * inner_h + 0.10 * H, p.pinyin, 0.065 * H, max_w=tw, align="C")
        # rule between road and door number
        rule_y = top + 0.50 * inner_h
        pdf.set_draw_color(*WHITE)
        pdf.set_line_width(0.006 * H)
        pdf.line(tx, rule_y, tx + tw, rule_y)
        self._text(tx, top + 0.80 * inner_h, p.door, 0.25 * H, "B", max_w=tw, align="C")
        self._text(tx, top + 0.95 * inner_h, p.full_text, 0.05 * H, max_w=tw, align="C")

    def crop_marks(self, x: float, y: float, w: float, h: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*BLACK)
        pdf.set_line_width(0.1)
        o, ln = CROP_OFFSET_MM, CROP_LENGTH_MM
        for cx, sx in ((x, -1), (x + w, 1)):
            for cy, sy in ((y, -1), (y + h, 1)):
                pdf.line(cx + sx * o, cy, cx + sx * (o + ln), cy)  # horizontal mark
                pdf.line(cx, cy + sy * o, cx, cy + sy * (o + ln))  # vertical mark

    def sheets(self, size: str, plates: Sequence[PlateToPrint], sheet_no: int, sheet_total: int) -> int:
        fmt = PLATE_FORMATS[size]
        name, sw, sh = SHEETS[size]
        cols, rows = _grid(fmt, sw, sh)
        per = cols * rows
        block_w = cols * fmt.width_mm + (cols - 1) * GUTTER_MM
        block_h = rows * fmt.height_mm + (rows - 1) * GUTTER_MM
        x0, y0 = (sw - block_w) / 2, (sh - block_h) / 2
        for start in range(0, len(plates), per):
            sheet_no += 1
            self.pdf.add_page(format=(sw, sh) if sw <= sh else (sh, sw), orientation="P" if sw <= sh else "L")
            if y0 - CROP_OFFSET_MM - CROP_LENGTH_MM >= 9:  # room for a slug line above the marks
                self.pdf.set_text_color(*BLACK)
                self._text(MIN_MARGIN_MM, 8, f"{self.title} · {fmt.label} · 第 {sheet_no}/{sheet_total} 张"
                           " · 按 100% 实际尺寸打印", 3, max_w=sw - 2 * MIN_MARGIN_MM)
            for i, p in enumerate(plates[start:start + per]):
                r, c = divmod(i, cols)
                px, py = x0 + c * (fmt.width_mm + GUTTER_MM), y0 + r * (fmt.height_mm + GUTTER_MM)
                self.plate(p, px, py)
                self.crop_marks(px, py, fmt.width_mm, fmt.height_mm)
        return sheet_no


def plates_pdf(plates: Sequence[PlateToPrint], *, title: str,
               font_path: str | os.PathLike[str] | None = None) -> bytes:
    """A print-ready PDF: an A4 cover with the count per size, then the plates at true size with crop
    marks (large: 1 per A2 landscape sheet; medium: 2 per A3 portrait; small: 4 per A3 landscape).
    Raises :class:`CJKFontNotFound` when no CJK font is available."""
    doc = _PlateDoc(title, font_path)
    doc.cover(plates)
    by_size = {key: [p for p in plates if p.size == key] for key in PLATE_FORMATS}
    total = sum(math.ceil(len(v) / plates_per_sheet(k)) for k, v in by_size.items())
    n = 0
    for key, group in by_size.items():
        if group:
            n = doc.sheets(key, group, n, total)
    quiet = logging.getLogger("fontTools.subset")  # "BDF NOT subset" etc.: harmless, but noisy
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        return bytes(doc.pdf.output())
    finally:
        quiet.setLevel(level)


# ---------------------------------------------------------------------------------------------- CSV

CSV_HEADER = ("门牌编号", "规格", "宽(mm)", "高(mm)", "二维码边长(mm)", "街路巷/片区", "门牌号", "标准地址", "二维码内容")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> str:
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def plates_csv(plates: Iterable[PlateToPrint]) -> bytes:
    """The manufacturer's list: UTF-8 with BOM (opens in Excel), one header row, CRLF line ends;
    cells that a spreadsheet would read as a formula get a leading apostrophe."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for p in plates:
        f = p.format
        w.writerow([_safe(v) for v in (
            p.plate_no, f.label, f"{f.width_mm:g}", f"{f.height_mm:g}", f"{f.qr_mm:g}",
            p.road_or_area, p.door, p.full_text, p.url,
        )])
    return buf.getvalue().encode("utf-8-sig")
