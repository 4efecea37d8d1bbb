"""Data-quality audit of the place-name database (地名信息库数据质量审查), per category.

For every name in force (not 注销) of a county it finds: missing pinyin, geometry, origin text
(来历) or approval data (批准机关/文号/时间 of a name that is in force); duplicate names (the same
name twice in one category) and conflicting names (same sound, different characters, one
category); and positions outside the stated division. Where that division's boundary is
synthesised (township polygons are not public), an "outside" finding is reported separately:
it says more about the boundary than about the name.

One SQL statement per check, all run by `audit_report`; the test recomputes each count with
the ORM.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from .selectors import OUTSIDE_SQL

CHECKS = ("missing_pinyin", "missing_geometry", "missing_origin", "missing_approval", "duplicate_name",
          "homophone", "outside_division", "outside_synthesised_division")
CHECK_LABELS = {
    "missing_pinyin": "缺罗马字母拼写", "missing_geometry": "缺空间位置", "missing_origin": "缺来历",
    "missing_approval": "缺批准信息", "duplicate_name": "重名", "homophone": "同音异字",
    "outside_division": "位置不在所属政区内", "outside_synthesised_division": "位置不在所属政区内（政区边界为合成示意）",
}

_IN_FORCE = "p.county_id = %(county)s AND p.status <> '注销'"
_OUTSIDE = OUTSIDE_SQL.format(p="p.geometry", d="d.geometry")
_CHECK_SQL = {
    "missing_pinyin": f"SELECT p.id FROM placenames_placename p WHERE {_IN_FORCE} AND p.pinyin = ''",
    "missing_geometry": f"SELECT p.id FROM placenames_placename p WHERE {_IN_FORCE} AND p.geometry IS NULL",
    "missing_origin": f"SELECT p.id FROM placenames_placename p WHERE {_IN_FORCE} AND btrim(p.origin) = ''",
    "missing_approval": f"""SELECT p.id FROM placenames_placename p WHERE {_IN_FORCE}
        AND p.status IN ('已批准', '已公告')
        AND (p.approving_authority = '' OR p.approval_document = '' OR p.approved_on IS NULL)""",
    "duplicate_name": f"""SELECT p.id FROM placenames_placename p WHERE {_IN_FORCE} AND EXISTS (
        SELECT 1 FROM placenames_placename o WHERE o.county_id = p.county_id AND o.status <> '注销'
        AND o.category_id = p.category_id AND o.name = p.name AND o.id <> p.id)""",
    "homophone": f"""SELECT p.id FROM placenames_placename p WHERE {_IN_FORCE} AND p.search_pinyin <> '' AND EXISTS (
        SELECT 1 FROM placenames_placename o WHERE o.county_id = p.county_id AND o.status <> '注销'
        AND o.category_id = p.category_id AND o.search_pinyin = p.search_pinyin AND o.name <> p.name)""",
    "outside_division": f"""SELECT p.id FROM placenames_placename p JOIN divisions_division d ON d.id = p.division_id
        WHERE {_IN_FORCE} AND p.geometry IS NOT NULL AND d.geometry IS NOT NULL
        AND NOT d.geometry_synthesised AND {_OUTSIDE}""",
    "outside_synthesised_division": f"""SELECT p.id FROM placenames_placename p
        JOIN divisions_division d ON d.id = p.division_id
        WHERE {_IN_FORCE} AND p.geometry IS NOT NULL AND d.geometry IS NOT NULL
        AND d.geometry_synthesised AND {_OUTSIDE}""",
}


@dataclass
class CategoryRow:
    code: str
    name: str
    audit_class: str
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECKS, 0))

    def as_dict(self) -> dict[str, object]:
        return {"category": self.code, "category_name": self.name, "audit_class": self.audit_class,
                "total": self.total, **self.counts}


@dataclass
class AuditReport:
    county: str
    categories: list[CategoryRow]
    findings: list[dict[str, str]]

    def totals(self) -> dict[str, int]:
        out = {"total": sum(r.total for r in self.categories)}
        for check in CHECKS:
            out[check] = sum(r.counts[check] for r in self.categories)
        return out

    def as_dict(self) -> dict[str, object]:
        return {"county": self.county, "checks": CHECK_LABELS, "totals": self.totals(),
                "categories": [r.as_dict() for r in self.categories], "findings": self.findings}


def audit_report(county_id: int, county_code: str, *, audit_class: str = "") -> AuditReport:
    """The audit of one county's names, per leaf category (optionally one audit class only)."""
    params = {"county": county_id}
    with connection.cursor() as cur:
        cur.execute("""SELECT c.code, c.name, c.audit_class, count(p.id)
                       FROM placenames_placename p JOIN placenames_placenamecategory c ON c.id = p.category_id
                       WHERE p.county_id = %(county)s AND p.status <> '注销'
                       GROUP BY c.code, c.name, c.audit_class ORDER BY c.code""", params)
        rows = {code: CategoryRow(code, name, audit, total) for code, name, audit, total in cur.fetchall()}
        hits: dict[str, list[int]] = defaultdict(list)
        for check, sql in _CHECK_SQL.items():
            cur.execute(sql, params)
            hits[check] = [row[0] for row in cur.fetchall()]
        ids = sorted({i for found in hits.values() for i in found})
        names: dict[int, tuple[str, str, str]] = {}
        if ids:
            cur.execute("""SELECT p.id, p.code, p.name, c.code FROM placenames_placename p
                           JOIN placenames_placenamecategory c ON c.id = p.category_id WHERE p.id = ANY(%s)""", [ids])
            names = {pid: (code, name, cat) for pid, code, name, cat in cur.fetchall()}
    findings = []
    for check in CHECKS:
        for pid in hits[check]:
            code, name, category = names[pid]
            rows[category].counts[check] += 1
            findings.append({"check": check, "problem": CHECK_LABELS[check], "code": code, "name": name,
                             "category": category})
    categories = [r for r in rows.values() if not audit_class or r.audit_class == audit_class]
    kept = {r.code for r in categories}
    return AuditReport(county_code, categories, [f for f in findings if f["category"] in kept])
