"""Runs every ereg workflow and activity on one task queue."""

import asyncio
import logging
import signal

from temporalio.client import Client
from temporalio.worker import Worker

from activities.activation import ActivationActivities
from activities.applications import ApplicationActivities
from activities.messaging import mailer, sms_gateway
from registry.settings import Settings, get_settings
from starter.temporal import connect
from workflows.activation import ActivationWorkflow
from workflows.application import ApplicationWorkflow

WORKFLOWS = [ActivationWorkflow, ApplicationWorkflow]


def build_worker(client: Client, settings: Settings) -> Worker:
    sms, mail = sms_gateway(settings), mailer(settings)
    activation = ActivationActivities(settings.database_url, settings.code_secret, sms, mail)
    application = ApplicationActivities(settings.database_url, sms, mail)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            activation.match_qualification,
            activation.record_state,
            activation.send_code,
            activation.notify,
            application.record_transition,
            application.complete_application,
            application.review_deadline,
            application.notify_application,
        ],
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    worker = build_worker(await connect(settings), settings)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with worker:  # leaving the block shuts the worker down, letting activities finish
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
