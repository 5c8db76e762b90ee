"""A short tour of dualgrad: ``python -m dualgrad``.

It differentiates the Taylor-series sine from autograd's tutorial, trains the
tutorial's logistic regression, shows which mode ``jacobian`` picks for a tall
and a wide vector field (and why), and, when matplotlib is installed, plots
d/dx sin(2 pi x + x^2) against its analytic form into an output folder
(``dualgrad-tour/`` by default, ``--out DIR`` to choose) and says where.
"""
from __future__ import annotations

import os
import sys

import numpy as onp

import dualgrad.numpy as np
from dualgrad.transforms import elementwise_grad, grad, jacobian


def taylor_sine(x):
    """sin(x) by its Taylor series, summed until the terms are small."""
    ans = currterm = x
    i = 0
    while np.abs(currterm) > 0.001:
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        i += 1
    return ans


def _taylor_terms(x: float) -> int:
    """How many terms taylor_sine sums at x (the loop stops once a term is <= 0.001)."""
    term, i = x, 0
    while abs(term) > 0.001:
        term = -term * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        i += 1
    return i + 1


def _taylor(out) -> None:
    d1 = grad(taylor_sine)(onp.pi)
    h = 1e-5
    fd = (taylor_sine(onp.pi + h) - taylor_sine(onp.pi - h)) / (2 * h)
    print(f"  d/dx taylor_sine(x) at x = pi: {d1:+.6f}  (cos(pi) = {onp.cos(onp.pi):+.6f})",
          file=out)
    print(f"  second derivative at pi/2:     {grad(grad(taylor_sine))(onp.pi / 2):+.6f}  "
          f"(-sin(pi/2) = -1)", file=out)
    print(f"  Why {d1:.4f} and not -1: the loop stops after {_taylor_terms(onp.pi)} terms, "
          "once a term is below 0.001,\n  so taylor_sine is a polynomial close to sin, and "
          "dualgrad gives that polynomial's\n  derivative exactly (a central difference of "
          f"the same code agrees: {fd:+.6f}).\n  The gap to -1 is the series' truncation "
          "error, not a rounding error of dualgrad.", file=out)


def _logistic_regression(out) -> None:
    inputs = onp.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15],
                        [0.52, 0.06, -1.30], [0.74, -2.49, 1.39]])
    targets = onp.array([True, True, False, True])

    def training_loss(weights):
        preds = 0.5 * (np.tanh(np.dot(inputs, weights) / 2.0) + 1)
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -np.sum(np.log(label_probabilities))

    weights = onp.zeros(3)
    print(f"  initial loss: {training_loss(weights):.4f}", file=out)
    for _ in range(100):
        weights -= grad(training_loss)(weights) * 0.01
    print(f"  trained loss: {training_loss(weights):.4f}   weights: {onp.round(weights, 3)}", file=out)


def _jacobian_modes(out) -> None:
    rng = onp.random.default_rng(0)
    for n_in, n_out, label in [(10, 1000, "tall"), (1000, 10, "wide")]:
        W = rng.standard_normal((n_out, n_in)) / onp.sqrt(n_in)
        J, choice = jacobian(lambda x: np.tanh(W @ x), explain=True)(rng.standard_normal(n_in))
        print(f"  {label} field R^{n_in} -> R^{n_out}: J is {J.shape[0]}x{J.shape[1]}, "
              f"{choice.mode} mode.\n    {choice.reason}", file=out)


def _plot(path: str, out) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print('  (no plot: matplotlib is missing; pip install "dualgrad[plot]" installs it)',
              file=out)
        return
    f = lambda x: np.sin(2 * np.pi * x + x ** 2)
    x = onp.linspace(0, 2, 400)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.plot(x, f(x), color="0.6", label=r"$f(x)=\sin(2\pi x + x^2)$")
    ax.plot(x, elementwise_grad(f)(x), lw=3, alpha=0.6, label="dualgrad: elementwise_grad(f)")
    ax.plot(x, onp.cos(2 * onp.pi * x + x ** 2) * (2 * onp.pi + 2 * x), "k--", lw=1,
            label=r"analytic $\cos(2\pi x+x^2)(2\pi+2x)$")
    ax.set_title(r"$f(x) = \sin(2\pi x + x^2)$ and its derivative: dualgrad vs analytic")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x) and f'(x)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"  wrote the plot to {os.path.abspath(path)}", file=out)


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    import argparse
    parser = argparse.ArgumentParser(
        prog="python -m dualgrad", description="A short tour of dualgrad. "
        "'python -m dualgrad coverage' lists which numpy functions are differentiable.")
    parser.add_argument("--out", default="dualgrad-tour", metavar="DIR",
                        help="the folder the tour writes into (default: %(default)s)")
    parser.add_argument("--plot", default=None, metavar="PATH",
                        help="where to write the derivative plot (default: DIR/derivative.png)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    plot_path = args.plot or os.path.join(args.out, "derivative.png")
    print("dualgrad tour\n", file=out)
    print("1. The Taylor-series sine from autograd's tutorial, differentiated:", file=out)
    _taylor(out)
    print("\n2. Logistic regression trained by gradient descent:", file=out)
    _logistic_regression(out)
    print("\n3. jacobian picks the cheaper mode:", file=out)
    _jacobian_modes(out)
    print("\n4. The derivative of sin(2 pi x + x^2) against the analytic one:", file=out)
    _plot(plot_path, out)
    return 0
