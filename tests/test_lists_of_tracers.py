"""A list holding traced values works in every ``dualgrad.numpy`` function as the
array numpy would build from it (the README's promise), walked over every public
callable of ``dualgrad.numpy``, ``dualgrad.numpy.linalg`` and ``dualgrad.numpy.fft``.

Each function is called inside ``grad``, ``jvp`` and ``vmap`` twice: on a traced array ``x``,
and on a list of traced values making up ``x`` (its rows, or nested lists of its
scalar entries). The two calls must agree: the same values, the same derivatives,
or the same error (a function without rules refuses both alike). The values of the
list call are also checked against numpy's own answer on the plain list.

``EXCLUDED`` names the callables that take no array argument at all, each with the
reason; a class (dtypes, scalar types, ``errstate``...) is not a function of arrays
and is skipped."""
import contextlib
import io
import warnings

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jvp, vmap
from dualgrad.core import Tracer, getval

R = onp.random.RandomState(3)
INPUTS = {
    "m": R.uniform(0.2, 0.9, (3, 3)),
    "v": onp.array([0.25, 0.5, 0.8]),
    "t": R.uniform(0.2, 0.9, (2, 2, 3)),
    "spd": onp.array([[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.8]]),
}
MASK = INPUTS["m"] > 0.5
IDX = onp.array([[0, 2, 1], [1, 0, 2], [2, 1, 0]])

# name: (call of f with the array-like a, input kind); default: (f(a), "m")
_BIN = lambda f, a: f(a, a)  # noqa: E731
CALLS = {
    **{n: (_BIN, "m") for n in (
        "add allclose arctan2 array_equal array_equiv atan2 copysign divide divmod equal "
        "float_power floor_divide fmax fmin fmod greater greater_equal heaviside hypot "
        "isclose kron less less_equal logaddexp logaddexp2 logical_and logical_or "
        "logical_xor matmul maximum minimum mod multiply nextafter not_equal outer pow power "
        "remainder subtract true_divide dot inner vdot vecdot matvec vecmat cross tensordot "
        "append may_share_memory shares_memory bitwise_and bitwise_or bitwise_xor gcd lcm "
        "left_shift right_shift bitwise_left_shift bitwise_right_shift intersect1d union1d "
        "setdiff1d setxor1d").split()},
    **{n: (_BIN, "v") for n in "convolve correlate polyadd polymul polysub ix_".split()},
    **{n: ((lambda f, a: f(a)), "v") for n in "polyder polyint vander roots poly".split()},
    **{n: ((lambda f, a: f(a, 2.0, 3)), "m") for n in "linspace geomspace logspace".split()},
    **{n: ((lambda f, a: f(a, 3)), "m") for n in "array_split split hsplit vsplit".split()},
    **{n: ((lambda f, a: f(a, 1)), "m") for n in "argpartition partition roll rollaxis "
       "repeat tile pad delete".split()},
    **{n: ((lambda f, a: f(a, 50.0)), "m") for n in "percentile nanpercentile".split()},
    **{n: ((lambda f, a: f(a, 0.5)), "m") for n in "quantile nanquantile".split()},
    **{n: ((lambda f, a: f(a, axis=0)), "m") for n in "cumulative_prod cumulative_sum".split()},
    "dsplit": (lambda f, a: f(a, 3), "t"),
    "ldexp": (lambda f, a: f(a, 2), "m"),
    "apply_along_axis": (lambda f, a: f(lambda r: r * r[0], 0, a), "m"),
    "apply_over_axes": (lambda f, a: f(np.sum, a, [0]), "m"),
    "insert": (lambda f, a: f(a, 1, 5.0), "m"),
    "compress": (lambda f, a: f([True, False, True], a, axis=0), "m"),
    "extract": (lambda f, a: f(MASK, a), "m"),
    "choose": (lambda f, a: f(IDX, a), "m"),
    "select": (lambda f, a: f([MASK, ~MASK], [a, a]), "m"),
    "piecewise": (lambda f, a: f(a, [MASK], [lambda x: 2 * x, 0.0]), "m"),
    "place": (lambda f, a: f(a, MASK, 1.0), "m"),
    "put": (lambda f, a: f(a, [0], 1.0), "m"),
    "putmask": (lambda f, a: f(a, MASK, 1.0), "m"),
    "put_along_axis": (lambda f, a: f(a, IDX, 1.0, axis=1), "m"),
    "copyto": (lambda f, a: f(onp.zeros((3, 3)), a), "m"),
    "fill_diagonal": (lambda f, a: f(a, 1.0), "m"),
    "bincount": (lambda f, a: f([0, 1, 1], weights=a), "v"),
    "broadcast_to": (lambda f, a: f(a, (2, 3, 3)), "m"),
    "digitize": (lambda f, a: f(a, [0.3, 0.6]), "m"),
    "einsum": (lambda f, a: f("ij->j", a), "m"),
    "einsum_path": (lambda f, a: f("ij->j", a), "m"),
    "expand_dims": (lambda f, a: f(a, 0), "m"),
    "full": (lambda f, a: f((3, 3), a), "m"),
    "full_like": (lambda f, a: f(a, 2.0), "m"),
    "histogram2d": (lambda f, a: f(a, a, 2), "v"),
    "interp": (lambda f, a: f(a, [0.0, 0.5, 1.0], [1.0, 3.0, 2.0]), "v"),
    "isin": (lambda f, a: f(a, [0.25]), "v"),
    "moveaxis": (lambda f, a: f(a, 0, 1), "m"),
    "polyval": (lambda f, a: f(a, 0.5), "v"),
    "polydiv": (lambda f, a: f(a, [1.0, 2.0]), "v"),
    "polyfit": (lambda f, a: f([0.0, 1.0, 2.0], a, 1), "v"),
    "reshape": (lambda f, a: f(a, (9,)), "m"),
    "resize": (lambda f, a: f(a, (2, 2)), "m"),
    "searchsorted": (lambda f, a: f(a, 0.5), "v"),
    "swapaxes": (lambda f, a: f(a, 0, 1), "m"),
    "take": (lambda f, a: f(a, [0, 2]), "m"),
    "take_along_axis": (lambda f, a: f(a, IDX, axis=1), "m"),
    "cov": (lambda f, a: f(a, a), "m"),
    "corrcoef": (lambda f, a: f(a, a), "m"),
    "astype": (lambda f, a: f(a, onp.float32), "m"),
    "can_cast": (lambda f, a: f(a, onp.float32), "m"),
    "unravel_index": (lambda f, a: f(a, (3, 3)), "m"),
    "ravel_multi_index": (lambda f, a: f(a, (3, 3)), "m"),
    "histogram": (lambda f, a: f(a, 2), "m"),
    "make_diagonal": (lambda f, a: f(a, axis1=-1, axis2=-2), "m"),
    "linalg.cholesky": (lambda f, a: f(a), "spd"),
    "linalg.eigh": (lambda f, a: f(a), "spd"),
    "linalg.eigvalsh": (lambda f, a: f(a), "spd"),
    "linalg.lstsq": (_BIN, "spd"),
    "linalg.solve": (_BIN, "spd"),
    "linalg.matrix_power": (lambda f, a: f(a, 2), "m"),
    "linalg.multi_dot": (lambda f, a: f([a, a]), "m"),
    "linalg.outer": (_BIN, "v"),
    "linalg.tensorinv": (lambda f, a: f(a, ind=1), "spd"),
    "linalg.tensorsolve": (lambda f, a: f(a, a[0]), "spd"),
    "linalg.cross": (_BIN, "m"),
    **{f"linalg.{n}": (_BIN, "m") for n in "matmul tensordot vecdot".split()},
}

_NO_ARRAY = "takes no array_like argument"
EXCLUDED = {
    **{n: _NO_ARRAY + " (a window length M)" for n in "bartlett blackman hamming hanning "
       "kaiser".split()},
    **{n: _NO_ARRAY + " (a shape or size n)" for n in "empty eye identity ones zeros tri "
       "indices diag_indices tril_indices triu_indices mask_indices".split()},
    **{n: _NO_ARRAY + " (scalars start, stop, step)" for n in ("arange",)},
    **{n: _NO_ARRAY + " (an int n and a scalar spacing d)" for n in
       ("fft.fftfreq", "fft.rfftfreq")},
    **{n: _NO_ARRAY + " (shapes)" for n in ("broadcast_shapes",)},
    **{n: _NO_ARRAY + " (dtypes or type codes)" for n in "promote_types isdtype issubdtype "
       "mintypecode typename common_type".split()},
    **{n: _NO_ARRAY + " (one Python integer or float to format)" for n in "base_repr "
       "binary_repr format_float_positional format_float_scientific".split()},
    **{n: _NO_ARRAY + " (dates)" for n in "busday_count busday_offset is_busday "
       "datetime_as_string datetime_data isnat".split()},
    **{n: _NO_ARRAY + " (a file, buffer, string or iterator to read)" for n in "frombuffer "
       "fromfile fromiter fromregex fromstring genfromtxt load loadtxt from_dlpack".split()},
    **{n: _NO_ARRAY + " (a Python function to wrap or call)" for n in "fromfunction "
       "frompyfunc".split()},
    **{n: _NO_ARRAY + " (numpy's configuration, printing and error state)" for n in
       "get_include get_printoptions getbufsize geterr geterrcall set_printoptions "
       "setbufsize seterr seterrcall show_config show_runtime printoptions test "
       "linalg.test fft.test nested_iters".split()},
    **{n: _NO_ARRAY + " (a file name first: numpy writes the array there, which a "
       "traced value refuses whether it is an array or a list)" for n in
       "save savetxt savez savez_compressed".split()},
}
# compared with numpy's own answer on the plain list only: the answer is about the
# memory of the array (a list is a new array, so numpy says False for it), or the
# entries are uninitialised memory (the shape and dtype are compared)
ABOUT_MEMORY = {"may_share_memory", "shares_memory"}
UNINITIALISED = {"empty_like"}
# dualgrad's own additions, with no numpy function to compare the values with
OURS = {"make_diagonal", "holds_tracer", "linalg.T"}


def _public():
    names = []
    for prefix, mod in (("", np), ("linalg.", np.linalg), ("fft.", np.fft)):
        for name in sorted(dir(mod)):
            obj = getattr(mod, name)
            if name.startswith("_") or not callable(obj) or isinstance(obj, type):
                continue
            names.append(prefix + name)
    return names


NAMES = _public()


def _fun(name, ns):
    mod, _, short = name.rpartition(".")
    return getattr(getattr(ns, mod) if mod else ns, short)


def _as_list(x, nested):
    rows = [x[i] for i in range(len(x))]
    if not nested:
        return rows
    return [_as_list(r, True) if onp.ndim(getval(r)) else r for r in rows]


def _leaves(out):
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (tuple, list)):
        return [leaf for o in out for leaf in _leaves(o)]
    return [out]


def _weights(shape, k):
    return onp.sin(onp.arange(1.0, onp.prod(shape, dtype=int) + 1) + k).reshape(shape)


def _loss(out, record):
    """A scalar summing the float entries of ``out`` with fixed weights; every leaf's
    value is recorded (the non-float ones are compared as values only)."""
    total = 0.0
    for k, leaf in enumerate(_leaves(out)):
        val = getval(leaf) if isinstance(leaf, Tracer) else leaf
        record.append(onp.asarray(val) if not callable(val) else None)
        if isinstance(leaf, Tracer) and onp.result_type(val).kind in "fc":
            w = _weights(onp.shape(val), k)
            w2 = w.ravel()[::-1].reshape(w.shape)
            total = total + np.sum(np.real(leaf) * w) + np.sum(np.imag(leaf) * w2)
    return total


def _outcome(run):
    try:
        with warnings.catch_warnings(), onp.errstate(all="ignore"), \
                contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return "ok", run()
    except Exception as e:  # noqa: BLE001 (compared below: both calls must fail alike)
        return "error", (type(e), str(e))


def _runs(name, form):
    call, kind = CALLS.get(name, ((lambda f, a: f(a)), "m"))
    f = _fun(name, np)
    x0 = INPUTS[kind]
    arg = (lambda x: x) if form == "array" else (lambda x: _as_list(x, form == "nested"))

    def grad_run():
        record = []
        g = grad(lambda x: _loss(call(f, arg(x)), record) + 0.0 * np.sum(x))(x0)
        return record, [g]

    def jvp_run():
        record = []
        out, tan = jvp(lambda x: call(f, arg(x)), (x0,), (_weights(x0.shape, 5),))
        _loss(out, record)
        return record, [t for t in _leaves(tan)]

    def vmap_run():  # a batch of two inputs: the list's entries are batched values
        out = vmap(lambda x: _leaves(call(f, arg(x))))(onp.stack([x0, 1.1 * x0]))
        return [onp.asarray(o) for o in out], []

    return {"grad": _outcome(grad_run), "jvp": _outcome(jvp_run), "vmap": _outcome(vmap_run)}


def _same(a, b):
    a = None if a is None else onp.asarray(a)
    b = None if b is None else onp.asarray(b)
    if a is None or b is None:
        return a is b
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return onp.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)
    return onp.array_equal(a, b)


def _agree(got, want):
    if got[0] != want[0]:
        return False
    if got[0] == "error":
        return got[1][0] is want[1][0]
    (rec_g, der_g), (rec_w, der_w) = got[1], want[1]
    return (len(rec_g) == len(rec_w) and all(map(_same, rec_g, rec_w))
            and len(der_g) == len(der_w) and all(map(_same, der_g, der_w)))


def test_the_walk_covers_every_public_callable():
    unknown = set(EXCLUDED) - set(NAMES) | set(CALLS) - set(NAMES)
    assert not unknown, f"excluded or specified but not public: {sorted(unknown)}"
    assert len(NAMES) > 400


def _numpy_on(name, form):
    """numpy's own function on the plain input: the array, or the list made of it."""
    call, kind = CALLS.get(name, ((lambda f, a: f(a)), "m"))
    x = INPUTS[kind] if form == "array" else _as_list(INPUTS[kind], form == "nested")
    return _outcome(lambda: [onp.asarray(v) for v in _leaves(call(_fun(name, onp), x))])


@pytest.mark.parametrize("name", [n for n in NAMES if n not in EXCLUDED])
def test_a_list_of_tracers_is_the_array_it_makes(name):
    want = _runs(name, "array")
    for form in ("rows", "nested"):
        got = _runs(name, form)
        numpy_list = _numpy_on(name, form)
        if got["grad"][0] == "ok" and numpy_list[0] == "ok" and name not in OURS:
            # numpy takes the plain list too (not all its functions do): its answer
            values, plain = got["grad"][1][0], numpy_list[1]
            if name in UNINITIALISED:
                values, plain = [v.shape for v in values], [onp.shape(p) for p in plain]
            assert len(values) == len(plain) and all(map(_same, values, plain)), (
                f"{name} ({form}): dualgrad gives {values}, numpy {plain}")
        if name in ABOUT_MEMORY | UNINITIALISED or not _numpy_reads_list_as_array(name, form):
            continue
        for mode in ("grad", "jvp", "vmap"):
            assert _agree(got[mode], want[mode]), (
                f"{name} ({form}, {mode}): list gives {_show(got[mode])}, array gives "
                f"{_show(want[mode])}")


def _numpy_reads_list_as_array(name, form):
    """False where numpy's own answer on the plain list differs from its answer on
    the array (a list of arrays in ``block`` or ``histogramdd``): the list call is
    then held to numpy's answer on the list alone."""
    if name in OURS:
        return True
    on_list, on_array = _numpy_on(name, form), _numpy_on(name, "array")
    if on_list[0] != "ok" or on_array[0] != "ok":
        return True
    return len(on_list[1]) == len(on_array[1]) and all(map(_same, on_list[1], on_array[1]))


def _show(outcome):
    if outcome[0] == "error":
        return f"{outcome[1][0].__name__}: {outcome[1][1][:300]}"
    return f"values {outcome[1][0]} derivatives {outcome[1][1]}"


# the examples, one by one
X3 = onp.array([1.0, 2.0, 4.0])


@pytest.mark.parametrize("name", ["shape", "ndim", "size", "argmax", "argsort", "nonzero",
                                  "isfinite", "ones_like", "zeros_like", "round", "floor"])
def test_see_through_functions_take_a_list_of_tracers(name):
    seen = []

    def f(x):
        seen.append(getattr(np, name)([x[0], x[1], 2 * x[2]]))
        return np.sum(x ** 2)

    onp.testing.assert_allclose(grad(f)(X3), 2 * X3)
    want = getattr(onp, name)([X3[0], X3[1], 2 * X3[2]])
    for got, w in zip(_leaves(seen[0]), _leaves(want)):
        onp.testing.assert_array_equal(getval(got), w)


@pytest.mark.parametrize("fun", ["cov", "corrcoef"])
@pytest.mark.parametrize("y", ["plain list", "list of tracers"])
@pytest.mark.parametrize("side", ["y", "m"])
def test_cov_and_corrcoef_with_a_list(fun, y, side):
    from dualgrad import jacfwd
    from dualgrad.test_util import check_grads
    other = [1.0, 2.0, 5.0]

    def f(x):
        ys = other if y == "plain list" else [x[0] * x[1], x[1], 5.0]
        return getattr(np, fun)(x, ys) if side == "y" else getattr(np, fun)(ys, y=x)

    ys0 = other if y == "plain list" else [X3[0] * X3[1], X3[1], 5.0]
    want = getattr(onp, fun)(X3, ys0) if side == "y" else getattr(onp, fun)(ys0, y=X3)
    onp.testing.assert_allclose(f(X3), want)
    check_grads(f, modes=["fwd", "rev"], order=1)(X3)
    assert jacfwd(f)(X3).shape == (2, 2, 3)
