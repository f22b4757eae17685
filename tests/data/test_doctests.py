"""The examples in the data docstrings run and give what they show."""

import doctest

import pytest

from autograd_lite.data import dataloader, dataset, idx


@pytest.mark.parametrize("module", [dataloader, dataset, idx], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
