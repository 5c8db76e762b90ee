"""The misuse table: plausible mistakes and what dualgrad gives for each.

``tests/test_misuse.py`` runs every case and asserts the outcome (an error of
the given type whose message contains the given words, or an answer checked
by the case's own ``assert``); ``docs/misuse.md`` shows the same table, made
by ``render()``: ``python tests/misuse_cases.py`` prints it, and a test checks
that the page and the table agree.

Each case: (what was done, code, exception name (a warning's name: it works and
warns) or None when it works, words
the message must contain, what to write instead). The code runs with ``np``
(dualgrad.numpy), ``onp`` (numpy), the transforms, ``primitive``/``defvjp``/
``defjvp``, ``getval``, ``close`` (numpy.allclose) and ``sq(x) = sum(x**2)`` in
scope; ``x1 = 1.0``, ``v2 = [1., 2.]``, ``v3 = [1., 2., 3.]`` (arrays).
"""
from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    what: str
    code: str
    error: str | None  # None: it works (the code asserts the answer)
    words: tuple = ()
    fix: str = ""


C = Case
CASES = [
    # ------------------------------------------------------------ inputs
    C("integer scalar input", "grad(np.sin)(1)", "TypeError", ("integer", "1.0"),
      "grad(np.sin)(1.0)"),
    C("integer array input (autograd accepts it)", "assert close(grad(sq)(onp.arange(3)), [0, 2, 4])",
      "UserWarning", ("cast to float64", "astype(float)"), "grad(sq)(onp.arange(3.0))"),
    C("integers inside a list input", "grad(lambda p: p[0] * p[1])([1, 2])", "TypeError",
      ("integer",), "grad(f)([1.0, 2.0])"),
    C("bool input", "grad(np.sin)(True)", "TypeError", ("dtype bool",), "a float"),
    C("integer input to jacfwd", "jacfwd(np.sin)(onp.arange(3))", "TypeError", ("integer",),
      "jacfwd(np.sin)(onp.arange(3.0))"),
    C("integer input to hessian", "hessian(sq)(onp.ones(2, int))", "TypeError", ("integer",),
      "hessian(sq)(onp.ones(2))"),
    C("integer input to deriv", "deriv(np.sin)(1)", "TypeError", ("integer",), "deriv(np.sin)(1.0)"),
    C("integer input to make_vjp", "make_vjp(np.sin)(1)", "TypeError", ("integer",),
      "make_vjp(np.sin)(1.0)"),
    C("integer input to value_and_grad", "value_and_grad(np.sin)(1)", "TypeError", ("integer",),
      "value_and_grad(np.sin)(1.0)"),
    C("integer array to elementwise_grad (autograd accepts it)",
      "assert close(elementwise_grad(np.sin)(onp.arange(3)), onp.cos(onp.arange(3)))",
      "UserWarning", ("integer array",), "elementwise_grad(np.sin)(onp.arange(3.0))"),
    C("integer input to holomorphic_grad", "dualgrad.holomorphic_grad(np.sin)(1)", "TypeError",
      ("integer",), "holomorphic_grad(np.sin)(1.0 + 0j)"),
    C("integer input to vjp", "vjp(np.sin, 1)", "TypeError", ("integer",), "vjp(np.sin, 1.0)"),
    C("integer primal to jvp", "jvp(np.sin, (1,), (1.0,))", "TypeError", ("integer",),
      "jvp(np.sin, (1.0,), (1.0,))"),
    C("integer batch to vmap(grad(f))", "vmap(grad(np.sin))(onp.arange(3))", "TypeError",
      ("integer",), "vmap(grad(np.sin))(onp.arange(3.0))"),
    C("None as input to jacobian", "jacobian(np.sin)(None)", "TypeError", ("NoneType",),
      "an array"),
    C("string as input to jacrev", "jacrev(np.sin)('abc')", "TypeError", ("str",), "an array"),
    C("None as input", "grad(np.sin)(None)", "TypeError", ("NoneType", "Pass floats"),
      "a float or an array"),
    C("string as input", "grad(np.sin)('1.0')", "TypeError", ("str",), "grad(np.sin)(1.0)"),
    C("object-dtype array input", "grad(sq)(onp.array([1.0, 2.0], dtype=object))", "TypeError",
      ("dtype object", "astype(float)"), "grad(sq)(x.astype(float))"),
    C("np.matrix input", "grad(sq)(onp.matrix([[1.0, 2.0]]))", "TypeError",
      ("np.matrix", "asarray"), "grad(sq)(onp.asarray(m)), products with @"),
    C("string-dtype array input", "grad(sq)(onp.array(['a', 'b']))", "TypeError",
      ("strings",), "an array of floats"),
    C("datetime array input", "grad(sq)(onp.array(['2020-01-01'], dtype='datetime64[D]'))",
      "TypeError", ("dates",), "an array of floats"),
    C("Fraction input", "from fractions import Fraction; grad(np.sin)(Fraction(1, 2))",
      "TypeError", ("Fraction",), "grad(np.sin)(0.5)"),
    C("set input", "grad(lambda s: 1.0)({1.0})", "TypeError", ("set",), "a tuple or list"),
    C("list of floats as input", "assert close(grad(lambda p: p[0] * p[1])([1.0, 2.0]), [2.0, 1.0])",
      None),
    C("dict of floats as input",
      "g = grad(lambda d: d['a'] * d['b'])({'a': 1.0, 'b': 2.0}); assert close(g['a'], 2.0)", None),
    C("float16 input", "g = grad(np.sin)(onp.float16(1.0)); assert g.dtype == onp.float16", None),
    # ------------------------------------------------------------ outputs
    C("grad of a function with an array output", "grad(np.sin)(v3)", "TypeError",
      ("scalar output", "jacobian", "elementwise_grad"),
      "jacobian(np.sin)(v3), elementwise_grad(np.sin)(v3), or reduce with np.sum"),
    C("grad of a function returning a tuple", "grad(lambda x: (x, x))(1.0)", "TypeError",
      ("scalar output",), "return one scalar, or use jacobian"),
    C("grad of a function that returns nothing", "grad(lambda x: None)(1.0)", "TypeError",
      ("return",), "return the scalar"),
    C("grad of a function returning a string", "grad(lambda x: 'a')(1.0)", "TypeError",
      ("return a number", "returned str"), "return the scalar"),
    C("value_and_grad of an array output", "value_and_grad(np.sin)(v2)", "TypeError",
      ("scalar output",), "jacobian, or reduce the output"),
    C("grad of grad of an array output", "grad(grad(lambda x: x * onp.ones(2)))(1.0)", "TypeError",
      ("scalar output",), "reduce the inner output"),
    C("vmap(grad(f)) with f not scalar per example", "vmap(grad(lambda x: x))(onp.ones((2, 3)))",
      "TypeError", ("scalar output",), "vmap(jacobian(f))"),
    C("grad of a constant function", "assert grad(lambda x: 3.0)(1.0) == 0.0", None),
    C("hessian of an array-valued function",
      "assert hessian(np.sin)(v2).shape == (2, 2, 2)", None),
    C("elementwise_grad at a scalar", "assert close(elementwise_grad(np.sin)(0.0), 1.0)", None),
    # ------------------------------------------------------------ calling a transform
    C("grad(f, x) instead of grad(f)(x)", "grad(np.sin, 1.0)", "TypeError", ("grad(f)(x)",),
      "grad(np.sin)(1.0)"),
    C("grad(f, array) instead of grad(f)(array)", "grad(sq, v2)(v2)", "TypeError",
      ("grad(f)(x)",), "grad(sq)(v2)"),
    C("jacobian(f, x) instead of jacobian(f)(x)", "jacobian(np.sin, v2)", "TypeError",
      ("jacobian(f)(x)",), "jacobian(np.sin)(v2)"),
    C("argnum given as a name", "grad(lambda x, y: x * y, argnum='y')(1.0, 2.0)", "TypeError",
      ("position", "grad_named"), "grad(f, argnum=1) or grad_named(f, 'y')"),
    C("argnum=None", "grad(lambda x, y: x * y, argnum=None)(1.0, 2.0)", "TypeError",
      ("argnum must be an int",), "argnum=0 or argnum=(0, 1)"),
    C("argnum beyond the arguments", "grad(lambda x, y: x * y, argnum=2)(1.0, 2.0)", "TypeError",
      ("argnum=2", "2 positional"), "argnum=0 or 1"),
    C("negative argnum beyond the arguments", "grad(lambda x: x, argnum=-2)(1.0)", "TypeError",
      ("argnum=-2",), "argnum=-1"),
    C("tuple argnum beyond the arguments", "grad(lambda x: x, argnum=(0, 3))(1.0)", "TypeError",
      ("names argument 3",), "argnum=(0,)"),
    C("differentiated argument passed by keyword", "grad(lambda x, y: x * y, argnum=1)(1.0, y=2.0)",
      "TypeError", ("positionally",), "grad(f, argnum=1)(1.0, 2.0)"),
    C("called with no arguments", "grad(np.sin)()", "TypeError", ("0 positional",),
      "grad(np.sin)(1.0)"),
    C("argnum as a list", "assert close(grad(lambda x, y: x * y, argnum=[0, 1])(1.0, 2.0), (2.0, 1.0))",
      None),
    C("a number where the function goes", "grad(3.0)", "TypeError",
      ("function to differentiate first",), "grad(f)(3.0)"),
    C("a string where the function goes", "grad('sin')", "TypeError",
      ("function to differentiate first",), "grad(np.sin)"),
    C("an array where jacobian's function goes", "jacobian(onp.ones(3))", "TypeError",
      ("function to differentiate first",), "jacobian(f)(x)"),
    C("hessian of a number", "hessian(2.0)", "TypeError", ("function to differentiate first",),
      "hessian(f)(x)"),
    C("deriv of a number", "deriv(2.0)", "TypeError", ("function to differentiate first",),
      "deriv(f)(x)"),
    C("make_vjp of a number", "make_vjp(2.0)", "TypeError", ("function to differentiate first",),
      "make_vjp(f)(x)"),
    C("hessian argnum given as a name", "hessian(lambda x: np.sum(x ** 3), argnum='x')",
      "TypeError", ("position",), "hessian(f, argnum=0)"),
    C("jacobian argnum a float", "jacobian(np.sin, argnum=1.5)", "TypeError",
      ("jacobian(f)(x)",), "jacobian(np.sin)(x), or argnum=1"),
    C("elementwise_grad of a number", "elementwise_grad(2)", "TypeError",
      ("function to differentiate first",), "elementwise_grad(f)(x)"),
    C("grad_named with a missing name", "grad_named(lambda x, y: x * y, 'z')", "TypeError",
      ("no parameter 'z'", "x, y"), "a parameter's name"),
    C("jacobian mode misspelt", "jacobian(np.sin, mode='forward')", "ValueError", ("'fwd'",),
      "mode='fwd' or mode='rev'"),
    C("chunk_size=0", "jacobian(np.sin, chunk_size=0)", "ValueError", ("positive int",),
      "chunk_size=1 or more, or None"),
    C("negative chunk_size", "hessian(sq, chunk_size=-1)", "ValueError", ("positive int",),
      "chunk_size=1 or more, or None"),
    C("unknown complex_layout", "jacobian(np.sin, complex_layout='x')", "ValueError",
      ("complex_layout",), "'complex' or 'real'"),
    C("check_grads with an unknown mode",
      "from dualgrad.test_util import check_grads; check_grads(np.sin, modes=['sideways'])(1.0)",
      "ValueError", ("modes",), "modes=['fwd', 'rev']"),
    # ------------------------------------------------------------ jvp / vjp
    C("jvp(f, x, v) without tuples", "jvp(np.sin, 1.0, 1.0)", "TypeError",
      ("takes tuples", "jvp(f, (x,), (v,))"), "jvp(np.sin, (1.0,), (1.0,))"),
    C("jvp(f, x, v) with arrays, no tuples", "jvp(np.sin, v2, v2)", "TypeError",
      ("takes tuples",), "jvp(np.sin, (v2,), (v2,))"),
    C("jvp with None", "jvp(np.sin, None, None)", "TypeError", ("takes tuples",),
      "jvp(f, (x,), (v,))"),
    C("jvp with fewer tangents than primals", "jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))",
      "ValueError", ("2 primal(s) but 1 tangent(s)",), "one tangent per argument"),
    C("jvp with a tangent of the wrong shape", "jvp(np.sin, (v2,), (v3,))", "ValueError",
      ("tangent has shape (3,)",), "a tangent shaped like x"),
    C("jvp with an integer tangent", "jvp(np.sin, (v2,), (onp.ones(2, int),))", "TypeError",
      ("floating point",), "v.astype(float)"),
    C("jvp with lists", "assert close(jvp(np.sin, [0.0], [1.0])[1], 1.0)", None),
    C("jvp of a number", "jvp(1.0, (1.0,), (1.0,))", "TypeError", ("jvp(f, (x,), (v,))",),
      "jvp(f, (1.0,), (1.0,))"),
    C("make_jvp with a tangent of the wrong shape", "make_jvp(np.sin)(v2)(v3)", "ValueError",
      ("tangent has shape (3,)",), "a tangent shaped like x"),
    C("vjp with a cotangent of the wrong shape", "vjp(np.sin, 1.0)[1](onp.ones(2))", "ValueError",
      ("cotangent has shape (2,)",), "a cotangent shaped like the output"),
    C("make_vjp with a cotangent of the wrong shape", "make_vjp(np.sin)(v2)[0](v3)", "ValueError",
      ("cotangent has shape (3,)",), "a cotangent shaped like the output"),
    C("hessian_vector_product with v of the wrong shape",
      "hessian_vector_product(sq)(v2, v3)", "ValueError", ("tangent has shape (3,)",),
      "v shaped like x"),
    C("hessian_vector_product with an integer v",
      "hessian_vector_product(sq)(v2, onp.ones(2, int))", "TypeError", ("floating point",),
      "v.astype(float)"),
    # ------------------------------------------------------------ traced values in Python
    C("float(x) of a traced value", "grad(lambda x: float(x))(1.0)", "TypeError",
      ("float()", "getval"), "keep x an array"),
    C("math.sin of a traced value", "import math; grad(lambda x: math.sin(x))(1.0)", "TypeError",
      ("math", "dualgrad.numpy.sin"), "np.sin(x)"),
    C("int(x) of a traced value", "grad(lambda x: int(x) * x)(1.0)", "TypeError", ("int()",),
      "int(getval(x)) if a constant is meant"),
    C("complex(x) of a traced value", "grad(lambda x: complex(x).real)(1.0)", "TypeError",
      ("complex()",), "x + 0j"),
    C("x.item()", "grad(lambda x: x.item())(1.0)", "TypeError", (".item",), "x"),
    C("x.tolist()", "grad(lambda x: sum(x.tolist()))(v2)", "TypeError", (".tolist",), "np.sum(x)"),
    C("range(x)", "grad(lambda x: sum(range(x)))(3.0)", "TypeError", ("index()",),
      "range(int(getval(x)))"),
    C("len() of a traced scalar", "grad(lambda x: len(x) * x)(1.0)", "TypeError",
      ("len()", "shape ()"), "x.shape, x.size"),
    C("len() of a traced array", "assert close(grad(lambda x: len(x) * np.sum(x))(v2), [2.0, 2.0])",
      None),
    C("if x > 0 on a traced scalar (a local branch)",
      "assert grad(lambda x: x if x > 0 else -x)(-2.0) == -1.0", None),
    C("a while loop on a traced value",
      "def f(x):\n    while x < 10.0:\n        x = x * 2.0\n    return x\n"
      "assert grad(f)(3.0) == 4.0", None),
    C("f-string formatting of a traced value",
      "assert grad(lambda x: (f'{x:.2f}', x * 2.0)[1])(1.0) == 2.0", None),
    C("copy.copy of a traced value", "import copy; assert grad(lambda x: copy.copy(x) * 2.0)(1.0) == 2.0",
      None),
    # ------------------------------------------------------------ traced values and plain numpy
    C("numpy.asarray of a traced value", "grad(lambda x: np.sum(onp.asarray(x)))(v2)", "TypeError",
      ("traced",), "np.asarray(x) (dualgrad.numpy), or x itself"),
    C("a list of traced values to plain numpy", "grad(lambda x: onp.sum(onp.array([x, x])))(1.0)",
      "TypeError", ("traced",), "np.array([x, x]) (dualgrad.numpy)"),
    C("a list of traced values to dualgrad.numpy", "assert grad(lambda x: np.sum([x, x]))(1.0) == 2.0",
      None),
    C("numpy.float64 of a traced value", "grad(lambda x: onp.float64(x))(1.0)", "TypeError",
      ("traced",), "x itself"),
    C("plain numpy.linalg on a list of traced values",
      "grad(lambda x: onp.sum(onp.linalg.inv([[x, 0.0], [0.0, 1.0]])))(1.0)", "TypeError",
      ("traced",), "np.linalg.inv(np.array([[x, 0.0], [0.0, 1.0]]))"),
    C("dualgrad.numpy.random with a traced parameter",
      "grad(lambda s: np.sum(np.random.normal(0.0, s, size=3)))(1.0)", "TypeError",
      ("reparametrization", "standard_normal"), "s * np.random.standard_normal(3)"),
    C("random.uniform with a traced bound", "grad(lambda b: np.random.uniform(0.0, b))(1.0)",
      "TypeError", ("reparametrization",), "b * np.random.uniform()"),
    C("random.permutation of a traced array",
      "grad(lambda x: np.sum(np.random.permutation(x) * v3))(v3)", "TypeError", ("indices",),
      "x[np.random.permutation(len(x))]"),
    C("plain numpy.random with a traced parameter",
      "grad(lambda s: onp.random.normal(0.0, s))(1.0)", "TypeError",
      ("numpy.random.normal was given a traced value", "reparametrization"),
      "s * onp.random.standard_normal()"),
    C("a numpy Generator's draw with a traced parameter",
      "grad(lambda s: np.sum(onp.random.default_rng(0).normal(0.0, s, 3)))(1.0)", "TypeError",
      ("numpy.random.Generator.normal was given a traced value", "reparametrization",
       "onp.random.default_rng(0).standard_normal(size)"),
      "rng = onp.random.default_rng(0); s * rng.standard_normal(3)"),
    C("a RandomState's draw with an integer parameter traced",
      "rs = onp.random.RandomState(0)\ngrad(lambda n: np.sum(rs.binomial(n, 0.5, 3)) * n)(4.0)",
      "TypeError", ("numpy.random.RandomState.binomial was given a traced value",),
      "rs.binomial(int(getval(n)), 0.5, 3)"),
    C("reparametrized draw", "onp.random.seed(0); e = onp.random.standard_normal(); onp.random.seed(0)\n"
      "assert close(grad(lambda s: s * np.random.standard_normal())(1.0), e)", None),
    C("a += x on a plain array",
      "def f(x):\n    a = onp.zeros(3)\n    a += x\n    return np.sum(a)\n"
      "grad(f)(1.0)", "TypeError", ("plain numpy", "a = a + x"), "a = a + x"),
    C("out=None on a traced call", "assert close(grad(lambda x: np.sum(np.multiply(x, x, out=None)))(v2), 2 * v2)",
      None),
    C("where=True on a traced reduction", "assert close(grad(lambda x: np.sum(x, where=True))(v2), [1.0, 1.0])",
      None),
    C("out= an array on a traced reduction", "grad(lambda x: np.sum(x, out=onp.zeros(())))(v2)",
      "TypeError", ("numpy.sum", "can't write into `out=`", "assign the result"),
      "y = np.sum(x)"),
    C("out= an array on a traced dualgrad.numpy call",
      "grad(lambda x: np.sum(np.multiply(x, x, out=onp.zeros(2))))(v2)",
      "TypeError", ("numpy.multiply", "can't write into `out=`", "assign the result"),
      "y = np.multiply(x, x)"),
    C("out= a plain array", "grad(lambda x: np.sum(onp.sin(x, out=onp.zeros(2))))(v2)",
      "TypeError", ("out=",), "y = np.sin(x)"),
    C("a[0] = x into a plain array (numpy's own message)",
      "def f(x):\n    a = onp.zeros(3)\n    a[0] = x\n    return np.sum(a)\n"
      "grad(f)(1.0)", "ValueError", ("sequence",),
      "np.array([x, 0.0, 0.0]), or a = x * np.ones(3) then a[0] = ..."),
    C("x[0] = y on a traced array",
      "def f(x):\n    x[0] = x[1] ** 2\n    return np.sum(x)\n"
      "assert close(grad(f)(v2), [0.0, 5.0])", None),
    C("x += y on a traced array",
      "def f(x):\n    x += x ** 2\n    return np.sum(x)\n"
      "assert close(grad(f)(v2), [3.0, 5.0])", None),
    C("x.sort() on a traced array",
      "def f(x):\n    x.sort()\n    return np.sum(x * onp.arange(3.0))\n"
      "assert close(grad(f)(onp.array([3.0, 1.0, 2.0])), [2.0, 0.0, 1.0])", None),
    C("x.flat on a traced array", "grad(lambda x: x.flat[0])(v2)", "AttributeError", ("ravel",),
      "x.ravel()[0]"),
    C("x.resize on a traced array", "grad(lambda x: np.sum(x.resize(4)))(v2)", "AttributeError",
      ("dualgrad.numpy.resize",), "np.resize(x, 4)"),
    C("x.data on a traced array", "grad(lambda x: np.sum(x.data))(v2)", "AttributeError",
      ("getval",), "x itself"),
    C("a numpy function without rules", "grad(lambda x: np.sum(onp.polyfit(v3, x, 1)))(v3)",
      "DifferentiationError", ("polyfit", "no derivative rule"),
      "write it with supported functions, or a primitive"),
    # ------------------------------------------------------------ custom rules
    C("a custom JVP returning the wrong shape",
      "f = primitive(lambda x: 2.0 * x); defjvp(f, lambda g, ans, x: onp.ones(5)); "
      "deriv(lambda x: np.sum(f(x)))(v3)", "ValueError", ("'<lambda>'", "JVP", "shape (5,)"),
      "a tangent shaped like the output"),
    C("a custom VJP returning the wrong shape",
      "f = primitive(lambda x: 2.0 * x); defvjp(f, lambda ans, x: lambda g: onp.ones(5)); "
      "grad(lambda x: np.sum(f(x)))(v3)", "ValueError", ("'<lambda>'", "VJP", "shape (5,)"),
      "a cotangent shaped like the argument"),
    C("a custom VJP forgetting to sum a broadcast",
      "f = primitive(lambda x, y: x * y); defvjp(f, lambda ans, x, y: lambda g: g * y); "
      "grad(lambda x: np.sum(f(x, v3)))(1.0)", "ValueError", ("VJP", "shape ()", "numpy.sum"),
      "lambda g: np.sum(g * y)"),
    C("a custom VJP returning a scalar zero",
      "f = primitive(lambda x: 2.0 * x); defvjp(f, lambda ans, x: lambda g: 0.0); "
      "assert close(grad(lambda x: np.sum(f(x)))(v3), [0.0, 0.0, 0.0])", None),
    C("rules given to a plain function", "defvjp(lambda x: x, lambda ans, x: lambda g: g)",
      "TypeError", ("not a primitive", "primitive"), "f = primitive(f) first"),
    C("a primitive without a VJP in reverse mode", "grad(primitive(lambda x: 2.0 * x))(1.0)",
      "DifferentiationError", ("No VJP rule", "defvjp"), "defvjp(f, ...)"),
    C("a primitive with only a VJP, in forward mode (reverse mode is used)",
      "f = primitive(lambda x: 2.0 * x); defvjp(f, lambda ans, x: lambda g: 2.0 * g)\n"
      "assert deriv(f)(1.0) == 2.0", None),
    # ------------------------------------------------------------ vmap
    C("vmap in_axes longer than the arguments", "vmap(np.sin, in_axes=(0, 0))(v2)", "TypeError",
      ("in_axes has 2 entries",), "one entry per argument"),
    C("vmap in_axes shorter than the arguments",
      "vmap(lambda a, b: a + b, in_axes=[0])(v2, v2)", "TypeError", ("in_axes has 1 entries",),
      "in_axes=(0, 0)"),
    C("vmap over an axis the input lacks", "vmap(np.sin, in_axes=1)(v2)", "ValueError",
      ("in_axes=1",), "in_axes=0"),
    C("vmap over a scalar", "vmap(np.sin)(1.0)", "ValueError", ("shape ()",),
      "an array with the batch axis"),
    C("vmap with in_axes a dict", "vmap(np.sin, in_axes={'a': 0})(v2)", "TypeError",
      ("int or None",), "in_axes=0"),
    C("vmap over arguments of different lengths", "vmap(lambda a, b: a + b)(v2, v3)", "ValueError",
      ("one length",), "arrays with the same batch size"),
    C("vmap with nothing mapped", "vmap(np.sin, in_axes=(None,))(v3)", "ValueError",
      ("nothing to map",), "in_axes=0"),
    C("vmap of a number", "vmap(3)(v2)", "TypeError", ("not callable",), "vmap(f)(x)"),
    C("vmap of an integer array", "assert close(vmap(np.sin)(onp.arange(3)), onp.sin(onp.arange(3)))",
      None),
    C("vmap of reshape with shape= by keyword",
      "assert vmap(lambda v: np.reshape(v, shape=(2, 2)))(onp.ones((3, 4))).shape == (3, 2, 2)",
      None),
    # ------------------------------------------------------------ seams between features
    C("shape queries, argmax and *_like of a list of traced values",
      "f = lambda x: x[np.argmax([x[0], x[1]])] * np.shape([x[0], x[1]])[0] + np.sum(np.ones_like([x[0], x[1]]))\n"
      "assert close(grad(f)(v2), [0.0, 2.0])", None),
    C("np.cov of a traced x and a plain list y",
      "g = grad(lambda x: np.sum(np.cov(x, [[1.0, 2.0], [0.5, 0.1]]) * onp.arange(9.0).reshape(3, 3)))(v2)\n"
      "assert close(g, jacobian(lambda x: np.cov(np.stack([x, [1.0, 2.0], [0.5, 0.1]])))(v2).reshape(9, 2).T @ onp.arange(9.0))",
      None),
    C("logsumexp with b= broadcasting a to a larger shape",
      "from dualgrad.scipy.special import logsumexp\nB = onp.array([[1.0, 2.0], [0.5, 0.3]])\n"
      "assert close(grad(lambda a: np.sum(logsumexp(a, axis=-1, b=B)))(v2), "
      "jacfwd(lambda a: logsumexp(a, axis=-1, b=B))(v2).sum(0))", None),
    C("einsum with an operand broadcast from size 1, under sparse.jacobian",
      "f = lambda x: np.einsum('ij,ij->i', np.reshape(x, (2, 3)), np.reshape(x, (2, 3))[:1])\n"
      "x = onp.linspace(0.1, 0.6, 6)\nassert close(sparse.jacobian(f)(x).toarray(), jacobian(f)(x))",
      None),
    C("a write through a view of a traced array",
      "def f(z):\n    Z = np.reshape(z, (2, 2)) * 1.0\n    Z[0][1] = z[0] ** 2\n    return np.sum(Z)\n"
      "assert close(grad(f)(onp.ones(4)), [3.0, 0.0, 1.0, 1.0])", None),
    C("a write through .imag of a real traced array",
      "def f(x):\n    y = x * 1.0\n    y.imag[0] = x[1]\n    return np.sum(y)\ngrad(f)(v2)", "ValueError",
      ("x is a real array", "read-only", "x = x + 0j"), "y = x + 0j; y.imag[0] = x[1]"),
    C("checkpoint of a layer closing over its weights",
      "loss = lambda w: np.sum(checkpoint(lambda x: np.sin(w * x))(w))\n"
      "assert close(grad(loss)(v2), 2 * v2 * onp.cos(v2 ** 2))\n"
      "assert close(jvp(loss, (v2,), (onp.ones(2),))[1], onp.sum(2 * v2 * onp.cos(v2 ** 2)))",
      None),
    C("checkpoint of a function returning a tuple",
      "f = checkpoint(lambda x: (np.sin(x), np.cos(x)))\n"
      "assert close(grad(lambda x: np.sum(f(x)[0] * f(x)[1]))(v2), onp.cos(2 * v2))", None),
    C("sparse.hessian with a triangular pattern (as IPOPT states one)",
      "f = lambda x: np.sum(x[:-1] ** 2 * x[1:])\nH = sparse.hessian(f, pattern=onp.tril(onp.ones((3, 3), bool)))(v3)\n"
      "assert close(H.toarray(), hessian(f)(v3)) and close(H.toarray(), H.toarray().T)", None),
    C("a cached sparse.jacobian called with an argument that changes the output's shape",
      "f = lambda x, k: np.concatenate([x[:k] ** 2, np.sin(x)])\nJ = sparse.jacobian(f, mode='fwd')\n"
      "assert close(J(v3, 1).toarray(), jacobian(f)(v3, 1)) and close(J(v3, 2).toarray(), jacobian(f)(v3, 2))",
      None),
    C("a pinned pattern= and an output of another shape",
      "f = lambda x, k: np.concatenate([x[:k] ** 2, np.sin(x)])\n"
      "J = sparse.jacobian(f, pattern=onp.ones((4, 3), bool)); J(v3, 1)\nJ(v3, 2)", "ValueError",
      ("pattern has shape (4, 3)", "the Jacobian is (5, 3)"), "a new sparse.jacobian, or none"),
    C("sparse.jacobian inside grad (x traced)",
      "grad(lambda x: sparse.jacobian(lambda y: y ** 2)(x).sum())(v3)", "TypeError",
      ("traced by an enclosing transform", "dualgrad.jacobian(f)(x)"),
      "grad(lambda x: dualgrad.jacobian(f)(x).sum())"),
    C("linear_operator inside grad (x traced)",
      "grad(lambda x: np.sum(linear_operator(lambda y: y ** 2, x) @ v3))(v3)", "TypeError",
      ("traced by an enclosing transform", "dualgrad.jvp(f, (x,), (v,))"), "jvp(f, (x,), (v,))"),
    C("linear_operator times a complex vector",
      "f = lambda x: np.sin(x) * x[::-1]\nL, D, u = linear_operator(f, v3), jacobian(f)(v3), onp.array([1j, 2.0, -1j])\n"
      "assert close(L @ u, D @ u) and close(L.T @ u, D.T @ u)", None),
    C("sparse.jacobian of float32 input",
      "assert sparse.jacobian(np.sin)(v3.astype(onp.float32)).dtype == onp.float32", None),
    C("sparse.jacobian with a negative chunk_size", "sparse.jacobian(np.sin, chunk_size=-1)(v3)",
      "ValueError", ("chunk_size must be a positive int",), "chunk_size=1 or more, or None"),
    C("sparse.jacobian with a pattern of the wrong shape",
      "sparse.jacobian(np.sin, pattern=onp.ones((1, 3), bool))(v3)", "ValueError",
      ("pattern has shape (1, 3)", "the Jacobian is (3, 3)"), "a (3, 3) pattern, or none"),
    C("a pending array under sparse.jacobian",
      "def f(x):\n    y = np.zeros(3)\n    for i in range(3):\n        y[i] = x[i] * x[(i + 1) % 3]\n    return y\n"
      "assert close(sparse.jacobian(f)(v3).toarray(), jacobian(f)(v3))", None),
    C("writes through views of a pending array",
      "def f(x):\n    y = np.zeros((2, 3))\n    y[0][1] = x[0]\n    y[1:] += x\n    return np.sum(y * y)\n"
      "assert close(grad(f)(v3), [4.0, 4.0, 6.0])", None),
    C("a pending array given a value traced only by an enclosing transform",
      "def inner(w, lam):\n    y = np.zeros(2)\n    y[0] = lam * w[0]\n    y[1] = w[1] ** 2\n    return np.sum(y ** 2)\n"
      "assert close(grad(lambda lam: np.sum(grad(inner)(v2, lam)))(0.5), 2.0)", None),
    C("a pending array returned as grad_and_aux's aux",
      "g, aux = grad_and_aux(lambda x: (np.sum(x ** 2), np.zeros(3)))(v3)\nassert type(aux) is onp.ndarray",
      None),
    C("a VJP-only primitive under sparse.jacobian (forward mode asked)",
      "f = primitive(lambda x: 2.0 * x); defvjp(f, lambda ans, x: lambda g: 2.0 * g)\n"
      "J, choice = sparse.jacobian(f, mode='fwd', explain=True)(v3)\n"
      "assert close(J.toarray(), 2 * onp.eye(3)) and 'no JVP rule' in str(choice)", None),
    C("a JVP-only primitive under vjp and grad_and_aux",
      "f = primitive(lambda x: 2.0 * x); defjvp(f, lambda t, ans, x: 2.0 * t)\n"
      "assert close(vjp(f, v3)[1](v3)[0], 2 * v3)\n"
      "assert close(grad_and_aux(lambda x: (np.sum(f(x)), 0))(v3)[0], [2.0, 2.0, 2.0])", None),
    C("a traced value handed to another thread while its grad runs",
      "import threading\nbox, made, done = [], threading.Event(), threading.Event()\n"
      "work = lambda: grad(lambda x: (box.append(x), made.set(), done.wait(10)) and x)(1.0)\n"
      "t = threading.Thread(target=work); t.start(); made.wait(10)\n"
      "try:\n    grad(lambda y: box[0] * y)(2.0)\nfinally:\n    done.set(); t.join()",
      "UnexpectedTracerError", ("another thread", "still running on the thread that started it",
                                "can't cross threads"),
      "run grad(f) inside the worker; hand plain values between threads"),
    C("autograd.extend's argnum helpers and node types (under the alias)",
      "from dualgrad.compat.extend import defvjp_argnums, defjvp_argnums, register_notrace, "
      "SparseObject, VJPNode, JVPNode", None),
    C("an autograd internal with no meaning here (under the alias)",
      "import dualgrad.compat.core as ag_core\nag_core.deprecated_defgrad", "NotProvidedError",
      ("not provided by dualgrad", "dualgrad.extend.defvjp"), "dualgrad.extend.defvjp"),
    # ------------------------------------------------------------ checkpoint, grad_and_aux
    C("checkpoint of a number", "checkpoint(3.0)", "TypeError", ("checkpoint(f)",),
      "checkpoint(f), called inside the function"),
    C("checkpoint applied to a value, not a function",
      "grad(lambda x: checkpoint(np.sin(x)))(1.0)", "TypeError", ("checkpoint(f)",),
      "checkpoint(np.sin)(x)"),
    C("grad of a checkpointed function",
      "assert close(grad(checkpoint(lambda x: np.sin(x) ** 2))(1.0), onp.sin(2.0))", None),
    C("grad_and_aux with a string aux",
      "g, aux = grad_and_aux(lambda x: (x ** 2, 'note'))(3.0); assert g == 6.0 and aux == 'note'",
      None),
    C("grad_and_aux with aux None", "assert grad_and_aux(lambda x: (x ** 2, None))(3.0)[1] is None",
      None),
    C("grad_and_aux with a dict aux holding strings and values",
      "g, aux = grad_and_aux(lambda x: (x ** 2, {'n': 'a', 'y': 2.0 * x}))(3.0); "
      "assert aux['n'] == 'a' and aux['y'] == 6.0 and not dualgrad.core.isbox(aux['y'])", None),
    C("grad_and_aux with a traced aux (returned plain)",
      "g, aux = grad_and_aux(lambda x: (x ** 2, 2.0 * x))(3.0); "
      "assert aux == 6.0 and not dualgrad.core.isbox(aux)", None),
    C("grad_and_aux of a function returning one value", "grad_and_aux(lambda x: x ** 2)(3.0)",
      "TypeError", ("pair (loss, aux)",), "return (loss, aux)"),
]


def render() -> str:
    """The table of ``docs/misuse.md``."""
    errors = sum(c.error is not None for c in CASES)
    rows = [f"{len(CASES)} cases: {errors} raise an error, {len(CASES) - errors} work.", "",
            "| what was done | code | what it gives | write instead |", "|---|---|---|---|"]
    for c in CASES:
        gives = "works" if c.error is None else f"`{c.error}`: " + ", ".join(
            f"“{w}”" for w in c.words)
        rows.append(f"| {c.what} | {_code(c.code)} | {gives} | {_cell(c.fix) or '–'} |")
    return "\n".join(rows) + "\n"


def _code(code: str) -> str:
    lines = code.rstrip("\n").split("\n")
    return " ⏎ ".join("`" + ln.replace("|", "\\|") + "`" for ln in lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    print(render(), end="")
