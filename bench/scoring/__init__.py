"""The task registry: each task module defines a ``Task`` (scoring.task); one place lists them.

Third parties (and tests) add a task with ``register(MY_TASK)``; every command then
scores, summarises, compares, ranks and reports it.
"""

from __future__ import annotations

from bench.scoring.base import CountTable, Metric
from bench.scoring.task import Breakdown, Column, ReportSpec, Task

TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    if task.name in TASKS and TASKS[task.name] is not task:
        raise ValueError(f"a task named {task.name!r} is already registered")
    TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}; known: {', '.join(TASKS)}") from None


def task_order(names) -> list[str]:
    """Task names in registration order (entities, timex, stance, then any added)."""
    order = list(TASKS)
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def _builtin() -> None:
    from bench.scoring.entities import TASK as ENTITIES
    from bench.scoring.stance import TASK as STANCE
    from bench.scoring.timex import TASK as TIMEX

    for task in (ENTITIES, TIMEX, STANCE):
        register(task)


_builtin()

__all__ = ["TASKS", "Breakdown", "Column", "CountTable", "Metric", "ReportSpec", "Task", "get_task", "register",
           "task_order"]
