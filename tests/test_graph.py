"""dualgrad.graph: recorded computations, their DOT text, and the counters."""
import re

import numpy as onp
import pytest

import dualgrad.numpy as np
from dualgrad import grad, hessian, jacfwd, jacobian, jacrev
from dualgrad.graph import count, plot_derivative, record


def small(x):
    return np.sum(np.exp(np.sin(x) * x))


def dot_prims(dot: str) -> list:
    """Primitive names of the DOT node labels, in node order (inputs skipped)."""
    return re.findall(r'^\s*v\d+ \[label="v\d+ = (\w+)\(', dot, flags=re.M)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_dot_lists_exactly_the_primitives_in_order(mode):
    comp = record(small, onp.array([0.5, 1.0, 2.0]), mode=mode)
    dot = comp.to_dot()
    assert dot_prims(dot) == ["sin", "multiply", "exp", "sum"]
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    # one computation edge per traced argument: x->sin, sin->mul, x->mul, mul->exp, exp->sum
    assert len(re.findall(r"\[color=gray40\]", dot)) == 5


def test_flow_order_forward_follows_the_computation_reverse_runs_against_it():
    x = onp.array([0.5, 1.0, 2.0])
    fwd, rev = record(small, x, mode="fwd"), record(small, x, mode="rev")
    assert fwd.flows == [("v0", "v1", 0), ("v1", "v2", 0), ("v0", "v2", 1),
                         ("v2", "v3", 0), ("v3", "v4", 0)]
    assert [(s, d) for s, d, _ in rev.flows] == [("v4", "v3"), ("v3", "v2"), ("v2", "v1"),
                                                 ("v2", "v0"), ("v1", "v0")]
    # the recorded derivatives are the real ones
    onp.testing.assert_allclose(rev.steps[0].deriv, grad(small)(x))
    onp.testing.assert_allclose(fwd.steps[-1].deriv, onp.sum(grad(small)(x)))
    text = rev.wengert()
    assert "v1 = sin(v0)" in text and "gv0 += gv1·∂v1/∂v0" in text
    assert "shape (3,)" in text


def test_render_without_graphviz_falls_back_to_matplotlib(tmp_path):
    comp = record(small, onp.array([0.5, 1.0]), mode="rev")
    assert open(comp.render(str(tmp_path / "g.dot"))).read() == comp.to_dot()
    png = comp.render(str(tmp_path / "g.png"))
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def F(x):  # R^5 -> R^3
    return np.tanh(x[:3] * np.sum(x ** 2))


@pytest.mark.parametrize("n,m", [(5, 3)])
def test_jacfwd_pushes_n_tangent_directions(n, m):
    x = onp.linspace(0.1, 0.9, n)
    with count() as c:
        J = jacfwd(F)(x)
    assert J.shape == (m, n)
    assert c.tangent_directions == n and c.cotangent_directions == 0
    assert 1 <= c.jvp_passes <= n            # batching may pack directions into fewer passes
    assert c.tape_passes == c.backward_passes == 0
    assert c.tape_bytes == 0 and c.vjp_rules == 0 and c.jvp_rules > 0


def test_jacrev_pulls_m_cotangent_directions_and_keeps_a_tape():
    x = onp.linspace(0.1, 0.9, 5)
    with count() as c:
        J = jacrev(F)(x)
    onp.testing.assert_allclose(J, jacfwd(F)(x))
    assert c.cotangent_directions == 3 and c.tangent_directions == 0
    assert c.tape_passes == 1 and 1 <= c.backward_passes <= 3
    assert c.tape_nodes > 0 and c.tape_bytes >= x.nbytes
    assert c.vjp_rules > 0 and c.jvp_rules == 0


def test_grad_is_one_forward_and_one_backward_pass():
    with count() as c:
        grad(small)(onp.array([0.5, 1.0, 2.0]))
    assert (c.forward_passes, c.backward_passes) == (1, 1)
    assert (c.tape_passes, c.jvp_passes) == (1, 0)
    assert c.cotangent_directions == 1
    assert c.tape_nodes == 4                # sin, multiply, exp, sum
    assert c.vjp_rules == 5                 # one per traced argument of each node
    # the tape keeps what the rules read (dualgrad.core.residuals): x and sin x (multiply),
    # x (sin), exp(...) (exp's answer), 3 float64 each; and the sum, a scalar
    assert c.tape_bytes == 3 * 3 * 8 + 8
    assert c.primitive_evals >= 4


def test_counting_is_restored_and_nests():
    from dualgrad.interpreters import forward, reverse
    before = (forward.ForwardLevel, reverse.ReverseLevel, reverse.backward, np.sin.fun)
    with count() as alone:
        hessian(small)(onp.array([1.0, 2.0]))
    with count() as outer:
        with count() as inner:
            grad(small)(onp.array([1.0]))
        hessian(small)(onp.array([1.0, 2.0]))
    assert inner.tape_passes == 1 and inner.jvp_passes == 0
    # forward-over-reverse: every forward-mode pass records a tape inside it
    assert alone.jvp_passes >= 1 and alone.tape_passes >= alone.jvp_passes
    assert alone.tangent_directions == 2
    assert outer.tape_passes == 1 + alone.tape_passes
    assert outer.jvp_passes == alone.jvp_passes
    assert (forward.ForwardLevel, reverse.ReverseLevel, reverse.backward, np.sin.fun) == before


def test_jacobian_explain_agrees_with_counts():
    x = onp.ones(50)
    with count() as c:
        J, why = jacobian(lambda x: np.array([np.sum(x ** 2), np.prod(x)]), explain=True)(x)
    assert why.mode == "rev" and (why.n_in, why.n_out) == (50, 2)
    assert c.cotangent_directions == 2 and c.tangent_directions == 0


def test_plot_derivative_matches_analytic(tmp_path):
    x = onp.linspace(0, 2, 200)
    _, err = plot_derivative(lambda x: np.sin(2 * np.pi * x + x ** 2),
                             lambda x: onp.cos(2 * onp.pi * x + x ** 2) * (2 * onp.pi + 2 * x),
                             x, str(tmp_path / "d.png"))
    assert err < 1e-10
    assert (tmp_path / "d.png").stat().st_size > 1000


def test_batching_packs_directions_into_fewer_passes():
    x = onp.linspace(0.1, 0.9, 5)
    with count() as looped:
        J1 = jacfwd(F, batch=False)(x)
    with count() as batched:
        J2 = jacfwd(F)(x)
    onp.testing.assert_allclose(J1, J2)
    assert looped.tangent_directions == batched.tangent_directions == 5
    assert looped.jvp_passes == 5 and batched.jvp_passes < 5
    with count() as looped:
        jacrev(F, batch=False)(x)
    with count() as batched:
        jacrev(F)(x)
    assert looped.cotangent_directions == batched.cotangent_directions == 3
    assert looped.backward_passes == 3 and batched.backward_passes < 3
    assert looped.tape_passes == batched.tape_passes == 1


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_record_follows_item_assignment(mode):
    def overwrite(x):
        x[0] = 2.0 * x[1]
        return np.sum(x)
    comp = record(overwrite, onp.array([1.0, 3.0]), mode=mode)
    stmts = [s for s in comp.wengert().splitlines()[1:6]]
    assert "v0 = x" in stmts[0] and "value [1., 3.]" in stmts[0]
    assert "v3 = index_update(v0, v2, 0)" in stmts[3]
    assert "v4 = sum(v3)" in stmts[4]


def test_counting_is_per_thread_and_leaves_no_trace():
    import threading
    from dualgrad import core
    from dualgrad.interpreters import forward, reverse
    before = (forward.ForwardLevel, reverse.ReverseLevel, {p: p.fun for p in core.JVP_RULES})
    other = {}

    def work():
        other["g"] = grad(lambda x: np.sum(np.sin(x) ** 2))(np.ones(3))

    with count() as c:
        t = threading.Thread(target=work)
        t.start()
        t.join()
        grad(lambda x: np.sum(np.sin(x)))(np.ones(3))
    assert c.tape_passes == 1 and c.backward_passes == 1  # the other thread's grad not counted
    assert onp.allclose(other["g"], 2 * onp.sin(1.0) * onp.cos(1.0))
    assert (forward.ForwardLevel, reverse.ReverseLevel) == before[:2]
    assert all(p.fun is f for p, f in before[2].items())
    assert getattr(core.levels._state, "instrument", None) is None


def test_record_fwd_tells_apart_a_primitive_that_returns_its_input():
    # real() of a real array returns the same value and tangent objects: the forward
    # record used to name both v1, writing multiply(v1, v1) for real(x) * x.
    comp = record(lambda x: np.real(x) * x, onp.array([1.0, 2.0]), mode="fwd")
    assert [str(a) for a in comp.steps[-1].args] == ["v1", "v0"]
    assert ("v0", "v2", 1) in comp.flows


def test_record_rev_lists_every_primitive_applied():
    # The reverse record listed only the nodes the output depends on; sin was missing.
    def f(x):
        np.sin(x)
        return np.cos(x) * 2.0
    for mode in ("fwd", "rev"):
        comp = record(f, 1.0, mode=mode)
        assert [s.prim for s in comp.steps] == [None, "sin", "cos", "multiply"]
        assert dot_prims(comp.to_dot()) == ["sin", "cos", "multiply"]
    assert record(f, 1.0, mode="rev").steps[1].deriv is None  # no cotangent reaches sin


def test_count_sees_record_in_both_modes():
    f = lambda x: np.sum(np.sin(x) * x)
    with count() as c:
        record(f, onp.ones(3), mode="fwd")
    assert (c.jvp_passes, c.tangent_directions, c.jvp_rules) == (1, 1, 4)
    with count() as c:
        record(f, onp.ones(3), mode="rev")
    assert (c.tape_passes, c.backward_passes, c.cotangent_directions, c.vjp_rules) == (1, 1, 1, 4)


def test_record_names_dict_and_nested_inputs():
    comp = record(lambda d: d["a"] * d["b"][0] * d["b"][1], {"b": (1.0, 2.0), "a": 3.0})
    assert [s.label for s in comp.steps[:3]] == ["d['b'][0]", "d['b'][1]", "d['a']"]


# ------------------------------------------------------------------ the teaching view
def test_record_of_several_arguments_names_each_by_its_parameter():
    f = lambda x, y: np.sin(x) * y + x  # noqa: E731
    for mode in ("fwd", "rev"):
        comp = record(f, 1.0, 2.0, argnum=(0, 1), mode=mode)
        assert [s.label for s in comp.steps[:2]] == ["x", "y"]
    rev = record(f, 1.0, 2.0, argnum=(0, 1))
    gx, gy = grad(f, argnum=(0, 1))(1.0, 2.0)
    onp.testing.assert_allclose([rev.steps[0].deriv, rev.steps[1].deriv], [gx, gy])
    with pytest.raises(ValueError, match="argnum"):
        record(f, 1.0, 2.0, argnum=(0, 2))


def test_the_reverse_wengert_list_shows_each_cotangent_as_it_flows():
    comp = record(lambda x, y: np.sin(x) * y + x, 1.0, 2.0, argnum=(0, 1))
    assert len(comp.messages) == len(comp.flows)
    text = comp.wengert()
    # x gets 1 from the add, then y cos(x) = 2 cos(1) through sin: 1 + 1.081 = 2.081
    assert "gv0 += gv4·∂v4/∂v0" in text and "# += 1, so gv0 = 1" in text
    assert f"+= {2 * onp.cos(1.0):.4g}, so gv0 = {1 + 2 * onp.cos(1.0):.4g}" in text
    assert f"# += {onp.sin(1.0):.4g}, so gv1 = {onp.sin(1.0):.4g}" in text


def _big_graph():
    def f(x, y):
        h = np.tanh(x * y)
        for k in range(4):
            h = np.sin(h) * x + np.cos(y * h) - h ** 2 / (k + 1)
        return np.sum(h)
    return f, (onp.array([0.5, 1.0]), onp.array([0.3, 0.2]))


def _rendered_boxes_and_lines(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    boxes = {t.get_gid()[4:]: t.get_bbox_patch().get_window_extent()
             for t in ax.texts if (t.get_gid() or "").startswith("box:")}
    lines = [(ln.get_gid().split(":")[1].split("->"), ax.transData.transform(ln.get_xydata()))
             for ln in ax.lines if (ln.get_gid() or "").startswith(("edge:", "flow:"))]
    return boxes, lines


@pytest.mark.parametrize("layout", ["barycentre", "graphviz"])
@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_draw_of_a_30_node_graph_has_no_overlapping_boxes_and_no_edge_through_a_box(
        mode, layout, monkeypatch):
    import dualgrad.graph as graph
    f, args = _big_graph()
    comp = record(f, *args, argnum=(0, 1), mode=mode)
    assert len(comp.steps) >= 30
    # without dot: barycentre sweeps; with it: Graphviz's x order (here a scrambled one,
    # as dot's can be anything), which the spacing must keep free of overlaps too
    scrambled = {s.name: float(x) for s, x in
                 zip(comp.steps, onp.random.RandomState(0).permutation(len(comp.steps)))}
    monkeypatch.setattr(graph, "_graphviz_x",
                        lambda c: scrambled if layout == "graphviz" else None)
    boxes, lines = _rendered_boxes_and_lines(comp.draw())
    assert len(boxes) == len(comp.steps)
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            A, B = boxes[a], boxes[b]
            overlap = min(A.x1, B.x1) - max(A.x0, B.x0) > 0 and min(A.y1, B.y1) - max(A.y0, B.y0) > 0
            assert not overlap, f"boxes {a} and {b} overlap"
    assert lines
    for (src, dst), pts in lines:
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            for t in onp.linspace(0, 1, 40):
                px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                for name, B in boxes.items():
                    if name in (src, dst):
                        continue
                    inside = B.x0 + 1 < px < B.x1 - 1 and B.y0 + 1 < py < B.y1 - 1
                    assert not inside, f"edge {src}->{dst} runs through box {name}"


def test_draw_orders_rows_to_remove_crossings():
    from dualgrad.graph import _crossings, _order_rows
    rows = [["a", "b"], ["c", "d"]]
    links = [("a", "d"), ("b", "c")]  # crossed as given
    between = [links]
    assert _crossings(rows, between) == 1
    assert _crossings(_order_rows(rows, links), between) == 0


def test_graphviz_positions_are_read_from_dot_plain_output():
    from dualgrad.graph import _parse_plain
    plain = "graph 1 2.5 3\nnode v0 1.25 2.75 0.75 0.5 x solid box black lightgrey\n" \
            "node v1 0.5 1 0.75 0.5 y solid box black lightgrey\nedge v0 v1 4 1 2\nstop\n"
    assert _parse_plain(plain) == {"v0": 1.25, "v1": 0.5}


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_draw_has_a_title_that_fits_its_figure(mode):
    # a small graph's default title (the legend of the colours) is longer than the
    # drawing is wide: the figure widens so the title is not cut off
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = record(lambda x: np.sin(x) * x, 2.0, mode=mode).draw()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    title = fig.axes[0].title
    assert "mode" in title.get_text()
    box, page = title.get_window_extent(canvas.get_renderer()), fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
