"""Every case of the misuse table (tests/misuse_cases.py) gives what the table
says: an error of the stated type whose message contains the stated words, or
an answer that the case's own asserts check. docs/misuse.md shows the same table."""
import linecache
import pathlib

import numpy as onp
import pytest

import dualgrad
import dualgrad.numpy as np
from dualgrad import (checkpoint, deriv, elementwise_grad, grad, grad_and_aux, grad_named,
                      hessian, hessian_vector_product, jacfwd, jacobian, jacrev, jvp, make_jvp,
                      make_vjp, value_and_grad, vjp, vmap)
from dualgrad.core import getval
from dualgrad.extend import defjvp, defvjp, primitive
from misuse_cases import CASES, render

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "misuse.md"
BEGIN, END = "<!-- misuse table: begin -->\n", "<!-- misuse table: end -->\n"


def _namespace() -> dict:
    return dict(
        np=np, onp=onp, dualgrad=dualgrad, getval=getval, close=onp.allclose,
        sq=lambda x: np.sum(x ** 2), x1=1.0, v2=onp.array([1.0, 2.0]),
        v3=onp.array([1.0, 2.0, 3.0]), primitive=primitive, defvjp=defvjp, defjvp=defjvp,
        grad=grad, value_and_grad=value_and_grad, grad_and_aux=grad_and_aux,
        elementwise_grad=elementwise_grad, deriv=deriv, jacobian=jacobian, jacfwd=jacfwd,
        jacrev=jacrev,
        hessian=hessian, hessian_vector_product=hessian_vector_product, jvp=jvp, vjp=vjp,
        make_jvp=make_jvp, make_vjp=make_vjp, vmap=vmap, checkpoint=checkpoint,
        grad_named=grad_named, sparse=dualgrad.sparse, linear_operator=dualgrad.linear_operator,
        __name__="misuse_case")  # (its primitives are the user's, not the library's)


def _run(code: str, ns: dict) -> None:
    """``exec`` of a case, its source registered as IPython registers a cell's, so
    that messages read off the user's line (``rng.normal(0, x)``) see it."""
    name = f"<misuse case {abs(hash(code))}>"
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    exec(compile(code, name, "exec"), ns)


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::PendingDeprecationWarning")
@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_misuse_case(case):
    ns = _namespace()
    if case.error is None:
        _run(case.code, ns)  # the case asserts its answer
        return
    if case.error.endswith("Warning"):  # it works (the code asserts) and warns
        with pytest.warns(Warning) as record:
            _run(case.code, ns)
        messages = [str(w.message) for w in record if type(w.message).__name__ == case.error]
        assert messages, f"expected a {case.error}, got {[str(w.message) for w in record]}"
        for word in case.words:
            assert any(word in m for m in messages), f"{word!r} is not in {messages}"
        return
    with pytest.raises(Exception) as info:
        _run(case.code, ns)
    names = [k.__name__ for k in type(info.value).__mro__]
    got = f"{type(info.value).__name__}: {info.value}"
    assert case.error in names, f"expected {case.error}, got {got}"
    message = str(info.value)
    for word in case.words:
        assert word in message, f"{word!r} is not in the message: {message}"


def test_every_error_case_says_what_to_write_instead():
    assert all(c.fix for c in CASES if c.error is not None)
    assert len({c.what for c in CASES}) == len(CASES)


@pytest.mark.needs("docs")
def test_docs_page_shows_this_table():
    text = DOC.read_text()
    assert BEGIN in text and END in text
    table = text.split(BEGIN)[1].split(END)[0]
    assert table == render(), ("docs/misuse.md is out of date: replace its table with the "
                               "output of `python tests/misuse_cases.py`")
