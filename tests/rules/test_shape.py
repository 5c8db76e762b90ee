"""Shape rules: reshape, transpose, indexing, concatenation and what is built from them."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacobian
from dualgrad.test_util import check_grads

X = onp.random.RandomState(1).randn(2, 3, 4)

CASES = {
    "reshape": lambda x: np.reshape(x, (4, 6)),
    "reshape_method": lambda x: x.reshape(6, 4),
    "ravel": lambda x: np.ravel(x),
    "transpose": lambda x: np.transpose(x, (2, 0, 1)),
    "T": lambda x: x.T,
    "swapaxes": lambda x: np.swapaxes(x, 0, 2),
    "moveaxis": lambda x: np.moveaxis(x, 0, -1),
    "moveaxis_multi": lambda x: np.moveaxis(x, (0, 1), (2, 0)),
    "expand_dims": lambda x: np.expand_dims(x, 1),
    "squeeze": lambda x: np.squeeze(x[:, :1, :], axis=1),
    "broadcast_to": lambda x: np.broadcast_to(x[0, 0], (3, 4)),
    "concatenate": lambda x: np.concatenate([x, 2 * x], axis=1),
    "concatenate_none": lambda x: np.concatenate([x, x[0]], axis=None),
    "stack": lambda x: np.stack([x[0], x[1] ** 2], axis=1),
    "hstack": lambda x: np.hstack([x[0], x[1]]),
    "vstack": lambda x: np.vstack([x[0, 0], x[1, 1]]),
    "tile": lambda x: np.tile(x[0], (2, 1, 3)),
    "repeat": lambda x: np.repeat(x, 2, axis=1),
    "repeat_counts": lambda x: np.repeat(x[0], [1, 0, 3], axis=0),
    "flip": lambda x: np.flip(x, axis=(0, 2)),
    "getitem_basic": lambda x: x[1, ::2, 1:],
    "getitem_fancy": lambda x: x[[0, 1, 1], [2, 0, 0]],
    "getitem_mask": lambda x: x[x > 0],
    "getitem_newaxis": lambda x: x[None, ..., 0],
    "array_of_tracers": lambda x: np.array([x[0, 0, 0], x[1, 2, 3], x[0, 1, 2] * x[1, 0, 0]]),
    "array_nested": lambda x: np.array([[x[0, 0, 0], 1.0], [2.0, x[1, 1, 1]]]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_shape_rules(name):
    check_grads(CASES[name], order=2)(X)


def test_repeated_index_accumulates():
    x = onp.arange(3.0)
    assert grad(lambda x: np.sum(x[[0, 0, 2]]))(x).tolist() == [2.0, 0.0, 1.0]


def test_iteration_and_len():
    def f(x):
        total = 0.0
        for row in x:
            total = total + np.sum(row) * len(x)
        return total
    assert onp.allclose(grad(f)(X[0]), 3 * onp.ones((3, 4)))


def test_stack_of_scalars_jacobian():
    J = jacobian(lambda x: np.array([x[0] * x[1], x[1] ** 2]))(onp.array([2.0, 3.0]))
    assert onp.allclose(J, [[3.0, 2.0], [0.0, 6.0]])
