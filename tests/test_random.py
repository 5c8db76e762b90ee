"""Random draws given a traced parameter: every way of calling numpy.random
(dualgrad.numpy.random's functions, a Generator or RandomState of plain numpy,
numpy.random's own module functions) raises an error naming the draw and the
reparametrization that differentiates it; the reparametrized draws work."""
import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, jacfwd, jvp

RNG = onp.random.default_rng(0)
RS = onp.random.RandomState(0)

TRANSFORMS = {
    "grad": lambda f: grad(f)(1.0),
    "jvp": lambda f: jvp(f, (1.0,), (1.0,)),
    "jacfwd": lambda f: jacfwd(f)(1.0),
}

# (the draw as the message names it, the generator the fix draws from, the function)
DRAWS = {
    "default_rng chained": ("numpy.random.Generator.normal", "onp.random.default_rng(0)",
                            lambda x: np.sum(onp.random.default_rng(0).normal(0, x, 3))),
    "dualgrad's default_rng": ("numpy.random.Generator.normal", "np.random.default_rng(1)",
                               lambda x: np.sum(np.random.default_rng(1).normal(0, x, 3))),
    "a Generator": ("numpy.random.Generator.normal", "RNG",
                    lambda x: np.sum(RNG.normal(0.0, x, 3))),
    "a Generator, keywords": ("numpy.random.Generator.normal", "RNG",
                              lambda x: np.sum(RNG.normal(loc=x, size=3))),
    "a call over lines": ("numpy.random.Generator.uniform", "RNG",
                          lambda x: np.sum(RNG.uniform(
                              0.0,
                              x))),
    "a RandomState": ("numpy.random.RandomState.uniform", "RS",
                      lambda x: np.sum(RS.uniform(0.0, x, 3))),
    "a RandomState made here": ("numpy.random.RandomState.normal", "onp.random.RandomState(2)",
                                lambda x: onp.random.RandomState(2).normal(x)),
    "numpy.random's function": ("numpy.random.normal", "onp.random",
                                lambda x: np.sum(onp.random.normal(0.0, x, 3))),
    "dualgrad.numpy.random's function": ("numpy.random.normal", "np.random",
                                         lambda x: np.sum(np.random.normal(0.0, x, 3))),
}


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize("case", DRAWS)
def test_a_draw_with_a_traced_parameter_names_the_reparametrization(case, transform):
    name, source, f = DRAWS[case]
    with pytest.raises(TypeError) as info:
        TRANSFORMS[transform](f)
    message = str(info.value)
    assert f"{name} was given a traced value" in message
    assert "reparametrization" in message
    assert f"{source}.standard_normal(size)" in message


@pytest.mark.parametrize("case", DRAWS)
def test_without_column_positions_the_draw_is_found_on_its_line(case, monkeypatch):
    # Python 3.10 has no column positions (code.co_positions): there the draw is the one
    # draw among the calls on the line. Run here on any Python, that fallback alone.
    from dualgrad.core import errors
    monkeypatch.setattr(errors, "_running_calls", errors._calls_on_line)
    name, source, f = DRAWS[case]
    with pytest.raises(TypeError, match=f"{name} was given a traced value") as info:
        grad(f)(1.0)
    assert f"{source}.standard_normal(size)" in str(info.value)


def test_without_column_positions_two_draws_on_a_line_are_not_guessed(monkeypatch):
    from dualgrad.core import errors
    monkeypatch.setattr(errors, "_running_calls", errors._calls_on_line)
    with pytest.raises(TypeError, match="Typical causes") as info:
        grad(lambda x: np.sum(RNG.normal(0, x, 2) + RS.uniform(0, 1, 2)))(1.0)
    assert "was given a traced value" not in str(info.value)


def test_a_reordering_draw_says_to_draw_indices():
    with pytest.raises(TypeError, match=r"Generator\.permutation.*draw indices") as info:
        grad(lambda x: np.sum(RNG.permutation(x) * onp.arange(3.0)))(onp.ones(3))
    assert "RNG.permutation(len(x))" in str(info.value)


_ARGS = [(), (1.0,), (1.0, 1.0), (1.0, 1.0, 1.0)]


def _traced_first(draw, x):
    """The draw with ``x`` as its first parameter (the others 1.0); None when no
    number of parameters suits it."""
    for rest in _ARGS:
        try:
            return draw(x, *rest)
        except TypeError as e:
            if "traced value" in str(e):
                raise
        except Exception:  # noqa: BLE001  (a parameter out of the draw's domain)
            pass
    return None


@pytest.mark.parametrize("kind", ["Generator", "RandomState"])
def test_every_draw_of_a_generator_names_itself(kind):
    """Every public method of numpy's generators that reads a traced parameter
    says which draw it was and how to reparametrize it."""
    gen = onp.random.default_rng(0) if kind == "Generator" else onp.random.RandomState(0)
    named = []
    for method in sorted(m for m in dir(gen) if not m.startswith("_")):
        draw = getattr(gen, method)
        if not callable(draw):
            continue
        try:
            grad(lambda x: np.sum(_traced_first(draw, x)))(0.5)
        except TypeError as e:
            if "traced value" in str(e):
                assert f"numpy.random.{kind}.{method} was given a traced value" in str(e), method
                named.append(method)
        except Exception:  # noqa: BLE001  (takes no parameter a traced value can reach)
            pass
    # the distributions with a float parameter (normal, gamma, beta, ...) all reached it
    assert {"normal", "uniform", "exponential", "gamma", "beta", "lognormal"} <= set(named)
    assert len(named) >= 25, named


def test_the_reparametrized_draw_is_differentiable():
    e = onp.random.default_rng(3).standard_normal(3)
    g = grad(lambda s: np.sum(1.0 + s * onp.random.default_rng(3).standard_normal(3)))(2.0)
    assert onp.isclose(g, e.sum())
