"""Benchmarks: ``python -m bench`` runs them all, prints a table and writes JSON under bench/results/."""
