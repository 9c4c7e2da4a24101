"""Access, refresh and codec tokens on the real database: a refresh token buys one new pair,
its reuse ends every session of the account, and each kind of token works only as itself."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import jwt
import pytest
from sqlalchemy import select

from registry import tokens
from registry.db import get_sessionmaker
from registry.errors import DomainError
from registry.models import Account, RefreshToken


async def _account(session, username: str = "staff_hunan") -> Account:
    return await session.scalar(select(Account).where(Account.username == username))


def _refused(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


async def _refused_async(awaitable) -> str:
    with pytest.raises(DomainError) as info:
        await awaitable
    return info.value.code


async def test_a_refresh_token_buys_one_pair_and_its_reuse_ends_every_session(settings):
    async with get_sessionmaker(settings.database_url)() as session:
        account = await _account(session)
        first = await tokens.issue_pair(session, settings, account)
        await session.commit()
        owner, second = await tokens.rotate(session, settings, first["refresh_token"])
        await session.commit()
        assert owner.id == account.id and second["refresh_token"] != first["refresh_token"]
        claims = tokens.decode(settings, second["access_token"], "access")
        assert (claims["sub"], claims["role"]) == (str(account.id), "institution_staff")
        tokens.check_not_revoked(claims, account)

        reused = tokens.rotate(session, settings, first["refresh_token"])
        assert await _refused_async(reused) == "token_invalid"
        # the thief's reuse ended the owner's new pair too: refresh and access alike
        assert (
            await _refused_async(tokens.rotate(session, settings, second["refresh_token"]))
            == "token_invalid"
        )
        fresh = await _account(session)
        await session.refresh(fresh)
        assert _refused(lambda: tokens.check_not_revoked(claims, fresh)) == "token_invalid"


async def test_each_kind_of_token_works_only_as_itself(settings):
    async with get_sessionmaker(settings.database_url)() as session:
        account = await _account(session, "operator")
        pair = await tokens.issue_pair(session, settings, account)
        await session.commit()
        codec = tokens.issue_codec_session(settings, account)
        claims = tokens.decode(settings, codec, "codec")
        assert (claims["sub"], claims["role"], claims["ver"]) == (
            str(account.id), "operator", account.token_version,
        )  # fmt: skip
        lasts = datetime.fromtimestamp(claims["exp"], UTC) - datetime.now(UTC)
        assert timedelta(hours=7, minutes=59) < lasts <= tokens.CODEC_SESSION
        assert _refused(lambda: tokens.decode(settings, codec, "access")) == "token_invalid"
        assert _refused(lambda: tokens.decode(settings, pair["access_token"], "refresh")) == (
            "token_invalid"
        )
        # an access token is no refresh token, even to rotate
        assert (
            await _refused_async(tokens.rotate(session, settings, pair["access_token"]))
            == "token_invalid"
        )


async def test_a_refresh_token_names_its_own_account(settings):
    """A token whose id was issued to another account (signed with a leaked secret, say) buys
    nothing."""
    async with get_sessionmaker(settings.database_url)() as session:
        staff, operator = await _account(session), await _account(session, "operator")
        pair = await tokens.issue_pair(session, settings, staff)
        await session.commit()
        jti = tokens.decode(settings, pair["refresh_token"], "refresh")["jti"]
        forged = tokens._encode(
            settings,
            {"sub": str(operator.id), "typ": "refresh", "jti": jti, "ver": 0,
             "exp": datetime.now(UTC) + timedelta(days=1)},
        )  # fmt: skip
        assert await _refused_async(tokens.rotate(session, settings, forged)) == "token_invalid"
        # and the genuine one still works: the forgery used nothing up
        owner, _ = await tokens.rotate(session, settings, pair["refresh_token"])
        assert owner.id == staff.id


async def test_revoking_counts_every_time_and_uses_up_every_refresh_token(settings):
    async with get_sessionmaker(settings.database_url)() as session:
        account = await _account(session)
        before = account.token_version
        for _ in range(2):
            await tokens.issue_pair(session, settings, account)
        await session.commit()
        old = {"ver": before}
        await tokens.revoke_all(session, account)
        await tokens.revoke_all(session, account)
        await session.commit()
        assert account.token_version == before + 2
        stored = await session.scalar(select(Account.token_version).where(Account.id == account.id))
        assert stored == before + 2
        assert _refused(lambda: tokens.check_not_revoked(old, account)) == "token_invalid"
        unused = await session.scalars(
            select(RefreshToken).where(
                RefreshToken.account_id == account.id, RefreshToken.used.is_(False)
            )
        )
        assert unused.all() == []


async def test_a_server_on_china_local_time_still_issues_a_working_day_codec_session(
    settings, china_local_time
):
    """Token times are UTC whatever the machine's zone: on local time an operator's codec
    session would start and end eight hours late."""
    async with get_sessionmaker(settings.database_url)() as session:
        account = await _account(session, "operator")
    claims = tokens.decode(settings, tokens.issue_codec_session(settings, account), "codec")
    lasts = datetime.fromtimestamp(claims["exp"], UTC) - datetime.now(UTC)
    assert timedelta(hours=7, minutes=59) < lasts <= tokens.CODEC_SESSION


async def test_a_signed_refresh_token_the_registry_no_longer_holds_is_refused(settings):
    """A refresh token whose row is gone (purged, or from another database with the same
    secret) is ``token_invalid``, never a server error."""
    async with get_sessionmaker(settings.database_url)() as session:
        account = await _account(session)
        pair = await tokens.issue_pair(session, settings, account)
        await session.commit()
        claims = tokens.decode(settings, pair["refresh_token"], "refresh")
        await session.delete(await session.get(RefreshToken, claims["jti"]))
        await session.commit()
        refused = tokens.rotate(session, settings, pair["refresh_token"])
        assert await _refused_async(refused) == "token_invalid"


def test_a_damaged_forged_or_expired_token_is_token_invalid(settings):
    account = SimpleNamespace(id=7, role="physician", token_version=0)
    good = tokens._encode(settings, tokens._claims(account, datetime.now(UTC)) | {"typ": "access"})
    expired = tokens._encode(
        settings,
        tokens._claims(account, datetime.now(UTC) - timedelta(hours=2))
        | {"typ": "access", "exp": datetime.now(UTC) - timedelta(hours=1)},
    )
    forged = jwt.encode({"sub": "7", "typ": "access"}, "not-our-secret-" * 4, algorithm="HS256")
    no_subject = tokens._encode(settings, {"typ": "access"})
    assert tokens.decode(settings, good, "access")["sub"] == "7"
    for token in (good[:-3], "not a token", expired, forged, no_subject):
        assert _refused(lambda t=token: tokens.decode(settings, t, "access")) == "token_invalid"


def test_a_token_counts_only_while_its_version_is_the_accounts():
    """``ver`` is the account's token version when the token was made; tokens made before
    versions existed carry none and count as version 0."""
    fresh, revoked = SimpleNamespace(token_version=0), SimpleNamespace(token_version=1)
    tokens.check_not_revoked({"sub": "7", "ver": 0}, fresh)
    tokens.check_not_revoked({"sub": "7"}, fresh)  # issued before versions: still good
    tokens.check_not_revoked({"sub": "7", "ver": 1}, revoked)
    for claims in ({"sub": "7", "ver": 0}, {"sub": "7"}):
        assert _refused(lambda c=claims: tokens.check_not_revoked(c, revoked)) == "token_invalid"
    assert _refused(lambda: tokens.check_not_revoked({"ver": 1}, fresh)) == "token_invalid"


async def test_a_pair_issued_on_china_local_time_lasts_as_configured(settings, china_local_time):
    async with get_sessionmaker(settings.database_url)() as session:
        account = await _account(session)
        pair = await tokens.issue_pair(session, settings, account)
        await session.commit()
        stored = await session.scalar(select(RefreshToken).order_by(RefreshToken.expires_at.desc()))
    claims = tokens.decode(settings, pair["access_token"], "access")
    assert pair["expires_in"] == settings.access_token_minutes * 60
    assert claims["exp"] - claims["iat"] == pair["expires_in"]
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 60  # issued now, in UTC
    refresh_days = datetime.fromtimestamp(
        tokens.decode(settings, pair["refresh_token"], "refresh")["exp"], UTC
    ) - datetime.now(UTC)
    assert timedelta(days=settings.refresh_token_days) - refresh_days < timedelta(minutes=1)
    assert stored.jti == tokens.decode(settings, pair["refresh_token"], "refresh")["jti"]
