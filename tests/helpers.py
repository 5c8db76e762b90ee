"""Shared test helpers: small-array strategies and the mpmath reference."""
from __future__ import annotations

import mpmath
import numpy as onp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

mpmath.mp.dps = 30


def small_shapes(min_dims=0, max_dims=2, max_side=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def small_arrays(domain=(-2.0, 2.0), shape=None, complex_ok=False, min_dims=0, max_dims=2):
    """Float arrays with entries in ``domain`` (tiny shapes), optionally complex."""
    lo, hi = domain
    shapes = st.just(shape) if shape is not None else small_shapes(min_dims, max_dims)
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    real = shapes.flatmap(lambda s: hnp.arrays(onp.float64, s, elements=floats))
    if not complex_ok:
        return real
    cplx = shapes.flatmap(lambda s: st.tuples(
        hnp.arrays(onp.float64, s, elements=floats), hnp.arrays(onp.float64, s, elements=floats)
    ).map(lambda ab: ab[0] + 1j * ab[1]))
    return st.one_of(real, cplx)


def mp_derivative(f_mp, x: float, n: int = 1) -> float:
    """The n-th derivative of an mpmath function at x, to 30 digits."""
    return float(mpmath.diff(f_mp, mpmath.mpf(x), n))


# ------------------------------------------------------------ complex numbers
def mp_complex_derivative(f_mp, z: complex, n: int = 1) -> complex:
    """The n-th complex derivative of an analytic mpmath function at z, to 30 digits."""
    return complex(mpmath.diff(f_mp, mpmath.mpc(z.real, z.imag), n))


def real_jacobian_fd(f, x, h=1e-6):
    """d flat(f(x)) / d flat(x) by central differences, where flat lists real
    coordinates in vspace order (a complex entry gives its real part, then, after
    all real parts, its imaginary part). For scalar z this is
    [[du/dx, du/dy], [dv/dx, dv/dy]]."""
    from dualgrad.core.spaces import vspace
    xs = vspace(x)
    ys = vspace(f(x))
    cols = [(ys.flatten(f(xs.add(x, xs.scalar_mul(e, h))))
             - ys.flatten(f(xs.add(x, xs.scalar_mul(e, -h))))) / (2 * h)
            for e in xs.standard_basis()]
    return onp.stack(cols, axis=1).reshape(ys.size, xs.size)


def conj_signs(space) -> onp.ndarray:
    """+1 on the real coordinates of a vspace, -1 on the imaginary ones: the
    matrix of complex conjugation in real coordinates."""
    from dualgrad.core.spaces import ContainerVSpace
    spaces = space.spaces if isinstance(space, ContainerVSpace) else [space]
    parts = []
    for s in spaces:
        n = s.size // 2 if s.iscomplex else s.size
        parts += [onp.ones(n)] + ([-onp.ones(n)] if s.iscomplex else [])
    return onp.concatenate(parts) if parts else onp.zeros(0)


def check_partials(f, x, rtol=1e-6, atol=1e-7):
    """Our JVP and VJP of ``f`` at ``x`` against all real partial derivatives.

    With J the real Jacobian from ``real_jacobian_fd`` and C = diag(conj_signs):
    - forward: the JVP along each real unit direction (1 and i per complex entry)
      is the matching column of J;
    - reverse: the convention's VJP is conj(J^T conj(g)), i.e. C_in J^T C_out in
      real coordinates; for scalar z: vjp(1) = du/dx - i du/dy and
      vjp(i) = -(dv/dx - i dv/dy).
    Also: a tangent is complex exactly when the output is, and a real input gets a
    real cotangent.
    """
    from dualgrad.interpreters.forward import push_forward
    from dualgrad.interpreters.reverse import pull_back
    from dualgrad.core.spaces import tree_flatten, vspace
    J = real_jacobian_fd(f, x)
    xs = vspace(x)
    y, pull = pull_back(f, (x,))
    ys = vspace(y)
    out_complex = [onp.iscomplexobj(l) for l in tree_flatten(y)[0]]
    for k, e in enumerate(xs.standard_basis()):
        _, t = push_forward(f, (x,), (e,))
        assert [onp.iscomplexobj(l) for l in tree_flatten(t)[0]] == out_complex, "tangent dtype"
        onp.testing.assert_allclose(ys.flatten(t), J[:, k], rtol=rtol, atol=atol,
                                    err_msg=f"JVP along real direction {k}")
    expected = conj_signs(xs)[:, None] * J.T * conj_signs(ys)[None, :]
    for k, g in enumerate(ys.standard_basis()):
        ct = pull(g)[0]
        for leaf, c in zip(tree_flatten(x)[0], tree_flatten(ct)[0]):
            if not onp.iscomplexobj(leaf):
                assert not onp.iscomplexobj(c), "a real input got a complex cotangent"
        onp.testing.assert_allclose(xs.flatten(ct), expected[:, k], rtol=rtol, atol=atol,
                                    err_msg=f"VJP of real output direction {k}")
