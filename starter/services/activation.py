"""Starting and steering activation workflows; shared by the API and the CLI."""

from collections.abc import Iterable
from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from infra.temporal import activation_workflow_id, execute_update
from registry.activation import (
    MAX_WRONG_CODES,
    ActivationStart,
    ActivationState,
    ActivationStatus,
)
from registry.errors import DomainError
from registry.settings import Settings
from workflows import search_attributes as sa
from workflows.activation import ActivationWorkflow


async def start_activation(
    client: Client,
    settings: Settings,
    account_id: int,
    institution_code: str,
    province_code: str,
) -> None:
    try:
        await client.start_workflow(
            ActivationWorkflow.run,
            ActivationStart(account_id=account_id, institution_code=institution_code),
            id=activation_workflow_id(account_id),
            task_queue=settings.task_queue,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(
                        sa.ACTIVATION_STATE, ActivationState.awaiting_qualification.value
                    ),
                    SearchAttributePair(sa.INSTITUTION_CODE, institution_code),
                    SearchAttributePair(sa.PROVINCE_CODE, province_code),
                ]
            ),
            static_summary=f"账户激活 · Account activation #{account_id}",
        )
    except WorkflowAlreadyStartedError:
        raise DomainError("activation_in_progress") from None


def handle(client: Client, account_id: int) -> WorkflowHandle:
    return client.get_workflow_handle_for(
        ActivationWorkflow.run, activation_workflow_id(account_id)
    )


async def update(client: Client, account_id: int, method, argument):
    """Run an update on the account's activation (see ``infra.temporal.execute_update``)."""
    try:
        return await execute_update(handle(client, account_id), method, argument)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        # The activation is over (or never ran): say in which state it ended.
        ended = await status(client, account_id)
        if ended is None:
            raise DomainError("activation_not_found") from None
        raise DomainError("wrong_state", {"state": ended.state.value}) from None


async def status(client: Client, account_id: int) -> ActivationStatus | None:
    """The live status from the workflow; None when no activation ran for this account."""
    try:
        answer = await handle(client, account_id).query(ActivationWorkflow.status)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return as_of(answer, datetime.now(UTC))


def as_of(status: ActivationStatus, now: datetime) -> ActivationStatus:
    """A query answers as of the workflow's last step: codes may have expired and a lock ended
    since. Bring the answer to the caller's clock."""
    locked = status.locked_until is not None and status.locked_until > now
    return status.model_copy(
        update={
            "pending_codes": [code for code in status.pending_codes if code.expires_at > now],
            "locked_until": status.locked_until if locked else None,
            "attempts_left": status.attempts_left
            if locked or status.locked_until is None
            else MAX_WRONG_CODES,
        }
    )


async def signal_all(client: Client, account_ids: Iterable[int], signal, argument=None) -> int:
    """Signal each account's activation; closed or missing workflows are skipped."""
    sent = 0
    for account_id in account_ids:
        args = [] if argument is None else [argument]
        try:
            await handle(client, account_id).signal(signal, *args)
            sent += 1
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
    return sent
