"""benchmarks.solvers (the sparse page's solver table) runs at a small size, and the
root its Newton iteration reports is a root: every solver that converges finds the
same one, and the sparse Jacobian it used is the dense one."""
import os
import sys

import numpy as onp
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
solvers = pytest.importorskip("benchmarks.solvers")

from dualgrad import jacfwd, sparse  # noqa: E402

N = 6


def residual(x):
    return onp.asarray(solvers.brusselator_steady(x, N))


def test_the_problem_is_square_sparse_and_not_solved_by_the_start():
    x0 = solvers.start(N)
    assert residual(x0).shape == x0.shape == (2 * N * N,)
    assert onp.linalg.norm(residual(x0)) > 1.0  # the varying feed: the uniform state is no root
    J = sparse.jacobian(lambda x: solvers.brusselator_steady(x, N))(x0)
    onp.testing.assert_allclose(J.toarray(), jacfwd(lambda x: solvers.brusselator_steady(x, N))(x0),
                                rtol=1e-13, atol=1e-12)
    assert J.nnz < 0.2 * J.shape[0] ** 2


def test_newton_and_least_squares_reach_the_same_root():
    info, x_newton = solvers.newton_spsolve(N, budget=1000)
    assert info["evals"] == 0 and info["passes"] == info["steps"] + 1
    assert onp.linalg.norm(residual(x_newton)) <= solvers.TOL
    assert onp.ptp(x_newton[:N * N]) > 0.1  # a non-uniform steady state
    for solve in (solvers.lsq_dualgrad, solvers.lsq_fd_sparsity):
        _, x = solve(N, budget=5000)
        onp.testing.assert_allclose(x, x_newton, rtol=1e-8, atol=1e-8)


def test_the_budget_stops_a_solver_and_the_table_says_so():
    info, x = solvers.lsq_fd_dense(N, budget=10)
    assert x is None and info["evals"] == 11 and "budget" in info["extra"]
    table = solvers.run(quick=True, echo=lambda s: None)
    assert table.count("| yes |") + table.count("| no |") == len(solvers.SOLVERS)
    assert "Newton + spsolve" in table
