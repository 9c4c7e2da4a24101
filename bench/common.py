"""What the benchmarks share: percentiles, CPU accounting of the stack's processes, the desks."""

import asyncio
import math
import os
import time
from dataclasses import dataclass

from sqlalchemy import select

from bench.stack import Stack, cpu_seconds
from registry.application_types import Actor
from registry.db import session_scope
from registry.models import Account, Institution
from registry.seed import STAFF
from starter.services.applications import actor_of


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else math.nan,
    }


class CpuMeter:
    """CPU seconds each process of the stack (and this driver) used between start and stop."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self._start: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        used = {"driver": cpu_seconds(os.getpid())}
        for name, proc in self._stack.procs.items():
            if proc.alive():
                used[name] = cpu_seconds(proc.pid)
        return used

    def start(self) -> None:
        self._start = self._now()

    def stop(self) -> dict[str, float]:
        end = self._now()
        return {k: round(end[k] - self._start.get(k, 0.0), 2) for k in end}


@dataclass
class Desks:
    """The demo staff and officers as actors, per institution code."""

    staff: dict[str, Actor]
    officer: dict[str, Actor]
    staff_username: dict[str, str]
    officer_username: dict[str, str]


async def desks(database_url: str) -> Desks:
    async with session_scope(database_url) as session:
        accounts = {
            a.username: a
            for a in await session.scalars(
                select(Account).where(Account.username.in_([u for u, *_ in STAFF]))
            )
        }
        institutions = list(await session.scalars(select(Institution)))
    staff, officer, staff_u, officer_u = {}, {}, {}, {}
    for institution in institutions:
        for account in accounts.values():
            if account.institution_code == institution.code:
                staff[institution.code] = actor_of(account)
                staff_u[institution.code] = account.username
            if account.commission_code == institution.commission_code:
                officer[institution.code] = actor_of(account)
                officer_u[institution.code] = account.username
    return Desks(staff, officer, staff_u, officer_u)


async def bounded(concurrency: int, jobs) -> list:
    """Run the coroutine functions ``jobs`` with at most ``concurrency`` in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job):
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


def timed(coro_fn):
    """A job that returns (seconds, result)."""

    async def run():
        started = time.perf_counter()
        result = await coro_fn()
        return time.perf_counter() - started, result

    return run
