"""`Parameter`: a Variable that a `Module` registers as learnable."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_lite import Variable


class Parameter(Variable):
    """A learnable Variable; assigning one to a Module attribute registers it.

    Parameters
    ----------
    data : array_like
        The initial value. An ndarray keeps its dtype (layers create float32 parameters);
        Python numbers and lists become float64, as for `Variable`.
    name : str, optional
    """

    __slots__ = ()

    def __init__(self, data: Any, name: str | None = None) -> None:
        if isinstance(data, Variable):
            data = data.data
        super().__init__(np.asarray(data) if isinstance(data, np.generic) else data,
                         name=name, requires_grad=True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
