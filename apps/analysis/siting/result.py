"""What a siting run returns: chosen sites in order of marginal gain, objective, bound, gap, honesty flags.

Marginal gains are re-evaluated on the final set, in *greedy order within the chosen set*: starting
from the existing facilities alone, the chosen site adding the most (covered weight, or reduction of
weighted distance) comes first, then the one adding most given the first, and so on. Each
``marginal_gain`` is the gain *when added in that order*, so they sum to after - before.
``removal_loss`` is, per site, what is lost if only that site is left out of the final set.
No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass
class SitingResult:
    """One MCLP / LSCP / p-median solve (or greedy preview).

    ``objective`` is in problem terms: covered weight including the existing facilities (MCLP), number
    of new sites (LSCP), total weighted distance (p-median). ``bound`` is the solver's proven bound on
    it, ``gap`` = |bound - objective| / |objective|. ``optimal`` is True only for a completed exact
    solve within the gap tolerances; a time-limited solve is ``optimal=False`` with its gap.
    """

    model: str
    sites: list[int]
    marginal_gain: list[float]
    removal_loss: list[float]
    objective: float
    bound: float
    gap: float
    optimal: bool
    status: str
    solve_seconds: float
    greedy_sites: list[int]
    greedy_objective: float
    rows_before_merge: int
    rows_after_merge: int
    covered_weight_before: float | None = None
    covered_weight_after: float | None = None
    covered_count_before: int | None = None
    covered_count_after: int | None = None
    total_weight: float | None = None
    target_weight: float | None = None
    total_distance_before: float | None = None
    total_distance_after: float | None = None
    unserved_weight: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CurvePoint:
    """Covered weight with ``p`` new sites, solved exactly (see ``optimal`` and ``gap``)."""

    p: int
    covered_weight: float
    covered_share: float
    sites: list[int]
    optimal: bool
    gap: float
    solve_seconds: float


def order_by_gain(sites: list[int], value: Callable[[list[int]], float],
                  maximize: bool) -> tuple[list[int], list[float], list[float]]:
    """``sites`` re-ordered by marginal gain, the gain of each in that order, and each one's removal loss.

    ``value(subset)`` evaluates the objective with the existing facilities plus ``subset`` open.
    Gains are positive improvements (more coverage, or less distance).
    """
    sign = 1.0 if maximize else -1.0
    full = value(list(sites))
    removal = [sign * (full - value([s for s in sites if s != j])) for j in sites]
    ordered: list[int] = []
    gains: list[float] = []
    current = value([])
    left = list(sites)
    while left:
        scores = [(sign * (value(ordered + [j]) - current), -j) for j in left]
        best_score, neg_j = max(scores)
        j = -neg_j
        ordered.append(j)
        gains.append(best_score)
        current = value(ordered)
        left.remove(j)
    return ordered, gains, [removal[sites.index(j)] for j in ordered]
