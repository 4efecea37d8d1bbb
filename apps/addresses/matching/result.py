"""What the address matcher answers (pure dataclasses, no Django): ranked candidates with a
score in [0, 1], the precision level reached, and the reasons; plus the overall status.

A wrong `matched` is worse than `ambiguous`: `matched` is only given when the best candidate is
both good enough and clearly ahead of the next one."""
from __future__ import annotations

from dataclasses import dataclass, field

# Precision levels, finest first (GB/T 35639 levels the matcher can reach).
PRECISIONS = ("户室", "楼栋", "门牌", "街路巷", "片区", "村社区", "乡镇", "区县")

MATCHED, AMBIGUOUS, UNMATCHED = "matched", "ambiguous", "unmatched"


@dataclass
class Candidate:
    code: str  # address code, or a division/road/area code when only that level was reached
    full_text: str
    score: float
    precision: str  # one of PRECISIONS
    lon: float | None = None
    lat: float | None = None
    reasons: list[str] = field(default_factory=list)  # e.g. "road:英溪南路", "corrected:栋→幢", "renamed_from:城关镇"
    kind: str = "address"  # address | road | area | division


@dataclass
class MatchResult:
    query: str
    status: str  # MATCHED | AMBIGUOUS | UNMATCHED
    candidates: list[Candidate]
    normalized: str = ""
    outside_county: bool = False

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None
