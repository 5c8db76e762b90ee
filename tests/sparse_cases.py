"""Vector fields with known sparse Jacobians, shared by the tests of dualgrad.sparse
(and the benchmarks): stencils, the 2-D Brusselator, structured products."""
import numpy as onp

import dualgrad.numpy as np


def stencil_1d(x):
    inner = x[2:] - 2.0 * x[1:-1] + x[:-2]
    return np.concatenate([x[:1] ** 2, inner + x[1:-1] ** 3, np.exp(x[-1:])])


def stencil_2d(x, N=5):
    u = np.reshape(x, (N, N))
    up = np.pad(u, 1)
    lap = up[:-2, 1:-1] + up[2:, 1:-1] + up[1:-1, :-2] + up[1:-1, 2:] - 4.0 * u
    return np.ravel(lap + np.sin(u))


def brusselator(x, N=4, alpha=0.02):
    """The 2-D Brusselator reaction-diffusion field on an N x N periodic grid
    (u and v stacked: n = 2 N^2), as in DifferentialEquations.jl's benchmark."""
    u, v = np.reshape(x[:N * N], (N, N)), np.reshape(x[N * N:], (N, N))
    h = 1.0 / (N - 1)

    def lap(w):
        return (np.roll(w, 1, 0) + np.roll(w, -1, 0) + np.roll(w, 1, 1) + np.roll(w, -1, 1)
                - 4.0 * w) / h ** 2
    uuv = u * u * v
    du = 1.0 + uuv - 4.4 * u + alpha * lap(u)
    dv = 3.4 * u - uuv + alpha * lap(v)
    return np.concatenate([np.ravel(du), np.ravel(dv)])


def arrowhead(x):
    head = np.sum(x ** 2)[None]
    return np.concatenate([head, x[0] * x[1:] + np.sin(x[1:])])


_BLOCKS = onp.random.default_rng(0).normal(size=(4, 3, 3))


def block_diagonal(x):
    X = np.reshape(x, (4, 3))
    return np.ravel(np.tanh(np.einsum("kij,kj->ki", _BLOCKS, X)))


def indexing_concat(x):
    return np.concatenate([x[::2] * x[1::2], x[[3, 1, 4, 1]] ** 2, np.stack([x[-1], x[0]]),
                           np.flip(x[-3:])])


def reductions(x):
    X = np.reshape(x, (3, 4))
    return np.concatenate([np.sum(X ** 2, axis=0), np.prod(X, axis=1), np.mean(X, keepdims=True)[0],
                           np.cumsum(x[:4])])


def where_mask(x):
    return np.where(x > 0, x ** 2, np.sin(x[::-1]))


_TRIDIAG = onp.diag(onp.arange(1.0, 9.0)) + onp.diag(onp.ones(7), 1) - onp.diag(onp.ones(7), -1)


def sparse_matrix_product(x):
    return np.concatenate([_TRIDIAG @ x ** 2 + _TRIDIAG.T @ np.sin(x), np.dot(_TRIDIAG[:3], x)])


def matrix_products(x):
    X = np.reshape(x, (3, 4))
    return np.concatenate([np.ravel(X[:, :2] @ X[:2, :]),
                           np.ravel(np.tensordot(X, X[:, :1], ([0], [0])))])


def setitem_transpose(x):
    z = x * 1.0
    z[2] = x[0] ** 2
    Z = np.reshape(z, (2, 4)).T
    return np.ravel(Z * np.array([[1.0, 0.0]] * 4)) + np.ravel(np.transpose(np.reshape(x, (2, 4))))


_E = onp.random.default_rng(1).normal(size=(4, 4))
_E[1, 2] = 0.0  # a structural zero of the product


def einsum_diagonals(x):
    X = np.reshape(x, (4, 4))
    return np.concatenate([np.einsum("ii->i", X), np.einsum("ij,jj->i", _E, X),
                           np.ravel(np.einsum("ii,ij->ij", X, X ** 2)),
                           np.einsum("ii->", X)[None]])


# (function, input size)
CASES = {"stencil_1d": (stencil_1d, 9), "stencil_2d": (stencil_2d, 25),
         "brusselator": (brusselator, 32), "arrowhead": (arrowhead, 7),
         "block_diagonal": (block_diagonal, 12), "indexing_concat": (indexing_concat, 8),
         "reductions": (reductions, 12), "where_mask": (where_mask, 10),
         "sparse_matrix_product": (sparse_matrix_product, 8),
         "matrix_products": (matrix_products, 12), "setitem_transpose": (setitem_transpose, 8),
         "einsum_diagonals": (einsum_diagonals, 16)}


def chained_rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
