"""Measure how good the assistant's answers are: ``python -m evals`` (see evals/README.md)."""
