"""Datasets, mini-batch loading, MNIST and tiny Shakespeare."""

from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset
from .errors import DataFileError, DownloadError
from .mnist import load_mnist
from .shakespeare import load_tinyshakespeare

__all__ = [
    "DataFileError",
    "DataLoader",
    "Dataset",
    "DownloadError",
    "TensorDataset",
    "load_mnist",
    "load_tinyshakespeare",
]
