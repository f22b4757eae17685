"""Speed and memory benchmarks for autograd_lite.

Run ``python -m benchmarks --help``. Each workload times autograd_lite against references
measured in the same run (a hand-written NumPy version, PyTorch when importable), alternating
the implementations so that a noisy, shared machine slows them all alike.
"""
