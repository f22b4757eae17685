"""The implementations a workload times: autograd_lite, and the references it is compared to."""
