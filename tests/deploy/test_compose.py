"""docker-compose.yml without Docker: valid Compose, in a startable order, consistent with the code.

No Docker engine runs where the tests run, so what `docker compose up` would trip over is checked
here: the file against the Compose Specification's JSON schema (``compose-spec.json`` beside
this test: the copy vendored by check-jsonschema 0.39.0, Apache-2.0, ``LICENSE.compose-spec``),
dependencies that exist and can start, every ``EREG_*`` variable a real setting, the services
docs/operations.md names present, and the admin-tools job registering every custom search
attribute — its script is run against a Temporal dev server with the ``temporal`` CLI.
"""

import asyncio
import json
import os
import re
import tomllib
import uuid
from pathlib import Path

import jsonschema
import yaml
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from registry.certificates import load_keys
from registry.settings import Settings
from starter.dev import temporal_cli
from workflows import search_attributes

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict] = COMPOSE["services"]
ONE_SHOT = {"temporal-schema", "temporal-admin-tools", "migrate", "seed"}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def environment(service: str) -> dict[str, str]:
    """A service's environment as a mapping, whichever of the two Compose forms it uses."""
    env = SERVICES[service].get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def shell_script(service: str) -> str:
    """The ``sh -c`` script of a job as the shell receives it (Compose turns ``$$`` into ``$``)."""
    assert SERVICES[service]["entrypoint"] == ["/bin/sh", "-c"]
    [script] = SERVICES[service]["command"]
    assert not re.search(r"(?<!\$)\$(?!\$)", script.replace("$$", "")), "unescaped $ in script"
    return script.replace("$$", "$")


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = sorted(validator(schema).iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_every_dependency_exists_and_waits_for_the_right_condition():
    for name, service in SERVICES.items():
        for target, needs in service.get("depends_on", {}).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            if target in ONE_SHOT:
                expected = "service_completed_successfully"
            elif "healthcheck" in SERVICES[target]:
                expected = "service_healthy"
            else:
                expected = "service_started"
            assert needs["condition"] == expected, f"{name} -> {target}"


def test_services_start_in_an_order_that_ends_with_api_and_worker():
    started: list[str] = []
    waiting = dict(SERVICES)
    while waiting:
        ready = [n for n, s in waiting.items() if set(s.get("depends_on", {})) <= set(started)]
        assert ready, f"dependency cycle among {sorted(waiting)}"
        for name in ready:
            started.append(name)
            del waiting[name]
    assert started.index("temporal-schema") < started.index("temporal")
    for part in ("api", "worker"):
        for before in ("migrate", "temporal-admin-tools"):
            assert started.index(before) < started.index(part), f"{part} before {before}"


def test_long_running_services_have_healthchecks_and_jobs_do_not_restart_forever():
    for name, service in SERVICES.items():
        if name in ONE_SHOT:
            assert service["restart"] in ("no", "on-failure:5"), name
        elif name != "temporal-ui":
            assert "healthcheck" in service, f"{name} has no healthcheck"


def test_every_ereg_variable_is_a_setting():
    names = {key for service in SERVICES for key in environment(service) if key.startswith("EREG")}
    names |= {m[1] for m in INTERPOLATION.finditer(COMPOSE_TEXT) if m[1].startswith("EREG_")}
    assert {"EREG_DATABASE_URL", "EREG_TEMPORAL_ADDRESS", "EREG_DEV_MODE"} <= names
    unknown = {n for n in names if n.removeprefix("EREG_").lower() not in Settings.model_fields}
    assert not unknown, f"not settings: {sorted(unknown)}"


def test_ereg_environment_is_valid_settings_for_production(monkeypatch, tmp_path):
    secrets = {
        "POSTGRES_PASSWORD": "pw",
        "EREG_JWT_SECRET": "j" * 64,
        "EREG_CODE_SECRET": "c" * 64,
        "EREG_PAYLOAD_KEYS": '{"active": "k1", "keys": {"k1": "' + "A" * 43 + '="}}',
        "EREG_CERTIFICATE_SIGNING_KEY": '{"active": "c1", "keys": {"c1": "' + "B" * 43 + '="}}',
    }

    def interpolate(value: str) -> str:
        return INTERPOLATION.sub(lambda m: secrets.get(m.group(1), m.group(3) or ""), value)

    for service in ("api", "worker", "migrate"):
        for key in [k for k in os.environ if k.startswith("EREG_")]:
            monkeypatch.delenv(key)
        for key, value in environment(service).items():
            monkeypatch.setenv(key, interpolate(value))
        monkeypatch.setenv("EREG_DATA_DIR", str(tmp_path))
        settings = Settings(_env_file=None)
        assert not settings.dev_mode and settings.log_format == "json"
        assert settings.database_url == "postgresql+asyncpg://ereg:pw@postgresql:5432/ereg"
        assert settings.jwt_secret == "j" * 64 and settings.payload_keys
        if service == "api":  # only the API signs certificates
            keys = load_keys(settings.certificate_signing_key, None)
            assert keys.active == "c1"
        else:
            assert not settings.certificate_signing_key
        assert bool(settings.worker_metrics_address) == (service == "worker")
        # Unless ereg.env names a relay and an SMS provider: Mailpit, and SMS only recorded.
        assert (settings.smtp_host, settings.smtp_security) == ("mailpit", "none")
        assert settings.sms_gateway == "dev" and settings.sms_templates == {}


def test_clients_and_admin_tools_agree_on_the_cluster_and_namespace():
    ereg, admin, ui = (
        environment("api"),
        environment("temporal-admin-tools"),
        environment("temporal-ui"),
    )
    assert environment("worker")["EREG_TEMPORAL_NAMESPACE"] == ereg["EREG_TEMPORAL_NAMESPACE"]
    assert admin["TEMPORAL_NAMESPACE"] == ereg["EREG_TEMPORAL_NAMESPACE"]
    assert ui["TEMPORAL_DEFAULT_NAMESPACE"] == ereg["EREG_TEMPORAL_NAMESPACE"]
    assert admin["TEMPORAL_ADDRESS"] == ereg["EREG_TEMPORAL_ADDRESS"] == ui["TEMPORAL_ADDRESS"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == "http://localhost:8000/codec"
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"  # the operator's sign-in cookie
    assert "127.0.0.1:8000:8000" in SERVICES["api"]["ports"]
    assert json.loads(ereg["EREG_CORS_ORIGINS"]) == ["http://localhost:8080"]


def expected_search_attributes() -> dict[str, str]:
    """``{name: type}`` as the CLI spells types, from workflows/search_attributes.ALL."""
    pairs = search_attributes.dev_server_args()[1::2]
    return dict(pair.split("=") for pair in pairs)


def test_admin_tools_registers_every_custom_search_attribute_with_its_type():
    script = shell_script("temporal-admin-tools")
    registered = dict(re.findall(r"--name (\w+) --type (\w+)", script))
    assert registered == expected_search_attributes()
    assert set(registered) == {key.name for key in search_attributes.ALL}


def test_search_attributes_fit_the_limits_of_postgresql_visibility():
    # SQL visibility has a fixed number of columns per type for each namespace.
    limits = {"Keyword": 10, "Datetime": 3, "Bool": 3, "Int": 3, "Double": 3, "Text": 3}
    kinds = list(expected_search_attributes().values())
    assert all(kinds.count(kind) <= limit for kind, limit in limits.items())
    assert set(kinds) <= set(limits)


async def test_admin_tools_script_sets_up_a_namespace_on_a_real_server_and_is_idempotent():
    namespace = f"ereg-compose-{uuid.uuid4().hex[:8]}"
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(), dev_server_log_level="error"
    ) as env:
        env_vars = {
            **os.environ,
            **environment("temporal-admin-tools"),
            "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": namespace,
            "PATH": f"{Path(temporal_cli()).parent}{os.pathsep}{os.environ['PATH']}",
        }
        for _ in range(2):  # a second `docker compose up` runs the job again
            process = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                shell_script("temporal-admin-tools"),
                env=env_vars,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            output, _ = await asyncio.wait_for(process.communicate(), 120)
            assert process.returncode == 0, output.decode()
        listed = await env.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
    custom = {name: IndexedValueType.Name(kind) for name, kind in listed.custom_attributes.items()}
    assert custom == {
        key.name: f"INDEXED_VALUE_TYPE_{key.indexed_value_type.name}"
        for key in search_attributes.ALL
    }


def readme_deployment_services() -> set[str]:
    """The first column of the table of services (``| service | ...``) in docs/operations.md,
    section Deployment."""
    readme = (ROOT / "docs" / "operations.md").read_text()
    section = readme.split("\n## Deployment\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("\n| service |", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\| `([\w-]+)` \|", table, flags=re.MULTILINE))


def test_readme_names_every_service_and_only_those():
    named = readme_deployment_services()
    assert {"api", "worker", "temporal", "postgresql"} <= named
    assert named == set(SERVICES)


def test_image_installs_every_package_of_the_source_tree():
    """The image installs ereg from its wheel: a package missing from pyproject.toml would be
    absent there although the editable install of a dev machine finds it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    present = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for root in ("registry", "workflows", "activities", "starter", "infra")
        for path in (ROOT / root).rglob("*.py")
    }
    assert present <= listed, f"missing from pyproject.toml: {sorted(present - listed)}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--)(.+) \S+$", dockerfile, flags=re.MULTILINE):
        for part in source.split():
            assert (ROOT / part).exists(), f"Dockerfile copies missing {part}"
    assert re.search(r'^ENTRYPOINT \["ereg"\]$', dockerfile, flags=re.MULTILINE)
    assert pyproject["project"]["scripts"]["ereg"] == "starter.cli:app"


def test_build_context_leaves_out_secrets_and_local_state():
    # .dockerignore starts from nothing (*) and lets in only what the Dockerfile copies.
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*"
    allowed = {rule.lstrip("!").rstrip("/") for rule in rules if rule.startswith("!")}
    assert not allowed & {".env", "ereg.env", ".data", ".venv", "tests", ".git"}
