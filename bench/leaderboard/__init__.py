"""The leaderboard: committed run records rendered as Markdown, JSON, one HTML page and a
README section.  ``table`` is the model (runs, columns, cells), ``text`` and ``page``
render it, ``suites`` says which leaderboards exist, ``submissions`` reads submitted runs
(predictions + metadata), ``sync`` writes and checks them.
Rendering never runs a model; only ``sync.update_runs`` and ``sync.check`` do, through
``bench.runner``."""

from __future__ import annotations

from bench.leaderboard.page import html_page
from bench.leaderboard.suites import README, SUITES_FILE, Suite, load_suites
from bench.leaderboard.submissions import Submission, load_submissions, read_submission
from bench.leaderboard.sync import add_submission, check, render, rendered, run_suite, update_runs
from bench.leaderboard.table import (
    DASH, NA, Run, cell_text, cells, columns, figure, load_runs, per_label, run_file_name, sort_runs,
)
from bench.leaderboard.text import (
    END, START, leaderboard_json, markdown, markdown_table, md_cell, md_code, parse_markdown_table, readme_section,
    replace_section,
)

__all__ = ["Submission", "add_submission", "load_submissions", "read_submission", "DASH", "END", "NA", "README", "START", "SUITES_FILE", "Run", "Suite", "cell_text", "cells", "check",
           "columns", "figure", "html_page", "leaderboard_json", "load_runs", "load_suites", "markdown",
           "markdown_table", "md_cell", "md_code", "parse_markdown_table", "per_label", "readme_section", "render",
           "rendered", "replace_section", "run_file_name", "run_suite", "sort_runs", "update_runs"]
