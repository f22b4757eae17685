"""Neural-network layers, models, losses and initialisation, composed from autograd_lite."""

if __name__ != "autograd_lite.nn":  # e.g. ``import nn`` run from the repository root
    raise ImportError(
        f"this folder is installed as autograd_lite.nn: write `from autograd_lite import nn` "
        f"(importing it as a top-level `{__name__}` would load a second, separate copy of the "
        "layers; install the project with `pip install -e .` first)"
    )

from . import init, utils
from .activation import Flatten, LeakyReLU, ReLU, Sigmoid, Tanh
from .container import Sequential
from .layers import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Embedding,
    Linear,
    MaxPool2d,
)
from .lazy import LazyConv2d, LazyLinear, UninitializedParameter
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    MSELoss,
    SmoothL1Loss,
)
from .module import Module, RemovableHandle
from .parameter import Parameter
from .recurrent import GRU, LSTM, RNN
from .shape import Unflatten, Upsample

# isort: split
# -- transformer building blocks
from .activation import GELU, Identity, LogSoftmax, Softmax
from .attention import MultiheadAttention
from .container import ModuleDict, ModuleList, ParameterList
from .normalization import LayerNorm

__all__ = [name for name in dir() if not name.startswith("_")]
