"""The Temporal client every entry point uses, with the pydantic data converter."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from registry.settings import Settings


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )


def activation_workflow_id(account_id: int) -> str:
    return f"activation-{account_id}"
