"""autograd_lite: a small, fast, define-by-run automatic differentiation engine on NumPy."""

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
           "enable_grad", "grad", "is_grad_enabled", "no_grad"]
__version__ = "0.1.0"
