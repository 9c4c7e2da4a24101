"""The Temporal client every entry point uses, with the pydantic data converter."""

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError

from registry.errors import CATALOG, DomainError
from registry.settings import Settings


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )


def activation_workflow_id(account_id: int) -> str:
    return f"activation-{account_id}"


def application_workflow_id(application_no: str) -> str:
    return f"application-{application_no}"


async def execute_update(handle: WorkflowHandle, method, argument):
    """Run an update; a refusal by the workflow's validator becomes a ``DomainError``.

    An update on a closed workflow raises ``RPCError`` (NOT_FOUND) for the caller to explain.
    """
    try:
        return await handle.execute_update(method, argument)
    except WorkflowUpdateFailedError as failed:
        cause = failed.cause
        if isinstance(cause, ApplicationError) and cause.type in CATALOG:
            params = cause.details[0] if cause.details else {}
            raise DomainError(cause.type, dict(params)) from None
        raise
