"""One module per workload, each with ``run(options) -> WorkloadResult``."""
