"""Choosing non-overlapping candidate spans, longest first, in O(n log n)."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def longest_first(candidates: Iterable[T], start: Callable[[T], int], end: Callable[[T], int],
                  order: Callable[[T], tuple]) -> list[T]:
    """Candidates taken in ``order`` (e.g. longest, then earliest), each kept when it overlaps
    none kept before.  The kept spans never overlap, so in start order their ends increase
    too: only the neighbours around a new start can overlap it."""
    starts: list[int] = []
    ends: dict[int, int] = {}
    kept: list[T] = []
    for c in sorted(set(candidates), key=order):
        s, e = start(c), end(c)
        i = bisect_left(starts, s)
        if i < len(starts) and starts[i] < e:  # a kept span starts inside [s, e)
            continue
        if i > 0 and ends[starts[i - 1]] > s:  # the kept span before reaches into [s, e)
            continue
        if i < len(starts) and starts[i] == s:
            continue
        insort(starts, s)
        ends[s] = e
        kept.append(c)
    return kept
