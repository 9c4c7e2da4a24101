"""Activities of the activation workflow: matching, state records, codes and notices."""

from temporalio import activity

from activities.messaging import Deliverer, Mailer, SmsGateway
from registry import accounts, audit, batches
from registry.activation import (
    ActivationState,
    Channel,
    CodeDelivery,
    NoticeDelivery,
    QualificationMatch,
    StateChange,
)
from registry.codes import code_digest, make_code
from registry.db import session_scope
from registry.models import Account
from registry.notices import code_message, notice_message


class ActivationActivities:
    def __init__(self, database_url: str, code_secret: str, sms: SmsGateway, mail: Mailer) -> None:
        self._database_url = database_url
        self._code_secret = code_secret
        self._send = Deliverer(database_url, sms, mail, code_secret)

    async def _account(self, account_id: int) -> Account:
        async with session_scope(self._database_url) as session:
            account = await session.get(Account, account_id)
        if account is None:
            raise ValueError(f"account {account_id} does not exist")
        return account

    @activity.defn
    async def match_qualification(self, account_id: int) -> QualificationMatch:
        async with session_scope(self._database_url) as session:
            account = await session.get(Account, account_id)
            if account is None:
                raise ValueError(f"account {account_id} does not exist")
            return await accounts.match_identity(
                session, account.name or "", account.id_number or "", account.institution_code
            )

    @activity.defn
    async def record_state(self, change: StateChange) -> None:
        info = activity.info()
        async with session_scope(self._database_url) as session:
            await accounts.set_activation_state(
                session, change.account_id, change.state, change.institution_code
            )
            if change.state == ActivationState.active:  # what the institution filed for them
                await batches.link_to_account(session, change.account_id)
            await audit.record(
                session,
                f"activation_{change.state}",
                actor_id=None,
                actor_role="system",
                physician_id=change.account_id,
                institution_code=change.institution_code,
                dedupe_key=f"{info.workflow_run_id}:{info.activity_id}",
            )

    @activity.defn
    async def send_code(self, delivery: CodeDelivery) -> str:
        """Send a code derived from this activity's identity; a retry re-sends the same code."""
        info = activity.info()
        code = make_code(
            self._code_secret, f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
        )
        account = await self._account(delivery.account_id)
        subject, body = code_message(delivery.purpose, code)
        sms = (f"code.{delivery.purpose}", {"code": code})
        await self._deliver(account, delivery.channels, subject, body, sms)
        return code_digest(self._code_secret, delivery.account_id, delivery.purpose, code)

    @activity.defn
    async def notify(self, delivery: NoticeDelivery) -> None:
        account = await self._account(delivery.account_id)
        subject, body = notice_message(delivery.notice)
        sms = (f"activation.{delivery.notice}", {})
        await self._deliver(account, [Channel.sms, Channel.email], subject, body, sms)

    async def _deliver(
        self,
        account: Account,
        channels: list[Channel],
        subject: str,
        body: str,
        sms: tuple[str, dict[str, str]],
    ) -> None:
        """``sms``: the message's key and parameters for an SMS provider's template."""
        if Channel.sms in channels and account.phone:
            await self._send.sms(account.phone, body, *sms)
        if Channel.email in channels and account.email:
            await self._send.email(account.email, subject, body)
