"""``python -m bench``: run the benchmark suite and print the table (see bench/runner.py)."""

from .runner import main

main()
