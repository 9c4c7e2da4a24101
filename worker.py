"""Runs every ereg workflow and activity on one task queue."""

import asyncio
import signal
from datetime import timedelta

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.activation import ActivationActivities
from activities.applications import ApplicationActivities
from activities.batch import BatchActivities
from activities.messaging import mailer, sms_gateway
from activities.profile import ProfileActivities
from infra import logs
from infra.temporal import connect
from registry.settings import Settings, get_settings
from workflows.activation import ActivationWorkflow
from workflows.application import ApplicationWorkflow
from workflows.batch import BatchWorkflow
from workflows.contact_message import ContactMessageWorkflow
from workflows.profile_review import ProfileReviewWorkflow

WORKFLOWS = [
    ActivationWorkflow,
    ApplicationWorkflow,
    ProfileReviewWorkflow,
    ContactMessageWorkflow,
    BatchWorkflow,
]


def build_worker(client: Client, settings: Settings) -> Worker:
    sms, mail = sms_gateway(settings), mailer(settings)
    activation = ActivationActivities(settings.database_url, settings.code_secret, sms, mail)
    application = ApplicationActivities(settings.database_url, sms, mail, settings.code_secret)
    profile = ProfileActivities(settings.database_url, settings.code_secret, sms, mail)
    batch = BatchActivities(settings.database_url)
    return Worker(
        client,
        task_queue=settings.task_queue,
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        max_cached_workflows=settings.worker_max_cached_workflows,
        graceful_shutdown_timeout=timedelta(seconds=settings.worker_graceful_shutdown_seconds),
        workflows=WORKFLOWS,
        activities=[
            activation.match_qualification,
            activation.record_state,
            activation.send_code,
            activation.notify,
            application.record_transition,
            application.complete_application,
            application.review_deadline,
            application.record_claim,
            application.notify_application,
            profile.record_review,
            profile.apply_review,
            profile.keep_newest_photo,
            profile.notify_review,
            profile.deliver_contact_message,
            batch.file_rows,
            batch.finish_batch,
            profile.issue_reset_code,
        ],
    )


def metrics_runtime(settings: Settings) -> Runtime | None:
    """A runtime serving the SDK's metrics (task latencies, slots, polls) to Prometheus, if set.

    The runtime belongs to the client: the worker's metrics are those of the client it polls with.
    """
    if not settings.worker_metrics_address:
        return None
    prometheus = PrometheusConfig(bind_address=settings.worker_metrics_address)
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


async def main() -> None:
    settings = get_settings()
    logs.configure(settings.log_format)
    worker = build_worker(await connect(settings, metrics_runtime(settings)), settings)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    # Leaving the block stops polling and gives running activities the graceful shutdown
    # timeout to finish; any still running is cancelled and retried after its own timeout.
    async with worker:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
