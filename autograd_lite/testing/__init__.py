"""Gradient checking for autograd_lite and for your own Functions.

`numerical_grad`, `gradcheck` and `gradgradcheck` need NumPy only. Hypothesis strategies that
draw inputs safe for gradient checks live in `autograd_lite.testing.strategies` (it imports
Hypothesis).
"""

from autograd_lite.testing.gradcheck import (
    GradcheckError,
    gradcheck,
    gradgradcheck,
    numerical_grad,
)

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_grad"]
