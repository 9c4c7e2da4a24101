"""Scale: many open applications waiting on their timers, one worker process.

``n`` registrations are filed with ``starter.services.applications.submit`` (the row, the
workflow start) and left awaiting their institution: each workflow has recorded its submission,
sent its notices and sleeps on its 23-day reminder timer. Then the worker process's RSS
(``/proc``; its peak, VmHWM, covers the filing burst) and an operator's query by state and
institution: the count and the first page through the client (what the UI calls) and
``temporal workflow list --query`` as an operator types it.
"""

import asyncio
import statistics
import subprocess
import time

from sqlalchemy import func, select

from bench.common import bounded
from bench.people import active_physicians
from bench.stack import Stack, cpu_seconds, rss_mb
from infra.temporal import connect
from registry.application_types import ApplicationType, RegistrationFields
from registry.db import get_sessionmaker, session_scope
from registry.models import Account, ApplicationEvent
from registry.seed import INSTITUTIONS
from starter.dev import temporal_cli
from starter.services.applications import submit

TARGET_RSS_MB = 600
CHUNK = 250
TARGET_QUERY_S = 1.0


async def _file(stack: Stack, client, person) -> None:
    settings = stack.settings
    async with get_sessionmaker(settings.database_url)() as session:
        filer = await session.get(Account, person.account_id)
        await submit(
            session,
            client,
            settings,
            filer,
            ApplicationType.registration,
            RegistrationFields(
                institution_code=person.institution_code, category="clinical", scope="内科"
            ),
        )


async def _recorded(database_url: str) -> int:
    async with session_scope(database_url) as session:
        return await session.scalar(
            select(func.count()).where(ApplicationEvent.action == "submitted")
        )


async def _settled(stack: Stack, n: int, timeout: float) -> float:
    """Wait until every submission is recorded and the worker is idle; seconds waited."""
    started = time.monotonic()
    worker = stack.procs["worker"].pid
    while await _recorded(stack.settings.database_url) < n:
        if time.monotonic() - started > timeout:
            raise RuntimeError("the worker did not catch up")
        stack.check_alive()
        await asyncio.sleep(1)
    while True:  # notices still going out: wait for a quiet worker (< 5 % of a core)
        before = cpu_seconds(worker)
        await asyncio.sleep(2)
        if cpu_seconds(worker) - before < 0.1:
            return time.monotonic() - started


def _timings(samples: list[float]) -> dict:
    return {
        "median_s": round(statistics.median(samples), 3),
        "max_s": round(max(samples), 3),
        "runs": len(samples),
    }


async def _queries(stack: Stack, client, repeats: int = 5) -> dict:
    count_s, page_s, cli_s, matches = [], [], [], {}
    address = stack.settings.temporal_address
    for _ in range(repeats):
        for code, *_ in INSTITUTIONS:
            query = f"ApplicationState='awaiting_institution' AND InstitutionCode='{code}'"
            started = time.perf_counter()
            matches[code] = (await client.count_workflows(query)).count
            count_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            page = [wf async for wf in client.list_workflows(query, page_size=100, limit=100)]
            page_s.append(time.perf_counter() - started)
            assert len(page) == min(100, matches[code])
            started = time.perf_counter()
            subprocess.run(
                [temporal_cli(), "workflow", "list", "--address", address,
                 "--query", query, "--limit", "100", "-o", "json"],
                check=True, capture_output=True,
            )  # fmt: skip
            cli_s.append(time.perf_counter() - started)
    # Everything awaiting one institution, every page: an export, not the operator's screen.
    code = INSTITUTIONS[0][0]
    query = f"ApplicationState='awaiting_institution' AND InstitutionCode='{code}'"
    started = time.perf_counter()
    listed = [wf async for wf in client.list_workflows(query, page_size=1000)]
    full_s = time.perf_counter() - started
    return {
        "matches_per_institution": matches,
        "count": _timings(count_s),
        "first_page_100": _timings(page_s),
        "cli_list_limit_100": _timings(cli_s),
        "list_all_one_institution": {"rows": len(listed), "seconds": round(full_s, 3)},
    }


async def run(n: int, concurrency: int = 32) -> dict:
    stack = Stack("scale")
    try:
        await stack.start("worker")
        people = await active_physicians(stack.settings.database_url, n, salt=37)
        client = await connect(stack.settings)
        worker = stack.procs["worker"].pid
        # The worker's baseline: connected, polling, its first workflows and activities run.
        warm, rest = people[:16], people[16:]
        await bounded(concurrency, [lambda p=p: _file(stack, client, p) for p in warm])
        await _settled(stack, len(warm), timeout=120)
        rss_start, _ = rss_mb(worker)
        started = time.perf_counter()
        for chunk in range(0, len(rest), CHUNK):
            # Filed as fast as the worker records and notifies them, never more than CHUNK
            # ahead: a burst of thousands would be more workflows in flight than the worker
            # caches, and every step of an evicted one is a replay of its history.
            await bounded(
                concurrency,
                [lambda p=p: _file(stack, client, p) for p in rest[chunk : chunk + CHUNK]],
            )
            filed = len(warm) + min(len(rest), chunk + CHUNK)
            while await _recorded(stack.settings.database_url) < filed - CHUNK:
                stack.check_alive()
                await asyncio.sleep(0.2)
        filed_s = time.perf_counter() - started
        settle_s = await _settled(stack, n, timeout=max(600, n))
        rss_now, rss_peak = rss_mb(worker)
        temporal_rss, _ = rss_mb(stack.procs["temporal"].pid)
        open_count = (await client.count_workflows("ApplicationState='awaiting_institution'")).count
        queries = await _queries(stack, client)
        rss_after_queries, _ = rss_mb(worker)
        worst_query = max(
            queries["count"]["max_s"],
            queries["first_page_100"]["max_s"],
            queries["cli_list_limit_100"]["max_s"],
        )
        return {
            "n": n,
            "open_workflows": open_count,
            "filing": {
                "seconds": round(filed_s, 1),
                "filed_per_second": round(len(rest) / filed_s, 1),
                "settled_after_s": round(settle_s, 1),
                "recorded_and_notified_per_second": round(len(rest) / (filed_s + settle_s), 1),
            },
            "worker_rss_mb": {
                "start": round(rss_start, 1),
                "settled": round(rss_now, 1),
                "peak": round(rss_peak, 1),
                "after_queries": round(rss_after_queries, 1),
            },
            "temporal_server_rss_mb": round(temporal_rss, 1),
            "max_cached_workflows": stack.settings.worker_max_cached_workflows,
            "queries": queries,
            "target_rss_mb": TARGET_RSS_MB,
            "target_query_s": TARGET_QUERY_S,
            "ok": rss_peak < TARGET_RSS_MB and worst_query < TARGET_QUERY_S,
        }
    finally:
        await stack.stop()
