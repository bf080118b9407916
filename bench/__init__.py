"""kursk-ie-bench: a gold news benchmark for entities, temporal expressions and claim stances."""

__version__ = "0.1.0"
