"""valuegrad's benchmark suite: ``python -m bench [--quick] [--json PATH]`` from the repo root.

Each engine runs each workload in its own subprocess (bench/worker.py); the runner
(bench/runner.py) prints figures and ratios measured in the same run (bench/report.py).
"""
