"""PDFs and the public register over real HTTP: the application form, the electronic
certificate and the register lookup.

``ereg api`` runs in a process of its own (on the embedded stack, no worker needed: the PDFs
and the lookup read the database only). The registry is arranged straight in the database:
active physicians, each with a photo in force, an application the institution confirmed (its
timeline says who and when) and a registration with a filing — ``registrations`` of them, so the
lookup searches a registry of that size.

- form: ``GET /applications/{no}/form.pdf`` by the applicant, a different application each time
  (a photo seen for the first time is scaled once);
- certificate: ``GET /me/registrations/{id}/certificate.pdf``, the first download of each
  (the certificate is signed and recorded, then drawn);
- lookup: ``POST /public/register`` (the name in the body) by name and certificate number, or
  name and institution.

PDFs: ``n`` from one client alone, then ``n`` from 8 clients in a closed loop. Lookups: ``n``
from one client, then ``4 n`` from 32 clients.
"""

import io
import random
from datetime import UTC, date, datetime, timedelta

import httpx
from PIL import Image
from sqlalchemy import insert, select

from bench.api_latency import _closed_loop
from bench.common import CpuMeter, summary_ms
from bench.people import active_physicians
from bench.stack import Stack
from infra import heap
from registry.db import session_scope
from registry.models import (
    Application,
    ApplicationEvent,
    Filing,
    Institution,
    PhysicianPhoto,
    Registration,
)
from registry.seed import INSTITUTIONS
from registry.tokens import issue_pair

TARGET_PDF_P95_MS = 200
TARGET_LOOKUP_P95_MS = 50


def _photo(seed: int) -> bytes:
    """A portrait JPEG as uploads are stored (re-encoded, no metadata), one colour per seed."""
    out = io.BytesIO()
    colour = (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256)
    Image.new("RGB", (600, 800), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


async def _arrange(database_url: str, count: int, registrations: int):
    """``registrations`` physicians with a registration (and a filing); the first ``count``
    also with a photo and a confirmed application. Returns (people, registration ids,
    application numbers)."""
    people = await active_physicians(database_url, registrations, salt=41)
    async with session_scope(database_url) as session:
        commission = {code: c for code, c in await session.execute(
            select(Institution.code, Institution.commission_code))}  # fmt: skip
        rows = []
        for i, p in enumerate(people):
            province = p.institution_code[1:3] + "0000"
            rows.append(
                {
                    "id_number": p.id_number,
                    "name": p.name,
                    "level": "physician",
                    "category": "clinical",
                    "scope": "内科",
                    "location_code": province,
                    "institution_code": p.institution_code,
                    "certificate_no": f"1143{2020 + i % 6}{i:07d}",
                    # Every tenth cancelled, beyond those whose certificates are downloaded.
                    "status": "cancelled" if i >= count and i % 10 == 0 else "active",
                    "registered_on": date(2020 + i % 6, 3, 1),
                    "ended_on": date(2026, 1, 5) if i >= count and i % 10 == 0 else None,
                }
            )
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Registration), rows[start : start + 2000])
        ids = dict((await session.execute(select(Registration.id_number, Registration.id))).all())
        other = {code: next(c for c, *_ in INSTITUTIONS if c != code and c[1:3] == code[1:3])
                 for code, *_ in INSTITUTIONS}  # fmt: skip
        await session.execute(
            insert(Filing),
            [
                {"registration_id": ids[p.id_number], "institution_code": other[p.institution_code],
                 "start_on": date(2025, 1, 1), "status": "active"}
                for p in people[:count]
            ],
        )  # fmt: skip
        now = datetime.now(UTC)
        numbers = []
        for i, p in enumerate(people[:count]):
            no = f"2026010{i:07d}"
            numbers.append(no)
            data = _photo(i)
            session.add(
                PhysicianPhoto(account_id=p.account_id, status="approved", media_type="image/jpeg",
                               width=600, height=800, sha256=f"{i:064d}", data=data,
                               approved_at=now)
            )  # fmt: skip
            session.add(
                Application(
                    application_no=no,
                    type="registration",
                    account_id=p.account_id,
                    filed_by=p.account_id,
                    institution_code=p.institution_code,
                    commission_code=commission[p.institution_code],
                    province_code=p.institution_code[1:3] + "0000",
                    details={
                        "fields": {"institution_code": p.institution_code,
                                   "category": "clinical", "scope": "内科"},
                        "subject": {"name": p.name, "id_number": p.id_number},
                        "level": "physician",
                        "location_code": p.institution_code[1:3] + "0000",
                    },
                    state="awaiting_documents",
                    step_deadline=now + timedelta(days=60),
                    created_at=now - timedelta(hours=2),
                )
            )  # fmt: skip
            for seq, (action, state, role) in enumerate(
                [("submitted", "awaiting_institution", "physician"),
                 ("institution_approved", "awaiting_documents", "institution_staff")], 1
            ):  # fmt: skip
                session.add(
                    ApplicationEvent(application_no=no, at=now - timedelta(hours=2 - seq),
                                     action=action, actor_role=role, actor_id=p.account_id,
                                     state=state, comment="信息属实",
                                     workflow_event=f"{no}:{seq}")
                )  # fmt: skip
    return people, ids, numbers


async def _tokens(settings, people) -> dict[int, str]:
    from registry.models import Account

    async with session_scope(settings.database_url) as session:
        accounts = await session.scalars(
            select(Account).where(Account.id.in_([p.account_id for p in people]))
        )
        return {a.id: (await issue_pair(session, settings, a))["access_token"] for a in accounts}


async def _measure(concurrency: int, jobs: list, target: float) -> dict:
    heap.settle()
    latencies, wall, failures = await _closed_loop(concurrency, jobs)
    summary = summary_ms(latencies)
    return {
        **summary,
        "concurrency": concurrency,
        "per_second": round(len(latencies) / wall, 1),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "ok": not failures and summary["p95_ms"] < target,
    }


async def run(n: int, registrations: int | None = None) -> dict:
    """``n`` of each PDF per level of concurrency; lookups among ``registrations``."""
    registrations = registrations or max(2_000, n * 40)
    stack = Stack("documents")
    try:
        await stack.start("api")
        settings = stack.settings
        count = 2 * n + 16  # PDFs: each measured request its own physician
        people, ids, numbers = await _arrange(settings.database_url, count, registrations)
        tokens = await _tokens(settings, people[:count])
        url = f"http://127.0.0.1:{settings.api_port}"
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        results: dict = {"n": n, "registrations": registrations}
        meter = CpuMeter(stack)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

            def auth(p):
                return {"Authorization": f"Bearer {tokens[p.account_id]}"}

            def form(i):
                p = people[i]
                return lambda: http.get(f"/api/v1/applications/{numbers[i]}/form.pdf",
                                        headers=auth(p))  # fmt: skip

            def certificate(i):
                p = people[i]
                return lambda: http.get(
                    f"/api/v1/me/registrations/{ids[p.id_number]}/certificate.pdf", headers=auth(p)
                )

            rng = random.Random(41)

            def lookup():
                i = rng.randrange(len(people))
                p = people[i]
                if i % 2:
                    params = {"name": p.name, "certificate_no": f"1143{2020 + i % 6}{i:07d}"}
                else:
                    params = {"name": p.name, "institution": p.institution_code}
                return lambda: http.post("/api/v1/public/register", json=params)

            warm = [form(i) for i in range(count - 16, count)]
            warm += [certificate(i) for i in range(count - 16, count)]
            await _closed_loop(4, warm + [lookup() for _ in range(32)])  # not counted
            for kind, job in (("form", form), ("certificate", certificate)):
                meter.start()
                one = await _measure(1, [job(i) for i in range(n)], TARGET_PDF_P95_MS)
                eight = await _measure(8, [job(i) for i in range(n, 2 * n)], TARGET_PDF_P95_MS)
                results[kind] = {"one_client": one, "eight_clients": eight,
                                 "cpu_seconds": meter.stop(), "target_p95_ms": TARGET_PDF_P95_MS,
                                 "ok": one["ok"]}  # fmt: skip
            meter.start()
            one = await _measure(1, [lookup() for _ in range(n)], TARGET_LOOKUP_P95_MS)
            many = await _measure(32, [lookup() for _ in range(4 * n)], TARGET_LOOKUP_P95_MS)
            results["lookup"] = {
                "one_client": one,
                "thirty_two_clients": many,
                "cpu_seconds": meter.stop(),
                "target_p95_ms": TARGET_LOOKUP_P95_MS,
                "ok": one["ok"],
            }
        stack.check_alive()
        results["ok"] = all(results[k]["ok"] for k in ("form", "certificate", "lookup"))
        return results
    finally:
        await stack.stop()
