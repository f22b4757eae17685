"""The examples in the optim docstrings run and give what they show."""

import doctest

import pytest
from autograd_lite.optim import lr_scheduler, sequential_lr, sgd


@pytest.mark.parametrize("module", [lr_scheduler, sequential_lr, sgd], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
