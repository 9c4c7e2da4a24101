"""Qualification imports: load the file, then wake the activations that were waiting for it."""

import logging
from collections.abc import Callable
from pathlib import Path

from temporalio.client import Client

from infra.temporal import connect
from registry.accounts import accounts_matching_qualifications
from registry.db import get_sessionmaker
from registry.qualifications import ImportReport, import_rows, read_rows
from registry.settings import Settings
from starter.services.activation import signal_all
from workflows.activation import ActivationWorkflow

log = logging.getLogger("ereg.import")


async def import_qualification_file(
    path: Path,
    settings: Settings,
    progress: Callable[[int], None] = lambda _: None,
    client: Client | None = None,
) -> tuple[ImportReport, int]:
    """Import the CSV; returns the report and how many waiting activations were signalled.

    If Temporal is unreachable the import still stands: waiting activations re-check daily.
    """
    report = ImportReport()
    async with get_sessionmaker(settings.database_url)() as session:
        await import_rows(session, read_rows(path, report), report, progress)
        waiting = await accounts_matching_qualifications(session)
    if not waiting:
        return report, 0
    try:
        client = client or await connect(settings)
    except RuntimeError:
        log.warning(
            "Temporal unreachable: %d waiting activations will re-check daily", len(waiting)
        )
        return report, 0
    return report, await signal_all(client, waiting, ActivationWorkflow.qualification_imported)
