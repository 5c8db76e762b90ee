"""autograd.builtins under the alias: ``dualgrad.builtins`` (autograd's ``tuple``,
``list``, ``isinstance``, ``type``, ``SequenceBox``...) with the other names autograd's
module has: the Python builtins under their ``_``-suffixed names, the extension names it
imports, and its sequence primitives."""
import builtins as _b

from ..builtins import *  # noqa: F401,F403
from ..builtins import __all__ as _ours
from ..core import notrace_primitive, primitive, vspace  # noqa: F401
from ..extend import defjvp, defjvp_argnum, defvjp, defvjp_argnum  # noqa: F401
from ..rules.sequences import container_take, make_sequence  # noqa: F401
from ..util import subvals  # noqa: F401
from ._refuse import refuser
from .core import SparseObject, VSpace  # noqa: F401
from .tracer import Box  # noqa: F401

tuple_, list_, dict_, isinstance_, type_ = _b.tuple, _b.list, _b.dict, _b.isinstance, _b.type
TupleMeta = ListMeta = DictMeta = _b.type(__import__("dualgrad.builtins").builtins.tuple)


def sequence_extend_right(seq, *elts):
    """autograd's primitive: ``seq + elts`` (traced when either holds traced values)."""
    return make_sequence(_b.type(getattr(seq, "value", seq)), *seq, *elts)


def sequence_extend_left(seq, *elts):
    """autograd's primitive: ``elts + seq``."""
    return make_sequence(_b.type(getattr(seq, "value", seq)), *elts, *seq)


_RULE = ("one of autograd's rules for its sequence primitives; dualgrad's are the rules of "
         "dualgrad.rules.sequences.make_sequence and container_take (read them with "
         "autograd.core.primitive_vjps[f]).")
__getattr__ = refuser(__name__, {
    "container_untake": "autograd's internal transpose of container_take; the VJP rule of "
                        "dualgrad.rules.sequences.container_take does its work.",
    "grad_container_take": _RULE, "fwd_grad_make_sequence": _RULE,
    "grad_sequence_extend_left": _RULE, "grad_sequence_extend_right": _RULE,
})

__all__ = sorted(set(_ours) | {"tuple_", "list_", "dict_", "isinstance_", "type_", "make_sequence",
                               "container_take", "sequence_extend_left", "sequence_extend_right"})
