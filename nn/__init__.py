"""Neural-network layers, models, losses and initialisation, composed from autograd_lite."""

from nn import init, utils
from nn.activation import Flatten, LeakyReLU, ReLU, Sigmoid, Tanh
from nn.container import Sequential
from nn.layers import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Embedding,
    Linear,
    MaxPool2d,
)
from nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from nn.module import Module, RemovableHandle
from nn.parameter import Parameter
from nn.recurrent import LSTM, RNN

__all__ = [name for name in dir() if not name.startswith("_")]
