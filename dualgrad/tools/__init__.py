"""Tools (layer 6) built on the whole library: ``counters`` (``dualgrad.graph.count``),
``coverage`` (``python -m dualgrad coverage``) and ``tour`` (``python -m dualgrad``)."""
