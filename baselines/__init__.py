"""Baseline extractors for the benchmark (rule-based and model-based)."""
