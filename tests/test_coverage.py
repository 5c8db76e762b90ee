"""The coverage report, and the promise that dualgrad differentiates every numpy
function autograd 1.9 differentiates."""
import numpy as onp
import pytest

import dualgrad.numpy as dnp
from dualgrad.core import Primitive
from dualgrad.tools.coverage import counts, has_both_rules, main, report

# numpy names with a JVP or VJP in autograd 1.9.1 (autograd/numpy/numpy_vjps.py,
# numpy_jvps.py, numpy_wrapper.py, linalg.py, fft.py), minus names numpy 2 removed
# (msort) and autograd-internal ones (make_diagonal, concatenate_args, ...).
AUTOGRAD_NUMPY = """
abs absolute add amax amin angle append arccos arccosh arcsin arcsinh arctan arctan2 arctanh
array array_split atleast_1d atleast_2d atleast_3d broadcast_to clip column_stack
concatenate conj conjugate cos cosh cross cumsum deg2rad degrees diag diagonal diff divide
dot dsplit einsum exp exp2 expand_dims expm1 fabs fliplr flipud fmax fmin full gradient
hsplit hstack hypot imag inner kron linspace log log10 log1p log2 logaddexp logaddexp2
matmul max maximum mean min minimum mod moveaxis multiply nan_to_num negative outer pad
partition power prod rad2deg radians ravel real real_if_close reciprocal remainder repeat
reshape roll rollaxis rot90 select sin sinc sinh sort split sqrt square squeeze stack std
subtract sum swapaxes tan tanh tensordot tile trace transpose tril triu true_divide var
vsplit vstack where
""".split()
AUTOGRAD_LINALG = "cholesky det eig eigh inv norm pinv slogdet solve svd".split()
AUTOGRAD_FFT = """fft fft2 fftn fftshift ifft ifft2 ifftn ifftshift irfft irfft2 irfftn rfft
rfft2 rfftn""".split()


@pytest.mark.parametrize("kinds, names, where", [
    (dnp.KINDS, AUTOGRAD_NUMPY, "numpy"), (dnp.linalg.KINDS, AUTOGRAD_LINALG, "numpy.linalg"),
    (dnp.fft.KINDS, AUTOGRAD_FFT, "numpy.fft")], ids=["numpy", "linalg", "fft"])
def test_every_autograd_function_covered(kinds, names, where):
    missing = [n for n in names if kinds.get(n) != "differentiable"]
    assert not missing, f"autograd differentiates these {where} functions, dualgrad does not: {missing}"


def test_every_numpy_primitive_has_jvp_and_vjp():
    rep = report()
    incomplete = [f"{ns}.{n}" for ns, t in rep.items() for n, c in t.items() if c == "incomplete"]
    assert not incomplete, f"primitives missing a rule: {incomplete}"
    from dualgrad.rules import construction, elementwise_more, scans
    for mod in (construction, elementwise_more, scans):
        for name in dir(mod):
            obj = getattr(mod, name)
            if isinstance(obj, Primitive):
                assert has_both_rules(obj), f"{mod.__name__}.{name}"


def test_has_both_rules_detects_a_gap():
    p = Primitive(onp.sin, "half_done")
    p.def_jvp(lambda t, ans, x: t)
    assert not has_both_rules(p)
    p.def_vjp(lambda g, ans, x: g)
    assert has_both_rules(p)


def test_report_classes_and_counts(capsys):
    rep = report()
    assert rep["numpy"]["sin"] == "primitive"
    assert rep["numpy"]["sort"] == "composite"
    assert rep["numpy"]["argmax"] == "nondiff"
    assert rep["numpy"]["floor"] == "nondiff"
    assert rep["numpy"]["loadtxt"] == "unsupported"
    c = counts(rep)
    assert c["incomplete"] == 0 and c["primitive"] + c["composite"] > 200
    assert main(["--summary"]) == 0
    out = capsys.readouterr().out
    total = sum(c.values())
    assert f"{total} public callables" in out and "unsupported" in out


def test_main_lists_names(capsys):
    main(["--only", "unsupported"])
    out = capsys.readouterr().out
    assert "numpy.loadtxt" in out and "numpy.sin " not in out
