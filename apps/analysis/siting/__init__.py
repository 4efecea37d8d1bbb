"""Facility siting: MCLP, LSCP and p-median, solved exactly with HiGHS on merged demand rows.

Pure algorithms (numpy, scipy, pyproj, highspy); no Django import. Modules:
``problem`` (coverage sets, merging), ``median`` (p-median distances, pruning, merging), ``greedy``
(preview, warm start, marginal-gain order), ``models`` (the MIPs as sparse matrices), ``highs``
(loading and solving, honest status/bound/gap), ``result`` (``SitingResult``, ``CurvePoint``),
``core`` (large MCLP on a core of candidates with a dual-bound proof), ``solvers`` (the entry points
below).

Inputs
------
Demand rows i (weight w_i >= 0: households, residents, 60+), candidate sites j = 1..m, existing
facilities (fixed, open). Coverage: a_ij = 1 when candidate j is within the service radius of demand
i by the exact geodesic rule of ``coverage_math`` (GRS80, equal to a pyproj.Geod oracle), or from any
0/1 matrix passed to ``from_cover_matrix`` (road-network coverage later). p-median distances:
geodesic metres, or any dense/sparse matrix passed to ``build_median_problem`` (network later).

Merging (coverage models)
-------------------------
Rows covered by an existing facility are covered whatever is opened; rows no candidate covers are
uncovered whatever is opened: both are constant in every objective and are dropped (only counted).
The remaining rows are grouped by identical candidate set S_k = {j : a_ij = 1}: for any choice of
sites x, all rows of a group are covered or none is, so one row k with weight W_k = Σ_{i∈k} w_i
gives the same objective for every x, hence the same optimum (and the same optimal sites). The
result reports ``rows_before_merge`` / ``rows_after_merge``. p-median merges rows with identical
(site, distance) lists the same way (continuous assignment, so a merged row splits like its parts).

MCLP (``mclp``) — x_j ∈ {0,1} open candidate j; y_k ∈ [0,1] group k covered:
    max  Σ_k W_k y_k
    s.t. y_k <= Σ_{j∈S_k} x_j      for every group k
         Σ_j x_j <= p
  y may be continuous: for integer x the best y_k is 1 exactly when some j ∈ S_k is open.
  Reported objective = existing-covered weight + Σ W_k y_k, re-evaluated from the chosen sites.
  Capacitated (``capacity=``, weight units per candidate): z_kj >= 0 weight of k served by j,
    max Σ z_kj  s.t. Σ_j z_kj <= W_k,  Σ_k z_kj <= c_j x_j,  z_kj <= W_k x_j,  Σ x_j <= p
  (demand may be split between sites; existing facilities are treated as uncapacitated).

LSCP (``lscp``) — fewest sites reaching a target T (a share of the coverable or of the total weight):
    min  Σ_j x_j
    s.t. y_k <= Σ_{j∈S_k} x_j,   Σ_k W_k y_k >= T - existing-covered weight
  With a full target every y_k is fixed to 1 (the classic set cover Σ_{j∈S_k} x_j >= 1). A target
  above what all candidates together reach raises ``InfeasibleTarget`` with the reachable share.
  No capacitated LSCP.

p-median (``p_median``) — z_kj ∈ [0,1] share of row k assigned to site j (candidates and existing):
    min  Σ_kj W_k d_kj z_kj
    s.t. Σ_j z_kj = 1 for every served row k;  z_kj <= x_j (candidates);  Σ_j x_j <= p
  Existing facilities are always open (no x). Uncapacitated: pairs farther than the row's nearest
  existing facility are pruned (never better). ``max_distance_m`` forbids longer pairs; rows with no
  allowed pair are reported as unserved. Capacitated: Σ_k W_k z_kj <= c_j x_j (candidates), <= c_e
  (existing), demand may be split; HiGHS proves infeasibility if capacities cannot serve everyone.

Solving
-------
Greedy (``greedy``) gives an instant preview and a complete feasible start (``Highs.setSolution``).
HiGHS runs with a time limit, ``mip_rel_gap = 0`` and ``mip_abs_gap = 1e-6`` by default (so with
integer weights "optimal" means exactly optimal). ``optimal`` is True only when HiGHS reports Optimal
within those gaps; a time-limited result says ``optimal=False`` with its bound and gap. Chosen sites
are listed in order of marginal gain re-evaluated on the final set (see ``result``).
Large MCLP models (>= 5,000 merged rows, uncapacitated) are solved on a *core* of candidates
(``core``): column generation on the LP relaxation, where any dual (π, μ) gives the valid bound
UB = pμ + Σ_k (w_k - π_k) + Σ_j max(0, Σ_{k∈S_j} π_k - μ) over *all* candidates (weak duality), then
the exact MIP on the core; its sites are reported optimal only if they reach that bound (below the
next integer for integer weights), otherwise the full MIP runs, warm-started from them.
``coverage_curve`` solves MCLP for several p on one loaded model, warm-starting each from the last.
Sites that add nothing are not opened, so fewer than p sites may be returned.
"""

from apps.analysis.siting.median import MedianProblem, build_median_problem
from apps.analysis.siting.problem import CoverageProblem, build_coverage_problem, from_cover_matrix
from apps.analysis.siting.result import CurvePoint, SitingResult
from apps.analysis.siting.solvers import (InfeasibleProblem, InfeasibleTarget, coverage_curve, greedy_preview, lscp,
                                          mclp, p_median)

__all__ = ["CoverageProblem", "CurvePoint", "InfeasibleProblem", "InfeasibleTarget", "MedianProblem",
           "SitingResult", "build_coverage_problem", "build_median_problem", "coverage_curve", "from_cover_matrix",
           "greedy_preview", "lscp", "mclp", "p_median"]
