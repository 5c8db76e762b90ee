"""The interpreters (layer 1): one tracer class and one trace level per file.

- ``forward``: ``Dual`` (primal + tangent), JVP rules applied as the code runs;
- ``reverse``: ``Box`` and the tape, run backwards once (``pull_back``, ``backward``);
- ``batching``: ``Batched``, many examples or directions in one pass (its table, ``BATCH_RULES``);
- ``sparsity``: dependency patterns instead of numbers (``jacobian_sparsity``; ``patterns``);
- ``pending``: arrays made by ``dualgrad.numpy``'s constructors inside a transform;
- ``multi_output``: primitives whose answer is a tuple, list or dict.

They read the rule tables through ``dualgrad.core`` and import nothing above it.
"""
