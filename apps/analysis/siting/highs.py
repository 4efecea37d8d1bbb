"""A mixed-integer program handed to HiGHS (highspy) and what came back: values, bound, gap, honesty.

The models (``models.py``) are written as sparse matrices; this module loads one into HiGHS,
optionally gives it a complete feasible start (the greedy solution), solves with a time limit and
reports the objective, the best bound and the gap. ``optimal`` is True only when HiGHS says
``Optimal`` *and* the final gap is within the tolerances asked for: a run stopped by the time limit
is never called optimal, whatever its incumbent looks like (unlike PuLP, which labels CBC's
time-limited incumbent "Optimal"). Gaps are absolute-first: with integer or few distinct weights,
``mip_abs_gap`` below the smallest weight difference makes "optimal" mean exactly optimal.
No Django import.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_ABS_GAP = 1e-6
DEFAULT_REL_GAP = 0.0  # HiGHS' default 1e-4 would stop at "within 0.01 %", not at the optimum


@dataclass
class MipModel:
    """min/max ``cost·v`` s.t. ``row_lower <= A v <= row_upper``, ``col_lower <= v <= col_upper``."""

    cost: np.ndarray
    matrix: sp.spmatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray  # bool per column
    maximize: bool


@dataclass(frozen=True)
class MipOutcome:
    values: np.ndarray
    objective: float
    bound: float
    gap: float
    optimal: bool
    status: str
    seconds: float


def load(model: MipModel, *, threads: int | None = None, presolve: bool = True) -> highspy.Highs:
    """A quiet ``Highs`` instance holding ``model`` (``presolve=False`` skips HiGHS' presolve)."""
    csc = sp.csc_matrix(model.matrix, dtype=float)
    csc.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(csc.shape[1]), int(csc.shape[0])
    lp.col_cost_ = np.asarray(model.cost, dtype=float)
    lp.col_lower_ = np.asarray(model.col_lower, dtype=float)
    lp.col_upper_ = np.asarray(model.col_upper, dtype=float)
    lp.row_lower_ = np.asarray(model.row_lower, dtype=float)
    lp.row_upper_ = np.asarray(model.row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data
    lp.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
                       for f in model.integer]
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximize else highspy.ObjSense.kMinimize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    if not presolve:
        h.setOptionValue("presolve", "off")
    h.passModel(lp)
    return h


def solve(h: highspy.Highs, *, time_limit_s: float = DEFAULT_TIME_LIMIT_S, start: np.ndarray | None = None,
          mip_abs_gap: float = DEFAULT_ABS_GAP, mip_rel_gap: float = DEFAULT_REL_GAP) -> MipOutcome:
    """Solve (again) with these limits; ``start`` is a complete feasible column vector (warm start)."""
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_abs_gap", float(mip_abs_gap))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if start is not None:
        idx = np.arange(len(start), dtype=np.int32)
        h.setSolution(len(start), idx, np.asarray(start, dtype=float))
    began = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - began
    status = h.getModelStatus()
    info = h.getInfo()
    text = h.modelStatusToString(status)
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value, dtype=float) if has_solution else np.zeros(0)
    objective = float(info.objective_function_value) if has_solution else float("nan")
    bound = float(info.mip_dual_bound)
    gap = _gap(objective, bound) if has_solution else float("inf")
    within = abs(objective - bound) <= mip_abs_gap + 1e-9 * max(1.0, abs(objective)) or gap <= mip_rel_gap
    optimal = status == highspy.HighsModelStatus.kOptimal and has_solution and within
    return MipOutcome(values, objective, bound, gap, bool(optimal), text, seconds)


def _gap(objective: float, bound: float) -> float:
    """Relative gap |bound - objective| / |objective| (0 when both are 0), as HiGHS defines it."""
    diff = abs(bound - objective)
    if diff == 0.0:
        return 0.0
    return diff / abs(objective) if objective != 0 else float("inf")
