"""Learning-rate schedules: each sets ``group["lr"]`` of every parameter group, step by step.

Call ``scheduler.step()`` after ``optimizer.step()``. A schedule counts the calls to its
``step`` and nothing else, so the unit is the caller's: step it once per epoch and its
counts (``step_size``, ``T_max``, ``milestones``, ``total_iters``) are epochs; step it once
per batch, as warm-up recipes and `OneCycleLR` do, and they are batches. (``last_epoch``
keeps PyTorch's name whatever the unit.)

Each schedule is a closed-form function of the step count and each group's starting
rate, which is recorded as ``group["initial_lr"]`` (as PyTorch does); ``state_dict`` /
``load_state_dict`` save and restore the count, so a resumed run continues the same
sequence. One scheduler drives an optimizer: a rate changed behind its back (by hand, or
by a second scheduler stepped on the same optimizer) is overwritten at its next step, with
a warning. (PyTorch's StepLR, ExponentialLR, CosineAnnealingLR, ... scale the current rate,
so two of them stepped together compose; combine schedules here with `SequentialLR` or
`LambdaLR`.) When one scheduler sets the rate, the sequences are PyTorch's.

- `StepLR`, `MultiStepLR`, `ExponentialLR`: decay by a factor.
- `CosineAnnealingLR`: a cosine down to ``eta_min``.
- `LinearLR`: a factor moving linearly (warm-up or decay).
- `LambdaLR`: any function of the step.
- `SequentialLR`: one schedule after another (warm-up, then cosine).
- `OneCycleLR`: warm up to a peak, anneal far below it, and cycle the momentum.

Examples
--------
Stepped once per epoch:

>>> import numpy as np
>>> from autograd_lite import Variable
>>> from autograd_lite.optim import SGD
>>> opt = SGD([Variable(np.zeros(2))], lr=0.1)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     lrs.append(opt.param_groups[0]["lr"])
...     opt.step()                          # (every batch of the epoch)
...     sched.step()
>>> lrs
[0.1, 0.1, 0.05, 0.05, 0.025]

Stepped once per batch: a warm-up over the first 3 batches.

>>> opt = SGD([Variable(np.zeros(2))], lr=0.1)
>>> sched = LambdaLR(opt, lambda step: min(1.0, (step + 1) / 3))
>>> lrs = []
>>> for batch in range(5):
...     lrs.append(round(opt.param_groups[0]["lr"], 4))
...     opt.step()
...     sched.step()
>>> lrs
[0.0333, 0.0667, 0.1, 0.1, 0.1]
"""

from .one_cycle import OneCycleLR
from .scheduler import LRScheduler
from .schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)
from .sequential_lr import SequentialLR

__all__ = [
    "CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR", "MultiStepLR",
    "OneCycleLR", "SequentialLR", "StepLR",
]
