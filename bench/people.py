"""Valid identities in bulk, and active physicians made straight in the database.

ID numbers are built, not drawn: a county prefix, a birth date and a serial make each one
distinct, and ``registry.identifiers.id_check_character`` completes it.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select

from registry.db import session_scope
from registry.identifiers import id_check_character
from registry.models import Account, Qualification
from registry.passwords import hash_password
from registry.seed import INSTITUTIONS

COUNTIES = ("430102", "430581", "330102", "330523", "110101", "440305", "510104", "650102")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志红文斌海燕鹏宇浩然"
INSTITUTION_CODES = tuple(code for code, *_ in INSTITUTIONS)
PASSWORD = "Bench-2026"


def id_number(i: int, *, salt: int = 0) -> str:
    """The i-th of a family of valid, distinct resident ID numbers (``salt`` picks the family)."""
    county = COUNTIES[(i + salt) % len(COUNTIES)]
    born = date(1960, 1, 1) + timedelta(days=(i // 1000 + salt * 7919) % 14_000)
    first17 = f"{county}{born:%Y%m%d}{i % 1000:03d}"
    return first17 + id_check_character(first17)


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


@dataclass
class Person:
    account_id: int
    username: str
    name: str
    id_number: str
    institution_code: str


async def active_physicians(database_url: str, count: int, *, salt: int) -> list[Person]:
    """``count`` active physicians, each with a clinical physician qualification and no
    registration, spread over the four demo institutions."""
    rng = random.Random(salt)
    password_hash = hash_password(PASSWORD)
    rows, quals = [], []
    for i in range(count):
        number = id_number(i, salt=salt)
        who = name(rng)
        institution = INSTITUTION_CODES[i % len(INSTITUTION_CODES)]
        rows.append(
            {
                "username": f"b{salt}x{i}",
                "password_hash": password_hash,
                "role": "physician",
                "name": who,
                "id_number": number,
                "phone": f"139{rng.randrange(10**8):08d}",
                "email": f"b{salt}x{i}@example.com",
                "institution_code": institution,
                "activation_state": "active",
            }
        )
        quals.append(
            {
                "certificate_no": f"B{salt:03d}{i:012d}",
                "name": who,
                "id_number": number,
                "level": "physician",
                "category": "clinical",
                "issued_on": date(2020, 1, 1),
            }
        )
    async with session_scope(database_url) as session:
        for start in range(0, count, 2000):
            await session.execute(insert(Account), rows[start : start + 2000])
            await session.execute(insert(Qualification), quals[start : start + 2000])
    async with session_scope(database_url) as session:
        ids = dict(
            (
                await session.execute(
                    select(Account.username, Account.id).where(Account.username.like(f"b{salt}x%"))
                )
            ).all()
        )
    return [
        Person(ids[r["username"]], r["username"], r["name"], r["id_number"], r["institution_code"])
        for r in rows
    ]
