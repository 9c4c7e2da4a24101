"""API latency over real HTTP: sign-up, filing a registration, an institution's decision.

The API runs as ``ereg api`` (uvicorn) in a process of its own, beside the worker, the SMTP
sink and the dev server; this process is the load generator: ``concurrency`` clients, each
sending its next request when the previous one is answered. Latency is measured at the client;
the API's own access log gives the time spent inside the server, for comparison.

- signup: new identities whose qualification is already imported (so each starts an activation
  that the worker runs meanwhile);
- submit: ``POST /applications`` (registration) by active physicians;
- decision: ``institution-decision`` (approve) by the institution's staff on those applications,
  once every submission is recorded; it returns after the workflow update has taken the step.

A closed loop runs the service flat out: every client always has a request waiting, so latency
is queueing, about ``concurrency`` ÷ throughput (Little's law). How fast a request is answered
at a given load is the open-loop sweep's figure: requests arrive at random (Poisson) at a set
rate — a fraction of the closed loop's throughput — served by the same ``concurrency``
clients, and latency counts from the arrival, so waiting for a free client counts too.
"""

import asyncio
import random
import re
import time
from datetime import date

import httpx
from sqlalchemy import func, insert, select

from bench.common import CpuMeter, desks, summary_ms
from bench.people import PASSWORD, active_physicians, id_number, name
from bench.stack import Stack, cpu_seconds
from infra import heap
from registry.db import session_scope
from registry.models import Account, ApplicationEvent, Qualification
from registry.seed import DEMO_PASSWORD, INSTITUTIONS
from registry.tokens import issue_pair

TARGET_P99_MS = {"signup": 150, "submit": 150, "decision": 300}
LOAD_FRACTIONS = (0.25, 0.5, 0.75)  # of the closed loop's throughput, in the open-loop sweep
ACCESS_LOG = re.compile(r"ereg\.api (POST|GET) (\S+) (\d{3}) ([\d.]+)ms")


async def _closed_loop(concurrency: int, requests: list) -> tuple[list[float], float, list]:
    """Send ``requests`` (coroutine functions returning a response) from ``concurrency`` clients;
    (latencies in seconds, wall seconds, failures)."""
    queue = list(reversed(requests))
    latencies: list[float] = []
    failures: list = []

    async def client() -> None:
        while queue:
            send = queue.pop()
            started = time.perf_counter()
            response = await send()
            latencies.append(time.perf_counter() - started)
            if response.status_code >= 300:
                failures.append((response.status_code, response.text[:200]))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, failures


async def _open_loop(
    concurrency: int, rate: float, requests: list, rng: random.Random
) -> tuple[list[float], list]:
    """Requests arriving at ``rate`` a second (Poisson), sent by at most ``concurrency`` clients
    at a time; (latencies from arrival in seconds, failures)."""
    clients = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures: list = []

    async def one(send, arrival: float) -> None:
        async with clients:
            response = await send()
        latencies.append(time.perf_counter() - arrival)
        if response.status_code >= 300:
            failures.append((response.status_code, response.text[:200]))

    arrival = time.perf_counter()
    sent = []
    for send in requests:
        arrival += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, arrival - time.perf_counter()))
        sent.append(asyncio.create_task(one(send, arrival)))
    await asyncio.gather(*sent)
    return latencies, failures


async def _identities_with_qualifications(database_url: str, count: int) -> list[dict]:
    rng = random.Random(23)
    people, quals = [], []
    for i in range(count):
        number, who = id_number(i, salt=23), name(rng)
        institution = INSTITUTIONS[i % len(INSTITUTIONS)][0]
        people.append(
            {
                "username": f"s23x{i}",
                "password": PASSWORD,
                "name": who,
                "id_number": number,
                "phone": f"138{rng.randrange(10**8):08d}",
                "email": f"s23x{i}@example.com",
                "institution_code": institution,
            }
        )
        quals.append(
            {
                "certificate_no": f"S023{i:012d}",
                "name": who,
                "id_number": number,
                "level": "physician",
                "category": "clinical",
                "issued_on": date(2020, 1, 1),
            }
        )
    async with session_scope(database_url) as session:
        await session.execute(insert(Qualification), quals)
    return people


async def _access_tokens(settings, account_ids: list[int]) -> dict[int, str]:
    async with session_scope(settings.database_url) as session:
        accounts = await session.scalars(select(Account).where(Account.id.in_(account_ids)))
        return {a.id: (await issue_pair(session, settings, a))["access_token"] for a in accounts}


async def _wait_recorded(database_url: str, numbers: list[str], timeout: float = 300) -> None:
    """Until every application's submission is in its timeline (the worker has caught up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session_scope(database_url) as session:
            done = await session.scalar(
                select(func.count()).where(
                    ApplicationEvent.application_no.in_(numbers),
                    ApplicationEvent.action == "submitted",
                )
            )
        if done >= len(numbers):
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"only {done} of {len(numbers)} submissions recorded")


async def _quiet(stack: Stack, limit: float = 60) -> None:
    """Until the worker has been idle for a second (the burst's activities are done)."""
    worker = stack.procs["worker"].pid
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_seconds(worker)
        await asyncio.sleep(1)
        if cpu_seconds(worker) - before < 0.05:
            return


def _server_side(log_text: str, since: int) -> dict[str, list[float]]:
    """Durations (s) of the API's access log lines after offset ``since``, by endpoint."""
    found: dict[str, list[float]] = {"signup": [], "submit": [], "decision": []}
    for method, path, status, ms in ACCESS_LOG.findall(log_text[since:]):
        if method != "POST" or not status.startswith("2"):
            continue
        if path == "/api/v1/signup":
            found["signup"].append(float(ms) / 1000)
        elif path == "/api/v1/applications":
            found["submit"].append(float(ms) / 1000)
        elif path.endswith("/institution-decision"):
            found["decision"].append(float(ms) / 1000)
    return found


async def run(n: int, concurrency: int = 32, warmup: int = 32, solo: int = 30) -> dict:
    """``n`` requests of each kind from ``concurrency`` clients in a closed loop, ``solo`` from
    one client alone (the time a request takes without queueing behind others), then ``n // 2``
    at each load of the open-loop sweep."""
    stack = Stack("api")
    try:
        await stack.start("worker", "api")
        settings = stack.settings
        url = f"http://127.0.0.1:{settings.api_port}"
        swept = n // 2
        total = warmup + n + solo + swept * len(LOAD_FRACTIONS)
        signups = await _identities_with_qualifications(settings.database_url, total)
        physicians = await active_physicians(settings.database_url, total, salt=29)
        tokens = await _access_tokens(settings, [p.account_id for p in physicians])
        log_path = stack.dir / "logs" / "api.log"
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        results: dict = {"n": n, "concurrency": concurrency}
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
            staff = {}
            for code, username in (await desks(settings.database_url)).staff_username.items():
                response = await http.post(
                    "/api/v1/token", data={"username": username, "password": DEMO_PASSWORD}
                )
                response.raise_for_status()
                staff[code] = {"Authorization": f"Bearer {response.json()['access_token']}"}

            def signup(who):
                return lambda: http.post("/api/v1/signup", json=who)

            def submit(person):
                return lambda: http.post(
                    "/api/v1/applications",
                    headers={"Authorization": f"Bearer {tokens[person.account_id]}"},
                    json={
                        "type": "registration",
                        "institution_code": person.institution_code,
                        "category": "clinical",
                        "scope": "内科",
                    },
                )

            def decide(no, code):
                return lambda: http.post(
                    f"/api/v1/applications/{no}/institution-decision",
                    headers=staff[code],
                    json={"decision": "approve", "comment": "信息属实"},
                )

            numbers: list[tuple[str, str]] = []

            async def measured(kind: str, jobs: list, settle=None) -> None:
                warm, timed = jobs[:warmup], jobs[warmup : warmup + n]
                alone = jobs[warmup + n : warmup + n + solo]
                await _closed_loop(concurrency, warm)  # not counted
                if settle:
                    await settle()
                offset = log_path.stat().st_size
                heap.settle()  # this process's own collections are no part of what is measured
                meter = CpuMeter(stack)
                meter.start()
                latencies, wall, failures = await _closed_loop(concurrency, timed)
                cpu = meter.stop()
                await asyncio.sleep(0.5)  # the access log is written after the response
                server = _server_side(log_path.read_text(errors="replace"), offset)[kind]
                await _quiet(stack)
                solo_latencies, _, solo_failures = await _closed_loop(1, alone)
                throughput = len(latencies) / wall
                sweep = await _sweep(kind, throughput, jobs[warmup + n + solo :])
                results[kind] = {
                    **summary_ms(latencies),
                    "per_second": round(throughput, 1),
                    "failures": len(failures),
                    "first_failure": failures[0] if failures else None,
                    "server_side": summary_ms(server),
                    "one_client": {**summary_ms(solo_latencies), "failures": len(solo_failures)},
                    "open_loop": sweep,
                    "per_second_at_target": max(
                        (level["per_second"] for level in sweep if level["ok"]), default=0
                    ),
                    "cpu_seconds": cpu,
                    "target_p99_ms": TARGET_P99_MS[kind],
                    "ok": not failures and summary_ms(latencies)["p99_ms"] < TARGET_P99_MS[kind],
                }
                stack.check_alive()

            async def _sweep(kind: str, throughput: float, jobs: list) -> list[dict]:
                levels = []
                rng = random.Random(kind)
                for i, fraction in enumerate(LOAD_FRACTIONS):
                    await _quiet(stack)
                    rate = throughput * fraction
                    chunk = jobs[i * swept : (i + 1) * swept]
                    latencies, failures = await _open_loop(concurrency, rate, chunk, rng)
                    summary = summary_ms(latencies)
                    levels.append(
                        {
                            "fraction": fraction,
                            "per_second": round(rate, 1),
                            **summary,
                            "failures": len(failures),
                            "ok": not failures and summary["p99_ms"] < TARGET_P99_MS[kind],
                        }
                    )
                return levels

            await measured("signup", [signup(w) for w in signups])

            async def submit_and_keep(person):
                response = await submit(person)()
                if response.status_code == 201:
                    numbers.append((response.json()["application_no"], person.institution_code))
                return response

            await measured("submit", [lambda p=p: submit_and_keep(p) for p in physicians])

            async def settle():
                # Decisions on applications whose submission is recorded: the worker has caught
                # up with the filing burst, so the decisions are measured on their own.
                await _wait_recorded(settings.database_url, [no for no, _ in numbers])

            await measured("decision", [decide(no, code) for no, code in numbers], settle)
        results["ok"] = all(results[k]["ok"] for k in TARGET_P99_MS)
        return results
    finally:
        await stack.stop()
