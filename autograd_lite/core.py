"""The engine, on one page: where its parts live and how they fit.

* `autograd_lite.variable`: a `Variable` wraps an ndarray and remembers the `Function` that
  created it (``creator``). Every write into its data takes a tick of the engine's clock.
* `autograd_lite.function`: a `Function` computes its outputs from ndarrays in ``forward``; when
  it records, it keeps its ``inputs`` and the arrays it read (``saved``), holds its ``outputs``
  weakly (so the graph has no reference cycles and dies by reference counting), and takes a tick
  of the clock (``order``).
* `autograd_lite.backward`: `backward` runs every Function behind the outputs once, newest first,
  each through its one gradient formula ``vjp(gy, y, *xs)``, and does the chores for all of
  them: undo broadcasting, restore dtypes, add up the gradients of shared Variables, run hooks.
* `autograd_lite.grad_mode`: `no_grad` / `enable_grad`, per thread.
* `autograd_lite.methods`: Variable's operators and methods, front doors to the op library,
  which registers its functions there (so the engine never imports the library built on it).

One formula serves both modes of backward: it is written with operators, ndarray methods and
NumPy functions that Variables also understand, so the engine runs it on ndarrays (fast) or, when
``create_graph=True``, on Variables (recorded, so it can be differentiated again). That makes
NumPy dispatch on Variables (``np.exp(x)``, ``x.sum(axis=0)``, ``ndarray * x``) part of the
engine's contract: a formula may only use NumPy functions with a differentiable counterpart in
`autograd_lite.functions.numpy_dispatch` (tests/functions/test_second_derivatives.py runs every
public function's formula on Variables).

In-place safety: every write into a Variable's data through the library (the ``data`` setter,
optimizers, ``nn.init``, ``load_state_dict``, `Variable.mark_modified`) takes a tick of the
clock. A Function whose input or output changed after it was recorded refuses to run backward
instead of returning a gradient computed from the new values.
"""

from autograd_lite.backward import grad
from autograd_lite.function import Function, set_observer
from autograd_lite.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd_lite.variable import Variable, as_variable

__all__ = ["Function", "Variable", "as_variable", "enable_grad", "grad", "is_grad_enabled",
           "no_grad", "set_observer"]
