"""Holding up under abuse (issue #19), as figures: the API's ``/healthz`` while photos decode,
and a password-reset request's time for a username that exists and one that does not.

The API runs as ``ereg api`` in a process of its own (with the dev server; no worker: an upload
only starts its review workflow). ``uploads`` photos of 3000×4000 pixels (a large JPEG of about
1.5 MB, a second of one core to check and re-encode) are sent by four clients at once, each by
its own physician, while a prober asks ``/healthz`` every 20 ms. Decoding runs in a bounded
pool of threads (``registry.cpu``), so the event loop keeps answering; before, Pillow ran inside
the async handler and ``/healthz`` waited seconds behind it. The reset requests alternate known
and unknown usernames, one at a time: both start the same workflow, so their times should not
tell them apart (compare the medians).
"""

import asyncio
import io
import time

import httpx
from PIL import Image

from bench.common import summary_ms
from bench.documents import _arrange, _tokens
from bench.stack import Stack

UPLOADERS = 4
PROBE_EVERY_S = 0.02


def big_photo(seed: int) -> bytes:
    """A 3000×4000 portrait JPEG with detail everywhere (so its decoding costs what a camera's
    does), under the 2 MB limit."""
    small = Image.effect_noise((300, 400), 40 + seed % 20).convert("RGB")
    picture = small.resize((3000, 4000), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=70)
    return out.getvalue()


async def _probe(http: httpx.AsyncClient, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        response = await http.get("/healthz")
        response.raise_for_status()
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(PROBE_EVERY_S)
    return latencies


async def _uploads(http, jobs: list) -> tuple[list[float], list]:
    latencies, failures = [], []

    async def uploader() -> None:
        while jobs:
            headers, data = jobs.pop()
            started = time.perf_counter()
            response = await http.put(
                "/api/v1/me/photo", headers=headers, files={"photo": ("me.jpg", data, "image/jpeg")}
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 202:
                failures.append((response.status_code, response.text[:200]))

    await asyncio.gather(*(uploader() for _ in range(UPLOADERS)))
    return latencies, failures


async def _healthz_during_uploads(http, people, tokens, uploads: int) -> dict:
    (await http.get("/healthz")).raise_for_status()  # the connection, opened before measuring
    idle_stop = asyncio.Event()
    idle = asyncio.create_task(_probe(http, idle_stop))
    await asyncio.sleep(2.0)
    idle_stop.set()
    photo = big_photo(0)
    jobs = [({"Authorization": f"Bearer {tokens[p.account_id]}"}, photo) for p in people[:uploads]]
    stop = asyncio.Event()
    probe = asyncio.create_task(_probe(http, stop))
    started = time.perf_counter()
    upload_latencies, failures = await _uploads(http, jobs)
    wall = time.perf_counter() - started
    stop.set()
    return {
        "photo_bytes": len(photo),
        "photo_pixels": "3000x4000",
        "uploaders": UPLOADERS,
        "uploads": summary_ms(upload_latencies) | {"per_second": round(uploads / wall, 2)},
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "healthz_idle": summary_ms(await idle),
        "healthz_during_uploads": summary_ms(await probe),
    }


async def _reset_timing(http, people, rounds: int) -> dict:
    known, unknown = [], []
    for i in range(rounds):
        for username, into in ((people[i % len(people)].username, known), (f"nobody{i}x", unknown)):
            started = time.perf_counter()
            response = await http.post(
                "/api/v1/password-reset/request", json={"username": username, "channel": "sms"}
            )
            into.append(time.perf_counter() - started)
            response.raise_for_status()
    k, u = summary_ms(known), summary_ms(unknown)
    return {"known": k, "unknown": u, "median_gap_ms": round(k["p50_ms"] - u["p50_ms"], 1)}


async def run(uploads: int) -> dict:
    stack = Stack("abuse")
    try:
        await stack.start("api")
        settings = stack.settings
        people, _, _ = await _arrange(settings.database_url, uploads, uploads)
        tokens = await _tokens(settings, people[:uploads])
        url = f"http://127.0.0.1:{settings.api_port}"
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            photos = await _healthz_during_uploads(http, people, tokens, uploads)
            reset = await _reset_timing(http, people, max(20, uploads * 2))
        # Figures, not targets: "ok" says only that every request was answered as it should.
        return {"photos": photos, "reset_request": reset, "ok": photos["failures"] == 0}
    finally:
        await stack.stop()
