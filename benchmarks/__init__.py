"""Benchmarks whose figures the README reports; run them all with `make bench`."""
