"""``checkpoint(fun)``: derivatives recomputed from the inputs instead of kept on the tape."""
from __future__ import annotations

from ..core import ANY, Primitive
from . import checks
from .gradients import make_vjp
from .products import make_jvp
from .transform import Fun


def checkpoint(fun: Fun) -> Fun:
    """``fun`` as one primitive whose tape is not kept: its derivatives are
    recomputed from the inputs when needed (memory for time)."""
    checks.check_fun(fun, "checkpoint")
    prim = Primitive(fun, getattr(fun, "__name__", "checkpointed"))

    def ck_vjp(argnum, g, ans, *args, **kwargs):
        return make_vjp(fun, argnum)(*args, **kwargs)[0](g)

    def ck_jvp(argnum, t, ans, *args, **kwargs):
        return make_jvp(fun, argnum)(*args, **kwargs)(t)[1]
    prim.def_vjp(ck_vjp, argnum=ANY, reads="args")  # the inputs only: not the answer
    prim.def_jvp(ck_jvp, argnum=ANY)
    return prim
