"""The portal's physician pages: server time (from the API's access log) with one client and
with 32 concurrent sessions, and the bytes a page transfers (HTML + CSS + JS, photos aside).

Each physician gets a portal session written straight into ``web_sessions`` (as a sign-in
would), so the figures are the pages' own, not argon2's.
"""

import asyncio
import re
import time

import httpx

from bench.api_latency import ACCESS_LOG
from bench.common import percentile
from bench.people import active_physicians
from bench.stack import Stack
from registry.db import session_scope
from registry.models import Account
from starter.web import session as web_session

PAGES = (
    "/me",
    "/me/activation",
    "/me/info",
    "/me/security",
    "/me/profile-change",
    "/me/photo",
    "/me/department",
    "/me/applications/new?type=registration",  # the access log has no query: the form only
)
TARGET_P95_MS = 50
TARGET_BYTES = 100 * 1024
ASSETS = re.compile(r'(?:src|href)="(/static/[^"]+)"')


async def _sessions(database_url: str, account_ids: list[int]) -> list[str]:
    tokens = []
    async with session_scope(database_url) as session:
        for account_id in account_ids:
            tokens.append(await web_session.start(session, await session.get(Account, account_id)))
    return tokens


def _server_ms(log_text: str, since: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {path.split("?")[0]: [] for path in PAGES}
    for method, path, status, ms in ACCESS_LOG.findall(log_text[since:]):
        if method == "GET" and status == "200" and path in found:
            found[path].append(float(ms))
    return found


def _summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
    }


async def run(n: int, concurrency: int = 32) -> dict:
    """``n`` single-client requests of each page, then every page from ``concurrency``
    sessions at once (``n`` rounds each)."""
    stack = Stack("pages")
    try:
        await stack.start("worker", "api")
        settings = stack.settings
        people = await active_physicians(settings.database_url, concurrency, salt=41)
        tokens = await _sessions(settings.database_url, [p.account_id for p in people])
        url = f"http://127.0.0.1:{settings.api_port}"
        log_path = stack.dir / "logs" / "api.log"
        clients = [
            httpx.AsyncClient(base_url=url, cookies={web_session.COOKIE: t}, timeout=60)
            for t in tokens
        ]
        results: dict = {"n": n, "concurrency": concurrency, "pages": {}}
        try:
            solo = clients[0]
            sizes: dict[str, int] = {}
            assets: dict[str, int] = {}
            for path in PAGES:  # warm up, and measure what a page transfers
                page = await solo.get(path)
                page.raise_for_status()
                for asset in ASSETS.findall(page.text):
                    if asset not in assets:
                        assets[asset] = len((await solo.get(asset)).content)
                linked = sum(assets[a] for a in set(ASSETS.findall(page.text)))
                sizes[path] = len(page.content) + linked
            since = log_path.stat().st_size
            for path in PAGES:
                for _ in range(n):
                    (await solo.get(path)).raise_for_status()
            await asyncio.sleep(0.5)  # the log is written by another process
            single = _server_ms(log_path.read_text(), since)

            since = log_path.stat().st_size
            started = time.perf_counter()

            async def browse(client):
                for _ in range(n):
                    for path in PAGES:
                        (await client.get(path)).raise_for_status()

            await asyncio.gather(*(browse(c) for c in clients))
            elapsed = time.perf_counter() - started
            await asyncio.sleep(0.5)
            loaded = _server_ms(log_path.read_text(), since)
        finally:
            for client in clients:
                await client.aclose()
        for path in PAGES:
            key = path.split("?")[0]
            one, many = _summary(single[key]), _summary(loaded[key])
            results["pages"][path] = {
                "single": one,
                "concurrent": many,
                "bytes": sizes[path],
                "ok": one["p95_ms"] < TARGET_P95_MS and sizes[path] < TARGET_BYTES,
            }
        # The run's verdict (`bench` lists a result without "ok" as missed): every page met.
        results["ok"] = all(page["ok"] for page in results["pages"].values())
        results["pages_per_second"] = round(n * len(PAGES) * concurrency / elapsed, 1)
        results["assets_bytes"] = assets
        return results
    finally:
        await stack.stop()
