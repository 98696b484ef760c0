"""valuegrad's benchmark suite: ``python -m bench [--quick] [--json PATH]`` from the repo root.

Each engine runs each workload in its own subprocess (bench/worker.py, workloads from
bench/workloads.py, engine adapters in bench/engines.py); the runner (bench/runner.py) prints
figures and ratios measured in the same run (bench/report.py).  ``python -m bench.anatomy``
breaks one operation and one backward step down into their costs.
"""
