"""Big exports run in the background (api.md "Long work"): the worker (`manage.py run_jobs`)
rebuilds the selection from the parameters the API validated, writes the file under
MEDIA_ROOT/exports/<job id>/ and links it from the job's result."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from apps.common.jobs import handler
from apps.common.models import Job

from .exports import export_layer
from .layers import LAYERS, filtered

JOB_KIND = "layer_export"


def export_dir(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(job_id)


@handler(JOB_KIND)
def run_export(job: Job, progress: Callable[[float, str], None]) -> dict[str, Any]:
    p = job.params
    layer = LAYERS[p["layer"]]
    progress(0.1, f"正在导出{layer.title}")
    queryset = filtered(layer, bbox=tuple(p["bbox"]) if p.get("bbox") else None, division=p.get("division"),
                        extra=p.get("extra") or {})
    out = export_layer(layer, queryset, p["format"], p["crs"], p["encoding"])
    folder = export_dir(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / out.filename).write_bytes(out.content)
    return {"filename": out.filename, "content_type": out.content_type, "count": out.count,
            "bytes": len(out.content), "download": f"/api/v1/export/jobs/{job.pk}/file"}
