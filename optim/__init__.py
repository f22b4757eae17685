"""Optimizers and learning-rate schedulers for autograd_lite parameters."""

if __name__ != "autograd_lite.optim":  # e.g. ``import optim`` run from the repository root
    raise ImportError(
        f"this folder is installed as autograd_lite.optim: write `from autograd_lite import optim` "
        f"(importing it as a top-level `{__name__}` would load a second, separate copy of the "
        "optimizers; install the project with `pip install -e .` first)"
    )

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
