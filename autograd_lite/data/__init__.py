"""Datasets, mini-batch loading and MNIST."""

from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset
from .errors import DataFileError, DownloadError
from .mnist import load_mnist

__all__ = [
    "DataFileError",
    "DataLoader",
    "Dataset",
    "DownloadError",
    "TensorDataset",
    "load_mnist",
]
