"""The refusal of autograd internals without a meaning here (``dualgrad.core.errors``)."""
from ..core.errors import NotProvidedError, refuser  # noqa: F401
