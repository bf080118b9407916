"""Minimal helpers for the self-contained HTML pages (leaderboard, error report).

Every page is one file: CSS and JS inline, no external assets, so it opens from
disk, survives being attached to an issue and renders the same offline.
"""

from __future__ import annotations

from html import escape

BASE_CSS = """
:root { --fg:#1d2330; --muted:#5b6475; --line:#d9dee7; --head:#f2f4f8; --accent:#2f5fb3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       margin: 0 auto; padding: 1.2rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.na { color: var(--muted); text-align: center; }
details { margin: .3rem 0 1rem; }
summary { cursor: pointer; color: var(--accent); }
"""


def esc(value: object) -> str:
    """HTML-escape any value's text, quotes included (safe in attributes too)."""
    return escape(str(value), quote=True)


def attrs(**kw: object) -> str:
    """' k="v"' pairs in the given order; None values are left out, '_' in names becomes '-'."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in kw.items() if v is not None)


def page(title: str, body: str, css: str = "", js: str = "") -> str:
    script = f"<script>\n{js.strip()}\n</script>\n" if js.strip() else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n"
        f"<body>\n{body.strip()}\n{script}</body>\n</html>\n"
    )

