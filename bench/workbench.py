"""The institution's workbench under load, on the embedded stack (dev server, worker, API).

1. The inbox of an institution with 10,000 waiting items (activations, applications to confirm,
   personal-information and photo reviews, written straight into their tables: the inbox reads
   only those rows), first page with one client: server time from the API's access log and
   the time the client waited. Target p95 < 100 ms.
2. A decision round trip from the page at 8 concurrent clerks: POST the approval (the workflow
   update, validator and all) and GET the page it redirects to, showing the new state. The
   applications are filed through the API, so each has its running workflow. Target p95 < 300 ms.

Clerks get portal sessions written straight into ``web_sessions`` (as a sign-in would), so the
figures are the pages' own, not argon2's.
"""

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import insert, select

from bench.api_latency import ACCESS_LOG, _access_tokens, _wait_recorded
from bench.common import percentile
from bench.people import active_physicians
from bench.stack import Stack
from registry.db import session_scope
from registry.models import Account, Application, ProfileReview
from starter.web import session as web_session

HUNAN = "H4301020001"
STAFF = "staff_hunan"
TARGET_INBOX_P95_MS = 100
TARGET_DECISION_P95_MS = 300
CLERKS = 8
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(max(values), 1) if values else 0,
    }


async def _fill_inbox(database_url: str, items: int) -> None:
    """``items`` waiting on HUNAN: 40 % activations, 40 % applications, 20 % reviews, with
    deadlines from 10 days past to 40 days ahead."""
    now = datetime.now(UTC)
    async with session_scope(database_url) as session:
        people = [
            {"username": f"wb{i}", "password_hash": "x", "role": "physician",
             "name": f"工作台{i}", "institution_code": HUNAN,
             "activation_state": "awaiting_institution" if i % 5 < 2 else "active",
             "created_at": now - timedelta(days=i % 40)}
            for i in range(items)
        ]  # fmt: skip
        await session.execute(insert(Account), people)
        ids = list(
            await session.scalars(
                select(Account.id).where(Account.username.like("wb%")).order_by(Account.id)
            )
        )
        apps, reviews = [], []
        for i, account_id in enumerate(ids):
            deadline = now + timedelta(hours=(i * 7) % (50 * 24) - 10 * 24)
            if i % 5 in (2, 3):
                apps.append(
                    {"application_no": f"29990101{i:06d}", "type": "registration",
                     "account_id": account_id, "filed_by": account_id, "institution_code": HUNAN,
                     "commission_code": "430000", "province_code": "430000",
                     "state": "awaiting_institution", "step_deadline": deadline,
                     "details": {}, "created_at": now - timedelta(days=i % 30)}
                )  # fmt: skip
            elif i % 5 == 4:
                reviews.append(
                    {"account_id": account_id, "kind": "photo" if i % 2 else "personal_info",
                     "institution_code": HUNAN, "state": "awaiting_institution",
                     "deadline": deadline, "changes": {}}
                )  # fmt: skip
        await session.execute(insert(Application), apps)
        await session.execute(insert(ProfileReview), reviews)
        await session.commit()


async def _clerks(database_url: str, count: int) -> list[str]:
    async with session_scope(database_url) as session:
        staff = await session.scalar(select(Account).where(Account.username == STAFF))
        tokens = [await web_session.start(session, staff) for _ in range(count)]
        await session.commit()
    return tokens


async def _file(url: str, settings, count: int) -> list[str]:
    """``count`` registrations at HUNAN through the API, each with its workflow."""
    people = await active_physicians(settings.database_url, count * 4, salt=57)
    mine = [p for p in people if p.institution_code == HUNAN][:count]
    tokens = await _access_tokens(settings, [p.account_id for p in mine])
    numbers = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as api:
        for person in mine:
            response = await api.post(
                "/api/v1/applications",
                json={"type": "registration", "institution_code": HUNAN,
                      "category": "clinical", "scope": "内科"},
                headers={"Authorization": f"Bearer {tokens[person.account_id]}"},
            )  # fmt: skip
            response.raise_for_status()
            numbers.append(response.json()["application_no"])
    await _wait_recorded(settings.database_url, numbers)
    return numbers


def _server_ms(log_text: str, since: int, path: str) -> list[float]:
    return [
        float(ms)
        for method, logged, status, ms in ACCESS_LOG.findall(log_text[since:])
        if method == "GET" and status == "200" and logged == path
    ]


async def run(
    n: int, items: int = 10_000, per_clerk: int | None = None, clerks: int = CLERKS
) -> dict:
    stack = Stack("workbench")
    try:
        await stack.start("worker", "api")
        settings = stack.settings
        url = f"http://127.0.0.1:{settings.api_port}"
        await _fill_inbox(settings.database_url, items)
        per_clerk = per_clerk or max(4, n // 4)
        numbers = await _file(url, settings, clerks * per_clerk)
        tokens = await _clerks(settings.database_url, clerks)
        clients = [
            httpx.AsyncClient(
                base_url=url, cookies={web_session.COOKIE: t}, headers={"Origin": url},
                timeout=60,
            )
            for t in tokens
        ]  # fmt: skip
        log_path = stack.dir / "logs" / "api.log"
        try:
            solo = clients[0]
            first = await solo.get("/institution")
            first.raise_for_status()
            total = int(re.search(r"共 (\d+) 项", first.text).group(1))
            for _ in range(5):  # warm up
                await solo.get("/institution")
            since = log_path.stat().st_size
            waited = []
            for _ in range(n):
                started = time.perf_counter()
                (await solo.get("/institution")).raise_for_status()
                waited.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.5)  # the log is written by another process
            server = _server_ms(log_path.read_text(), since, "/institution")

            round_trips: list[float] = []
            posts: list[float] = []
            refused: list[str] = []

            async def clerk(client, mine: list[str]) -> None:
                for no in mine:
                    page = await client.get(f"/institution/applications/{no}")
                    page.raise_for_status()
                    token = TOKEN.search(page.text).group(1)
                    started = time.perf_counter()
                    done = await client.post(
                        f"/institution/applications/{no}",
                        data={"decision": "approve", "csrf_token": token},
                    )
                    if done.status_code != 303:
                        refused.append(f"{no}: {done.status_code}")
                        continue
                    posts.append((time.perf_counter() - started) * 1000)
                    after = await client.get(done.headers["location"])
                    round_trips.append((time.perf_counter() - started) * 1000)
                    if "待现场提交纸质材料" not in after.text:
                        refused.append(f"{no}: state not shown")

            started = time.perf_counter()
            await asyncio.gather(*(clerk(c, numbers[i::clerks]) for i, c in enumerate(clients)))
            elapsed = time.perf_counter() - started
        finally:
            for client in clients:
                await client.aclose()
        inbox_server, inbox_client = _summary(server), _summary(waited)
        decisions = _summary(round_trips)
        return {
            "items": total,
            "inbox_first_page": {
                "server": inbox_server,
                "client": inbox_client,
                "target_p95_ms": TARGET_INBOX_P95_MS,
                "ok": inbox_client["p95_ms"] < TARGET_INBOX_P95_MS,
            },
            "decision_round_trip": {
                **decisions,
                "post_only": _summary(posts),
                "clerks": clerks,
                "per_second": round(len(round_trips) / elapsed, 1),
                "failures": refused[:10],
                "target_p95_ms": TARGET_DECISION_P95_MS,
                "ok": decisions["p95_ms"] < TARGET_DECISION_P95_MS and not refused,
            },
        }
    finally:
        await stack.stop()


if __name__ == "__main__":
    import json
    import sys

    args = [int(a) for a in sys.argv[1:]] or [40]
    print(
        json.dumps(asyncio.run(run(args[0], clerks=args[1] if len(args) > 1 else CLERKS)), indent=2)
    )
