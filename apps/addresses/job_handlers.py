"""Background work of the address register: batch matching of a department's file. Registered
with the PostgreSQL job queue (apps.common.jobs); `manage.py run_jobs` imports this module."""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from apps.common.exports import csv_safe
from apps.common.jobs import handler
from apps.common.models import Job

from .batch_input import address_column, read_table
from .matching.result import AMBIGUOUS, MATCHED, UNMATCHED
from .matching.service import geocode
from .models import MatchBatch, ReviewItem

OUTPUT_COLUMNS = ["标准地址编码", "标准地址", "经度", "纬度", "匹配得分", "匹配精度", "匹配状态", "匹配说明"]
STATUS_LABELS = {MATCHED: "匹配", AMBIGUOUS: "多义", UNMATCHED: "未匹配"}
PROGRESS_EVERY = 1000
REVIEW_CANDIDATES = 5


@handler("address_batch_match")
def run_batch_match(job: Job, progress: Callable[[float, str], None]) -> dict[str, Any]:
    batch = MatchBatch.objects.get(job=job)
    job.input_file.open("rb")
    try:
        table = read_table(job.input_file.read(), job.input_file.name)
    finally:
        job.input_file.close()
    column = address_column(table, batch.column)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(table.columns + OUTPUT_COLUMNS)
    statuses: Counter = Counter()
    by_town: dict[str, Counter] = defaultdict(Counter)
    review: list[ReviewItem] = []
    unmatched_rows: list[dict[str, Any]] = []
    total = len(table.rows)
    for number, row in enumerate(table.rows, start=2):
        query = row[column] if column < len(row) else ""
        result = geocode(query, limit=REVIEW_CANDIDATES)
        best = result.best if result.status != UNMATCHED else None
        statuses[result.status] += 1
        town = _township_of(best.code) if best else ""
        by_town[town or "（无）"][result.status] += 1
        writer.writerow([csv_safe(c) for c in row] + [
            best.code if best else "", best.full_text if best else "",
            f"{best.lon:.7f}" if best and best.lon is not None else "",
            f"{best.lat:.7f}" if best and best.lat is not None else "",
            f"{best.score:.3f}" if best else "", best.precision if best else "", STATUS_LABELS[result.status],
            "；".join(best.reasons) if best else ""])
        if result.status != MATCHED:
            review.append(ReviewItem(batch=batch, row_number=number, query=query[:500], status=result.status,
                                     candidates=[{"code": c.code, "full_text": c.full_text, "score": c.score,
                                                  "precision": c.precision} for c in result.candidates]))
            if len(unmatched_rows) < 1000:
                unmatched_rows.append({"row": number, "query": query, "status": result.status})
        if number % PROGRESS_EVERY == 0:
            progress((number - 1) / total, f"已匹配 {number - 1} / {total} 行")
    report = {
        "rows": total,
        "match_rate": round(statuses[MATCHED] / total, 4),
        "by_status": {STATUS_LABELS[s]: statuses[s] for s in (MATCHED, AMBIGUOUS, UNMATCHED)},
        "by_township": {town: {"rows": sum(c.values()), "matched": c[MATCHED],
                               "match_rate": round(c[MATCHED] / sum(c.values()), 4)}
                        for town, c in sorted(by_town.items())},
        "encoding": table.encoding,
        "notes": table.notes,
        "unmatched_rows": unmatched_rows,
    }
    with transaction.atomic():
        ReviewItem.objects.bulk_create(review, batch_size=2000)
        batch.rows, batch.matched = total, statuses[MATCHED]
        batch.ambiguous, batch.unmatched, batch.report = statuses[AMBIGUOUS], statuses[UNMATCHED], report
        batch.save()
        job.result_file.save(f"batch-{job.pk}.csv", ContentFile(out.getvalue().encode("utf-8")), save=False)
    return {"batch": batch.pk, "match_rate": report["match_rate"], "rows": total}


def _township_of(code: str) -> str:
    """The township part of an address (or division) code: its first 9 digits."""
    digits = code.split("-")[0]
    return digits[:9] if len(digits) >= 9 else ""
