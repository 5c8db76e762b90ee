"""Every batch rule (``dualgrad.rules.batch``) takes its primitive's arguments as
the primitive does: by position, and by keyword wherever the primitive's own
signature allows (``reshape(x, shape=(2, 2))``). Each rule is called under vmap
in both forms and must give the examples' answers stacked."""
import inspect

import numpy as onp
import pytest

from dualgrad import vmap
from dualgrad.interpreters.batching import BATCH_RULES
from dualgrad.rules import _helpers, complex as cx, elementwise as ew, linalg as la
from dualgrad.rules import decompositions as dec, fft, reductions as red, scans
from dualgrad.rules import construction, shape as shp, svd_qr

B = 3  # examples
R = onp.random.RandomState(7)
X = R.uniform(0.2, 0.8, (B, 2, 3))          # a batch of (2, 3) examples
SQ = R.uniform(0.2, 0.8, (B, 3, 3)) + 3 * onp.eye(3)
SPD = onp.einsum("bij,bkj->bik", SQ, SQ)
V3 = R.uniform(0.2, 0.8, (B, 3))

# name: (primitive, batched example arrays, other positional arguments, keyword
# arguments, a position for each batched array in the call); the batched arrays come
# first unless `at` says where. Elementwise primitives are filled in below.
CASES = {
    "sum": (red.sum, [X], [], dict(axis=1, keepdims=True, dtype=None)),
    "mean": (red.mean, [X], [], dict(axis=0, keepdims=False, dtype=None)),
    "prod": (scans.prod, [X], [], dict(axis=1, keepdims=True, dtype=None)),
    "max": (red.max, [X], [], dict(axis=1, keepdims=True)),
    "min": (red.min, [X], [], dict(axis=0, keepdims=False)),
    "cumsum": (red.cumsum, [X], [], dict(axis=1, dtype=None)),
    "reshape": (shp.reshape, [X], [], dict(shape=(3, 2), order="C")),
    "transpose": (shp.transpose, [X], [], dict(axes=(1, 0))),
    "getitem": (shp.getitem, [X], [], dict(idx=(slice(None), [0, 2]))),
    "untake": (shp.untake, [V3], [], dict(idx=onp.array([0, 2, 3]), shape=(5,))),
    "concatenate": (shp.concatenate_args, [X, X], [], dict(axis=1)),
    "broadcast_to": (_helpers.broadcast_to, [V3], [], dict(shape=(2, 3), subok=False)),
    "sum_to_shape": (_helpers.sum_to_shape, [X], [], dict(shape=(1, 3))),
    "matmul": (la.matmul, [X, onp.swapaxes(X, 1, 2)], [], {}),
    "tensordot": (la.tensordot, [X, X], [], dict(axes=([1], [1]))),
    "einsum": (la.einsum_prim, [X, X], ["ij,ik->jk"], {}, (1, 2)),
    "fft": (fft.fft_p, [X], [], dict(n=4, axis=0, norm="ortho", inverse=False)),
    "rfft": (fft.rfft_p, [X], [], dict(n=4, axis=1, norm=None)),
    "irfft": (fft.irfft_p, [X + 0.5j * X], [], dict(n=4, axis=1, norm="forward")),
    "inv": (dec.inv, [SQ], [], {}),
    "det": (dec.det, [SQ], [], {}),
    "logdet": (dec.logdet, [SPD], [], {}),
    "pinv": (dec.pinv_p, [SQ], [], {}),
    "cholesky": (dec.cholesky_p, [SPD], [], dict(upper=True)),
    "eigh": (dec.eigh_p, [SPD], [], dict(UPLO="U")),
    "eig": (dec.eig_p, [SPD], [], {}),
    "svd": (svd_qr.svd_p, [SQ], [], dict(full_matrices=False)),
    "qr": (svd_qr.qr_p, [SQ], [], dict(complete=True)),
    "solve": (dec.solve, [SQ, V3], [], {}),
    "where": (ew.where, [X, 2 * X], [], {}, (1, 2)),   # condition: the constant below
    "clip": (ew.clip, [X], [], dict(lo=0.3, hi=0.6)),
    "astype": (_helpers.astype, [X], [], dict(dtype=onp.float32)),
    "angle": (cx.angle, [X + 1j], [], dict(deg=True)),
    "roll": (construction.roll_along, [X], [], dict(shift=(1, -1), axis=(0, 1))),
}
MASK = X[0] > 0.5
_DOMAIN = {"arccosh": 1.5, "arcsin": 0.0, "arccos": 0.0, "arctanh": 0.0}


def _fill_elementwise():
    for prim in BATCH_RULES:
        if prim.name in CASES:
            continue
        try:
            params = inspect.signature(prim.fun).parameters.values()
            nin = sum(p.default is p.empty and p.kind != p.VAR_KEYWORD for p in params)
        except (TypeError, ValueError):
            nin = prim.fun.nin
        x = X + _DOMAIN.get(prim.name, 0.0)
        CASES[prim.name] = (prim, [x, 1.3 * x][:nin], [], {})


_fill_elementwise()
CASES["where"] = (ew.where, [X, 2 * X], [MASK], {}, (1, 2))


def _call(prim, arrays, others, kwargs, at, by_keyword):
    """``prim`` on ``arrays`` (placed at ``at``) and ``others``: every argument after
    the arrays by keyword when ``by_keyword``, else by position as far as the
    signature lets it."""
    n = len(arrays) + len(others)
    pos = [None] * n
    rest = iter(others)
    for i in range(n):
        pos[i] = arrays[at.index(i)] if i in at else next(rest)
    try:
        sig = inspect.signature(prim.fun)
    except (TypeError, ValueError):
        sig = None
    if sig is None:
        return prim(*pos, **kwargs)
    params = list(sig.parameters.values())
    if by_keyword:
        kw = {}
        if len(params) >= n:  # unbatched positional arguments by keyword where allowed
            for i in range(n - 1, -1, -1):
                p = params[i]
                if i in at or p.kind != p.POSITIONAL_OR_KEYWORD:
                    break
                kw[p.name] = pos.pop()
        return prim(*pos, **kw, **kwargs)
    # positional: the keyword arguments moved to their positions while they can be
    kwargs = dict(kwargs)
    for p in params[n:]:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) or p.name not in kwargs:
            break
        pos.append(kwargs.pop(p.name))
    return prim(*pos, **kwargs)


def _leaves(out):
    return [onp.asarray(o) for o in (out if isinstance(out, (tuple, list)) else (out,))]


def test_every_batch_rule_has_a_case():
    assert {p.name for p in BATCH_RULES} <= set(CASES)


@pytest.mark.parametrize("by_keyword", [False, True], ids=["positional", "keyword"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_rule_takes_positions_and_keywords(name, by_keyword):
    prim, arrays, others, kwargs, *at = CASES[name]
    at = at[0] if at else tuple(range(len(arrays)))
    assert prim in BATCH_RULES
    expected = [_call(prim, [a[k] for a in arrays], others, kwargs, at, by_keyword)
                for k in range(B)]
    got = vmap(lambda *a: _call(prim, list(a), others, kwargs, at, by_keyword))(*arrays)
    for k in range(B):
        for g, e in zip(_leaves(got), _leaves(expected[k])):
            onp.testing.assert_allclose(g[k], e, rtol=1e-10, atol=1e-12)


def test_reshape_by_keyword_under_vmap_and_jacobians():
    # the example, through the public function and the primitive itself
    import dualgrad.numpy as np
    from dualgrad import jacfwd, jacrev
    v = onp.arange(12.0).reshape(3, 4)
    for f in (lambda v: np.reshape(v, shape=(2, 2)), lambda v: shp.reshape(v, shape=(2, 2))):
        onp.testing.assert_array_equal(vmap(f)(v), v.reshape(3, 2, 2))
        for jac in (jacfwd, jacrev):
            onp.testing.assert_array_equal(jac(f)(v[0]), onp.eye(4).reshape(2, 2, 4))
