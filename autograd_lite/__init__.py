"""autograd_lite: a small, fast, define-by-run automatic differentiation engine on NumPy."""

from autograd_lite.core import (
    Function,
    Variable,
    as_variable,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
)

__all__ = ["Function", "Variable", "as_variable", "enable_grad", "grad", "is_grad_enabled",
           "no_grad"]
__version__ = "0.1.0"
