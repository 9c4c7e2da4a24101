"""Deployment settings: how the client reaches a cluster or Temporal Cloud, how the worker is
sized, and JSON logs that keep personal data out — all without a server."""

import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

import worker as worker_module
from infra.logs import JsonFormatter
from infra.temporal import connection_options
from tests.conftest import make_settings


def settings(tmp_path: Path, **overrides):
    return make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'ereg.db'}", **overrides)


def test_dev_server_is_plain_grpc_on_the_configured_namespace(tmp_path):
    options = connection_options(
        settings(tmp_path, temporal_address="temporal:7233", temporal_namespace="ereg")
    )
    assert options == {"target_host": "temporal:7233", "namespace": "ereg", "tls": False}


def test_mutual_tls_reads_the_certificate_key_and_ca_files(tmp_path):
    for name in ("client.pem", "client.key", "ca.pem"):
        (tmp_path / name).write_bytes(f"-----{name}-----".encode())
    options = connection_options(
        settings(
            tmp_path,
            temporal_tls_cert=tmp_path / "client.pem",
            temporal_tls_key=tmp_path / "client.key",
            temporal_tls_ca=tmp_path / "ca.pem",
            temporal_tls_server_name="frontend.temporal.internal",
        )
    )
    assert options["tls"] == TLSConfig(
        client_cert=b"-----client.pem-----",
        client_private_key=b"-----client.key-----",
        server_root_ca_cert=b"-----ca.pem-----",
        domain="frontend.temporal.internal",
    )
    assert "api_key" not in options


def test_temporal_cloud_mtls_needs_no_ca(tmp_path):
    (tmp_path / "c.pem").write_bytes(b"cert")
    (tmp_path / "c.key").write_bytes(b"key")
    options = connection_options(
        settings(
            tmp_path,
            temporal_address="ereg.a1b2c.tmprl.cloud:7233",
            temporal_namespace="ereg.a1b2c",
            temporal_tls_cert=tmp_path / "c.pem",
            temporal_tls_key=tmp_path / "c.key",
        )
    )
    tls = options["tls"]
    assert isinstance(tls, TLSConfig)
    assert (tls.client_cert, tls.client_private_key) == (b"cert", b"key")
    assert tls.server_root_ca_cert is None and tls.domain is None


def test_an_api_key_is_only_sent_over_tls(tmp_path):
    options = connection_options(
        settings(
            tmp_path,
            temporal_address="ap-northeast-1.aws.api.temporal.io:7233",
            temporal_namespace="ereg.a1b2c",
            temporal_api_key="secret-key",
        )
    )
    assert options["api_key"] == "secret-key"
    assert options["tls"] is True


def test_plain_tls_with_the_system_roots(tmp_path):
    assert connection_options(settings(tmp_path, temporal_tls=True))["tls"] is True


def test_a_certificate_without_its_key_is_refused(tmp_path):
    (tmp_path / "c.pem").write_bytes(b"cert")
    with pytest.raises(ValueError, match="EREG_TEMPORAL_TLS_KEY"):
        connection_options(settings(tmp_path, temporal_tls_cert=tmp_path / "c.pem"))


def test_the_metrics_runtime_is_passed_to_the_client(tmp_path):
    runtime = object()
    assert connection_options(settings(tmp_path), runtime)["runtime"] is runtime
    assert "runtime" not in connection_options(settings(tmp_path))


def test_worker_sizing_and_graceful_shutdown_come_from_settings(tmp_path, monkeypatch):
    built = {}
    monkeypatch.setattr(worker_module, "Worker", lambda client, **options: built.update(options))
    worker_module.build_worker(
        object(),
        settings(
            tmp_path,
            worker_max_concurrent_activities=7,
            worker_max_concurrent_workflow_tasks=5,
            worker_max_cached_workflows=50,
            worker_graceful_shutdown_seconds=45,
        ),
    )
    assert built["max_concurrent_activities"] == 7
    assert built["max_concurrent_workflow_tasks"] == 5
    assert built["max_cached_workflows"] == 50
    assert built["graceful_shutdown_timeout"] == timedelta(seconds=45)
    assert built["task_queue"] == "ereg-test"


def test_no_metrics_runtime_unless_an_address_is_set(tmp_path):
    assert worker_module.metrics_runtime(settings(tmp_path)) is None


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("ereg.api", logging.ERROR, __file__, 1, message, args, exc_info)


def test_json_log_is_one_object_per_line():
    line = JsonFormatter().format(record("%s %s %d", "GET", "/api/v1/me", 200))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /api/v1/me 200"
    assert (entry["level"], entry["logger"]) == ("ERROR", "ereg.api")
    assert entry["time"].endswith("+00:00")


def test_json_log_keeps_exception_types_and_stack_but_not_their_messages():
    try:
        try:
            raise KeyError("张伟 430581199001011234")
        except KeyError as inner:
            raise RuntimeError("INSERT failed for 13900001111") from inner
    except RuntimeError as outer:
        line = JsonFormatter().format(record("unhandled", exc_info=(type(outer), outer, None)))
    entry = json.loads(line)
    assert entry["exception"] == "builtins.RuntimeError <- builtins.KeyError"
    assert "test_json_log_keeps_exception_types" in entry["stack"]
    for personal in ("张伟", "430581199001011234", "13900001111"):
        assert personal not in line
