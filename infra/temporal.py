"""The Temporal client every entry point uses: pydantic payloads, encrypted."""

from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from infra.codec import Keyring, data_converter, load_keyring
from registry.errors import CATALOG, DomainError
from registry.settings import Settings


def keyring(settings: Settings) -> Keyring:
    return load_keyring(settings.payload_keys, settings.payload_key_file)


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """The client of every process; the worker passes the runtime that exports its metrics."""
    return await Client.connect(
        **connection_options(settings, runtime),
        data_converter=data_converter(keyring(settings)),
    )


def connection_options(settings: Settings, runtime: Runtime | None = None) -> dict[str, Any]:
    """Where the cluster is and how to authenticate, as ``Client.connect`` keyword arguments.

    The dev server speaks plain gRPC; a self-hosted cluster usually wants mutual TLS (client
    certificate and key, often a private CA and a server name other than the address); Temporal
    Cloud takes mutual TLS or an API key, and an API key is never sent without TLS.
    """
    options: dict[str, Any] = {
        "target_host": settings.temporal_address,
        "namespace": settings.temporal_namespace,
        "tls": tls_config(settings),
    }
    if settings.temporal_api_key:
        options["api_key"] = settings.temporal_api_key
        options["tls"] = options["tls"] or True
    if runtime is not None:
        options["runtime"] = runtime
    return options


def tls_config(settings: Settings) -> TLSConfig | bool:
    """``True`` for TLS with the system's CAs, a ``TLSConfig`` when any TLS file or name is set."""
    cert, key = settings.temporal_tls_cert, settings.temporal_tls_key
    if (cert is None) != (key is None):
        raise ValueError("set both EREG_TEMPORAL_TLS_CERT and EREG_TEMPORAL_TLS_KEY, or neither")
    if cert is None and settings.temporal_tls_ca is None and not settings.temporal_tls_server_name:
        return settings.temporal_tls
    return TLSConfig(
        client_cert=_read(cert),
        client_private_key=_read(key),
        server_root_ca_cert=_read(settings.temporal_tls_ca),
        domain=settings.temporal_tls_server_name or None,
    )


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None else None


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
