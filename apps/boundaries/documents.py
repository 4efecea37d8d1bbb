"""Printable PDFs of the joint inspection: the 界桩登记表 (one marker) and the 联检报告 (one
campaign), A4 portrait, Chinese text in an embedded CJK font, with a map of the line and its
markers drawn from projected (Gauss-Krüger, metres) coordinates with fpdf2 primitives, north up,
with a scale bar. Pure module (fpdf2; no Django import): the caller passes plain data.

Fonts as for the door-plate sheets (`apps.addresses.plates_print.find_cjk_font`: WenQuanYi Zen
Hei first, `$GEO_MZ_PLATE_FONT` to override).
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from apps.addresses.plates_print import find_cjk_font

PAGE_W, MARGIN = 210.0, 15.0
BODY_W = PAGE_W - 2 * MARGIN
STATE_COLOURS = {"完好": (30, 130, 60), "损坏": (230, 140, 0), "丢失": (200, 30, 30), "移位": (130, 60, 200)}
LINE_COLOUR = (200, 30, 30)


@dataclass
class MapData:
    """Projected coordinates (metres, x east, y north)."""

    lines: list[list[tuple[float, float]]]
    markers: list[tuple[float, float, str, str]]  # x, y, label, state label
    projection: str
    highlight: str | None = None  # a label drawn larger


@dataclass
class MarkerSheet:
    number: str
    line: str  # "中芷线（4301）"
    kind: str
    sides: str
    side: str
    lon: float
    lat: float
    x_m: float
    y_m: float
    projection: str
    elevation: str
    material: str
    buried_on: str
    state: str
    surveyed_on: str
    reference_objects: list[dict]
    photos: list[str]
    remarks: str
    inspections: list[tuple[str, ...]]  # date, condition, displacement, action, campaign
    map: MapData
    is_demo: bool = False


@dataclass
class CampaignReport:
    title: str
    line: str
    length_km: float
    marker_count: int
    period: str
    party_a: str
    party_b: str
    status: str
    kind: str  # 周期联检 / 临时联检（原因）
    participants: list[tuple[str, str, str]]  # name, side label, role
    plan: str
    basis: str
    condition_counts: dict[str, int]
    records: list[tuple[str, ...]]  # number, condition, measured, displacement, action, remarks
    findings: list[tuple[str, ...]]  # kind, segment, description, action
    follow_ups: list[tuple[str, ...]]  # description, responsible, deadline, status, closed/resolution
    agreed_handling: str
    map: MapData
    notes: list[str] = field(default_factory=list)


class _Doc(FPDF):
    def __init__(self, title: str, font_path: str | None = None) -> None:
        super().__init__(unit="mm", format="A4")
        regular, _bold = find_cjk_font(font_path)
        self.add_font("cjk", "", regular.path, collection_font_number=regular.index)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, MARGIN + 5)
        self.set_title(title)
        self.set_creator("geo-mz")
        self.set_lang("zh-CN")
        self.doc_title = title
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", "", 8)
        self.cell(0, 5, f"{self.doc_title}  第 {self.page_no()} 页", align="C")

    def heading(self, text: str, size: float = 16) -> None:
        self.set_font("cjk", "", size)
        self.cell(0, size * 0.6, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def section(self, text: str) -> None:
        if self.get_y() > 260:
            self.add_page()
        self.ln(2)
        self.set_font("cjk", "", 12)
        self.set_fill_color(230, 236, 244)
        self.cell(0, 7, text, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font("cjk", "", 9.5)

    def para(self, text: str) -> None:
        self.set_font("cjk", "", 9.5)
        self.multi_cell(0, 5.5, text or "（无）", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[float, ...]) -> None:
        self.set_font("cjk", "", 9)
        with self.table(col_widths=widths, text_align="LEFT", wrapmode=WrapMode.CHAR, line_height=5,
                        first_row_as_headings=True, headings_style=_heading_style()) as table:
            for row in [header, *(rows or [("（无）",) + ("",) * (len(header) - 1)])]:
                cells = table.row()
                for value in row:
                    cells.cell(str(value))

    def pairs(self, items: list[tuple[str, str]]) -> None:
        rows = [(items[i][0], items[i][1], *(items[i + 1] if i + 1 < len(items) else ("", "")))
                for i in range(0, len(items), 2)]
        self.set_font("cjk", "", 9.5)
        with self.table(col_widths=(34, 56, 34, 56), text_align="LEFT", wrapmode=WrapMode.CHAR, line_height=5.5,
                        first_row_as_headings=False) as table:
            for row in rows:
                cells = table.row()
                for value in row:
                    cells.cell(value)

    def signatures(self, party_a: str, party_b: str) -> None:
        if self.get_y() > 235:
            self.add_page()
        self.section("双方签字")
        y = self.get_y() + 2
        for i, party in enumerate((party_a, party_b)):
            x = MARGIN + i * (BODY_W / 2)
            self.set_xy(x, y)
            self.multi_cell(BODY_W / 2 - 5, 7, f"{'甲' if i == 0 else '乙'}方：{party}\n负责人（签字）：\n"
                            "（盖章）\n日期：    年    月    日", border=1, wrapmode=WrapMode.CHAR)
        self.ln(4)

    def render(self) -> bytes:
        quiet = logging.getLogger("fontTools.subset")  # "BDF NOT subset" etc.: harmless, but noisy
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            return bytes(self.output())
        finally:
            quiet.setLevel(level)


def _heading_style():  # type: ignore[no-untyped-def]
    from fpdf.fonts import FontFace

    return FontFace(fill_color=(230, 236, 244))


def _nice_step(span: float) -> float:
    raw = span / 4
    base = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next((m * base for m in (1, 2, 5, 10) if m * base >= raw), 10 * base)


def draw_map(pdf: FPDF, data: MapData, x: float, y: float, w: float, h: float) -> None:
    """The line(s) and markers fitted into the box, north up, with a scale bar and north arrow."""
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(x, y, w, h)
    xs = [px for line in data.lines for px, _ in line] + [m[0] for m in data.markers]
    ys = [py for line in data.lines for _, py in line] + [m[1] for m in data.markers]
    if not xs:
        return
    pad = 8.0
    span_x, span_y = max(xs) - min(xs) or 100.0, max(ys) - min(ys) or 100.0
    scale = min((w - 2 * pad) / span_x, (h - 2 * pad) / span_y)  # mm per metre
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_page(px: float, py: float) -> tuple[float, float]:
        return x + w / 2 + (px - cx) * scale, y + h / 2 - (py - cy) * scale

    pdf.set_draw_color(*LINE_COLOUR)
    pdf.set_line_width(0.6)
    for line in data.lines:
        if len(line) > 1:
            pdf.polyline([to_page(px, py) for px, py in line])
    pdf.set_line_width(0.2)
    label_every = 1 if len(data.markers) <= 40 else 5
    pdf.set_font("cjk", "", 6)
    for i, (px, py, label, state) in enumerate(data.markers):
        qx, qy = to_page(px, py)
        pdf.set_fill_color(*STATE_COLOURS.get(state, (40, 40, 40)))
        big = label == data.highlight
        pdf.circle(qx, qy, 1.6 if big else 0.9, style="F")
        if big or i % label_every == 0:
            pdf.set_xy(qx + 1.2, qy - 2)
            pdf.cell(12, 3, label)
    # Scale bar (bottom left) and north arrow (top right).
    step = _nice_step(span_x)
    bar = step * scale
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.4)
    pdf.line(x + 5, y + h - 5, x + 5 + bar, y + h - 5)
    pdf.set_font("cjk", "", 7)
    pdf.set_xy(x + 5, y + h - 10)
    pdf.cell(bar, 4, f"{step / 1000:g} 千米" if step >= 1000 else f"{step:g} 米", align="C")
    pdf.line(x + w - 8, y + 12, x + w - 8, y + 4)
    pdf.polyline([(x + w - 10, y + 7), (x + w - 8, y + 4), (x + w - 6, y + 7)])
    pdf.set_xy(x + w - 10, y + 12)
    pdf.cell(4, 4, "北", align="C")
    pdf.set_xy(x + 2, y + 2)
    pdf.cell(60, 4, f"投影：{data.projection}（CGCS2000 高斯-克吕格 3°带）")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)


def marker_register_pdf(sheet: MarkerSheet, font_path: str | None = None) -> bytes:
    pdf = _Doc(f"界桩登记表 {sheet.number}", font_path)
    pdf.heading("界桩登记表")
    if sheet.is_demo:
        pdf.para("注：本界桩为演示数据，位置与方位物为示意，非实测。")
    pdf.pairs([("界桩编号", sheet.number), ("所属界线", sheet.line), ("界桩类型", sheet.kind),
               ("所在一方", sheet.side or "—"), ("相邻区划", sheet.sides), ("状态", sheet.state),
               ("经度（CGCS2000）", f"{sheet.lon:.7f}"), ("纬度（CGCS2000）", f"{sheet.lat:.7f}"),
               ("平面坐标 X（北）", f"{sheet.y_m:.2f} 米"), ("平面坐标 Y（东）", f"{sheet.x_m:.2f} 米"),
               ("投影", sheet.projection), ("高程", sheet.elevation), ("材质", sheet.material or "—"),
               ("埋设日期", sheet.buried_on), ("位置测定日期", sheet.surveyed_on), ("照片", f"{len(sheet.photos)} 张")])
    pdf.section("方位物")
    pdf.grid(("序号", "方位物", "方位角（度）", "距离（米）"),
             [(str(i), r["name"], f"{r['azimuth_deg']:.1f}", f"{r['distance_m']:.1f}")
              for i, r in enumerate(sheet.reference_objects, 1)], (15, 85, 40, 40))
    pdf.section("位置略图")
    top = pdf.get_y()
    draw_map(pdf, sheet.map, MARGIN, top, BODY_W, 90)
    pdf.set_y(top + 92)
    pdf.section("历次检查")
    pdf.grid(("日期", "状况", "位移（米）", "处理", "联检"), sheet.inspections, (25, 20, 25, 25, 85))
    pdf.section("备注")
    pdf.para(sheet.remarks)
    parties = sheet.sides.split("｜")
    pdf.signatures(parties[0], parties[-1])
    return pdf.render()


def campaign_report_pdf(report: CampaignReport, font_path: str | None = None) -> bytes:
    pdf = _Doc(report.title, font_path)
    pdf.heading(report.title)
    pdf.heading("界线联合检查报告", 13)
    pdf.section("一、检查范围")
    pdf.pairs([("界线", report.line), ("长度", f"{report.length_km:.2f} 千米"),
               ("界桩数量", f"{report.marker_count} 个"), ("检查期间", report.period),
               ("甲方", report.party_a), ("乙方", report.party_b), ("联检类型", report.kind), ("状态", report.status)])
    top = pdf.get_y() + 2
    draw_map(pdf, report.map, MARGIN, top, BODY_W, 100)
    pdf.set_y(top + 102)
    pdf.section("二、组织与依据")
    pdf.grid(("姓名", "所属", "职务/分工"), [tuple(p) for p in report.participants], (50, 50, 80))
    pdf.para(f"实施方案：{report.plan or '（无）'}")
    pdf.para(f"依据文件：{report.basis or '（无）'}")
    pdf.section("三、界桩检查情况")
    counts = "，".join(f"{k} {v} 个" for k, v in report.condition_counts.items()) or "无记录"
    pdf.para(f"共检查界桩 {sum(report.condition_counts.values())} 个：{counts}。")
    pdf.grid(("界桩编号", "状况", "实测位置", "位移（米）", "处理", "备注"), report.records, (22, 14, 46, 18, 16, 64))
    pdf.section("四、界线段检查发现")
    pdf.grid(("类型", "位置", "情况", "处理措施"), report.findings, (28, 40, 62, 50))
    pdf.section("五、整改事项")
    pdf.grid(("事项", "责任方", "期限", "状态", "办理结果"), report.follow_ups, (60, 16, 24, 18, 62))
    pdf.section("六、议定处理意见")
    pdf.para(report.agreed_handling)
    for note in report.notes:
        pdf.para(note)
    pdf.signatures(report.party_a, report.party_b)
    return pdf.render()
