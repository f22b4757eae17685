"""autograd_lite: a small, fast, define-by-run automatic differentiation engine on NumPy.

``import autograd_lite`` also imports the op library (`autograd_lite.functions`), which
registers the functions behind Variable's operators and methods with the engine.
"""

from autograd_lite import functions
from autograd_lite.allocator import keep_freed_memory
from autograd_lite.anomaly import AnomalyError, detect_anomaly
from autograd_lite.core import (
    Function,
    Variable,
    as_variable,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
)

__all__ = ["AnomalyError", "Function", "Variable", "as_variable", "detect_anomaly",
           "enable_grad", "functions", "grad", "is_grad_enabled", "keep_freed_memory",
           "no_grad"]
__version__ = "0.1.0"
