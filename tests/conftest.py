"""Hypothesis profiles: "dev" (few examples, the default locally) and "ci" (derandomized, more
examples, no deadline; .ci/run selects it with HYPOTHESIS_PROFILE=ci)."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from autograd_lite.data.mnist import MNIST_FILES

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=25, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", deadline=None, max_examples=10,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def real_mnist() -> Path:
    """The folder of the real MNIST files under $AUTOGRAD_LITE_DATA; skips when absent."""
    data_dir = os.environ.get("AUTOGRAD_LITE_DATA")
    if not data_dir:
        pytest.skip("AUTOGRAD_LITE_DATA is not set")
    folder = Path(data_dir) / "mnist"
    for name in MNIST_FILES:
        if not ((folder / name).is_file() or (folder / f"{name}.gz").is_file()):
            pytest.skip(f"no MNIST file {name} in {folder}")
    return folder
