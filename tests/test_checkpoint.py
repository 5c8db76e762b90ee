"""``checkpoint(fun)``: the same derivatives as ``fun`` in every mode, also when ``fun``
closes over traced values (a layer over its weights) and when it returns a tuple; the
tape keeps only what ``fun`` reads from outside, not its inner steps."""
import numpy as onp
import pytest

import dualgrad
import dualgrad.numpy as np
from dualgrad import checkpoint, grad, hessian, jacfwd, jacrev, jvp, vmap
from dualgrad.test_util import check_grads

R = onp.random.RandomState(3)
W = R.randn(3, 3) / 2
H = R.randn(3)


def net(W, h, ck=checkpoint):
    """Two layers closing over their weights W, which are also an argument."""
    layer = ck(lambda h: np.tanh(W @ h) * np.sum(W))
    both = ck(lambda W2, h: np.sin(W2 @ h) + W[0] * h)
    return np.sum(both(W, layer(h)) ** 2)


def plain_net(W, h):
    return net(W, h, ck=lambda f: f)


def test_closures_over_traced_weights_values_and_gradients():
    assert onp.isclose(net(W, H), plain_net(W, H))
    for argnum in (0, 1):
        onp.testing.assert_allclose(grad(net, argnum)(W, H), grad(plain_net, argnum)(W, H),
                                    rtol=1e-12)
    check_grads(net, argnum=(0, 1), order=2)(W, H)


def test_closures_under_jvp_give_plain_arrays_and_the_whole_tangent():
    V = R.randn(3, 3)
    p, t = jvp(lambda W: net(W, H), (W,), (V,))
    p0, t0 = jvp(lambda W: plain_net(W, H), (W,), (V,))
    assert type(p) in (float, onp.float64) and type(t) in (float, onp.float64)
    assert onp.isclose(p, p0) and onp.isclose(t, t0)


def test_closures_nested_and_batched():
    onp.testing.assert_allclose(hessian(lambda h: net(W, h))(H),
                                hessian(lambda h: plain_net(W, h))(H), rtol=1e-10)
    onp.testing.assert_allclose(jacfwd(grad(net))(W, H), jacrev(grad(plain_net))(W, H),
                                rtol=1e-10, atol=1e-12)
    hs = R.randn(4, 3)  # per-example gradients of the weights
    onp.testing.assert_allclose(vmap(grad(net), in_axes=(None, 0))(W, hs),
                                onp.stack([grad(plain_net)(W, h) for h in hs]), rtol=1e-12)
    onp.testing.assert_allclose(vmap(lambda h: net(W, h))(hs),
                                [plain_net(W, h) for h in hs], rtol=1e-12)


def test_grad_over_grad_through_a_closure():
    # the inner gradient closes over the outer variable w
    def f(w):
        g = grad(lambda x: np.sum(checkpoint(lambda x: np.sin(w * x) * w)(x)))
        return np.sum(g(H) ** 2)
    check_grads(f, order=2)(0.7)


def test_a_checkpointed_function_may_return_a_tuple():
    pair = checkpoint(lambda x: (np.sin(x) * W[0], np.sum(x ** 2)))

    def f(x):
        a, b = pair(x)
        return np.sum(a) * b
    ref = lambda x: np.sum(np.sin(x) * W[0]) * np.sum(x ** 2)  # noqa: E731
    onp.testing.assert_allclose(grad(f)(H), grad(ref)(H), rtol=1e-12)
    check_grads(f, order=2)(H)
    only_first = lambda x: np.sum(pair(x)[0])  # noqa: E731   (the other part unused)
    onp.testing.assert_allclose(grad(only_first)(H), onp.cos(H) * W[0], rtol=1e-12)


def test_the_tape_keeps_only_the_boundary():
    from dualgrad.tools.counters import count
    chain = lambda h: np.sum(np.sin(np.sin(np.sin(np.sin(W @ h)))))  # noqa: E731
    with count() as plain:
        dualgrad.make_vjp(chain)(H)
    with count() as ck:
        dualgrad.make_vjp(checkpoint(chain))(H)
    assert ck.tape_nodes < plain.tape_nodes


def test_a_closure_changed_in_place_after_the_call_does_not_change_the_replay():
    # the replay reads the values the closure held at the call, as the result did
    def f(w):
        z = w * 1.0
        out = checkpoint(lambda x: np.sum(z * x))(H)
        z[0] = 5.0
        return out * np.sum(z)
    w = R.randn(3)
    ref = lambda w: np.sum(w * H) * (5.0 + np.sum(w[1:]))  # noqa: E731
    onp.testing.assert_allclose(grad(f)(w), grad(ref)(w), rtol=1e-12)
    check_grads(f, order=2)(w)


def test_a_value_escaping_a_checkpoint_other_than_as_its_result_is_refused():
    def f(w):
        z = w * 1.0

        def body(x):
            z[0] = np.sum(x * w)  # writes an array made outside: z's new value escapes
            return np.sin(x)
        return np.sum(checkpoint(body)(H)) + np.sum(z)
    with pytest.raises(RuntimeError, match="checkpoint"):
        grad(f)(onp.ones(3))


def test_nested_checkpoints_and_every_mode():
    inner = checkpoint(lambda x: np.sin(W @ x) * W[1])
    outer = checkpoint(lambda x: np.tanh(inner(x)) * np.sum(W))
    ref = lambda x: np.tanh(np.sin(W @ x) * W[1]) * np.sum(W)  # noqa: E731
    f = lambda x: np.sum(outer(x) ** 2)  # noqa: E731
    g = lambda x: np.sum(ref(x) ** 2)  # noqa: E731
    check_grads(f, modes=["fwd", "rev"], order=2)(H)
    for jac in (jacfwd, jacrev):
        onp.testing.assert_allclose(jac(outer)(H), jac(ref)(H), rtol=1e-12)
    onp.testing.assert_allclose(grad(f)(H), grad(g)(H), rtol=1e-12)
    onp.testing.assert_allclose(jacrev(grad(f))(H), jacfwd(grad(g))(H), rtol=1e-10)
    hs = R.randn(4, 3)
    onp.testing.assert_allclose(vmap(grad(f))(hs), onp.stack([grad(g)(h) for h in hs]),
                                rtol=1e-12)
    onp.testing.assert_allclose(grad(lambda x: np.sum(vmap(outer)(x)))(hs),
                                grad(lambda x: np.sum(vmap(ref)(x)))(hs), rtol=1e-12)


def test_checkpoint_around_a_tuple_valued_primitive():
    # The replay gets a container answer back split into its parts, and handed that
    # tuple of tracers to output_item as one array: IndexError (a custom_jvp returning
    # a tuple: a concatenate error) in grad.
    from dualgrad.extend import defvjp, primitive

    @primitive
    def sincos(x):
        return onp.sin(x), onp.cos(x)
    defvjp(sincos, lambda ans, x: lambda g: g[0] * np.cos(x) - g[1] * np.sin(x))

    def f(x):
        s, c = sincos(x[:2])
        return np.sum(s * x[1:] + c[:1] ** 2)
    x = onp.array([0.3, -0.7, 1.1])
    ref = lambda x: np.sum(np.sin(x[:2]) * x[1:] + np.cos(x[:1]) ** 2)  # noqa: E731
    onp.testing.assert_allclose(grad(checkpoint(f))(x), grad(ref)(x))
    onp.testing.assert_allclose(jacrev(grad(checkpoint(f)))(x), hessian(ref)(x))
