"""The ``ereg`` command line."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra import heap
from registry.settings import get_settings

app = typer.Typer(
    help="ereg — 医师电子化注册系统 / physician electronic registration", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()


@app.command()
def dev() -> None:
    """Run everything on this machine: Temporal dev server, SMTP sink, worker and API."""
    from starter import dev as supervisor

    supervisor.run(get_settings())


@app.command()
def worker() -> None:
    """Run the Temporal worker (every workflow and activity)."""
    import worker as worker_module

    heap.settle()
    asyncio.run(worker_module.main())


@app.command()
def api() -> None:
    """Serve the HTTP API."""
    import uvicorn

    from infra import logs
    from starter.api.main import create_app

    settings = get_settings()
    logs.configure(settings.log_format)
    application = create_app(settings)
    heap.settle()
    uvicorn.Server(server_config(application, settings)).run()


def server_config(application, settings):
    """How uvicorn serves the API (``ereg api``, so ``ereg dev`` and the image too).

    uvicorn's access log prints query strings, which may hold phones or emails: ours does not.
    No log_config: uvicorn's loggers then go through the root handler set up by the caller.
    ``X-Forwarded-For`` is believed only from ``EREG_TRUSTED_PROXIES``: uvicorn's default trusts
    127.0.0.1, which is every local client, so anyone could name an address of their choice and
    start a fresh sign-up or login budget."""
    import uvicorn

    proxies = settings.trusted_proxies
    return uvicorn.Config(
        application,
        host=settings.api_host,
        port=settings.api_port,
        access_log=False,
        log_config=None,
        log_level="info",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or [],
    )


@app.command("mail-sink")
def mail_sink() -> None:
    """Run the local SMTP sink that keeps every message (dev)."""
    try:
        from starter import mailsink
    except ImportError:  # aiosmtpd: the dev extra, which the production image leaves out
        raise SystemExit("the SMTP sink is a dev tool: pip install 'ereg[dev]'") from None

    settings = get_settings()
    heap.settle()
    asyncio.run(mailsink.main(settings.database_url, settings.smtp_host, settings.smtp_port))


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations up to REVISION (idempotent)."""
    from registry.migrations import upgrade

    upgrade(get_settings().database_url, revision)
    console.print("database is at", revision)


@app.command()
def seed() -> None:
    """Load the demo data set (idempotent)."""
    from registry.db import session_scope
    from registry.seed import seed as load

    async def _run() -> None:
        async with session_scope(get_settings().database_url) as session:
            await load(session)

    asyncio.run(_run())
    console.print("demo data loaded")


@app.command()
def demo(
    api_url: Annotated[str, typer.Option(help="base URL of the running API")] = "",
) -> None:
    """Walk through an activation against the running stack, printing each step."""
    import httpx

    from starter import demo as story

    settings = get_settings()
    url = api_url or f"http://{settings.api_host}:{settings.api_port}"
    try:
        asyncio.run(story.run(url, settings))
    except httpx.TransportError:
        console.print(
            f"[red]no ereg API answers at {url}: start the stack first (make run), or pass "
            "--api-url. / 无法连接 API，请先运行 make run。[/]"
        )
        raise typer.Exit(1) from None
    except httpx.HTTPStatusError as refused:
        console.print(f"[red]the API refused a step: {refused.response.text}[/]")
        raise typer.Exit(1) from None
    except story.DemoStalled as stalled:
        console.print(f"[red]{stalled}[/]")
        raise typer.Exit(1) from None


@app.command("create-user")
def create_user(
    role: Annotated[str, typer.Option(help="institution_staff | commission_officer | operator")],
    username: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    institution: Annotated[str | None, typer.Option(help="institution code (staff)")] = None,
    commission: Annotated[str | None, typer.Option(help="commission code (officers)")] = None,
) -> None:
    """Create a staff, officer or operator login."""
    from registry.db import session_scope
    from registry.errors import DomainError
    from registry.staff import create_staff

    async def _run() -> int:
        async with session_scope(get_settings().database_url) as session:
            return await create_staff(session, role, username, password, institution, commission)

    try:
        account_id = asyncio.run(_run())
    except DomainError as error:
        console.print(f"[red]{error.code}[/]: {error.message('en')}")
        raise typer.Exit(1) from None
    console.print(f"created {role} {username} (account {account_id})")


@app.command("import-qualifications")
def import_qualifications(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import qualification records from a CSV file.

    Columns: name,id_number,certificate_no,level,category,issued_on.
    Bad rows are reported with their line numbers; good rows are kept. Running it again adds
    nothing twice. Physicians waiting for these records are told at once.
    """
    from starter.services.imports import import_qualification_file

    report, signalled = _import(
        lambda progress: import_qualification_file(file, get_settings(), progress)
    )
    _summarize(report, f"; {signalled} waiting physicians notified")


@app.command("import-legacy-sites")
def import_legacy_sites(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import legacy multi-site records (多地点执业) from a CSV file.

    Columns: name,id_number,institution_code,registered_on. Physicians can then list and cancel
    them; none can be added online. Running it again adds nothing twice.
    """
    from registry.db import session_scope
    from registry.legacy import import_file

    async def run(progress):
        async with session_scope(get_settings().database_url) as session:
            return await import_file(session, file, progress)

    _summarize(_import(run), "")


def _import(run):
    """Run an import under a progress bar; a file that cannot be read exits with status 1."""
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("rows", total=None)
        try:
            return asyncio.run(run(lambda n: bar.advance(task, n)))
        except ValueError as error:
            console.print(f"[red]{error}[/]")
            raise typer.Exit(1) from None


def _summarize(report, extra: str) -> None:
    """Bad rows with their line numbers, then the counts; exit status 2 if any row was bad."""
    for line, reason in report.bad[:50]:
        console.print(f"[yellow]line {line}[/]: {reason}")
    if len(report.bad) > 50:
        console.print(f"… and {len(report.bad) - 50} more bad rows")
    console.print(
        f"{report.rows} rows: {report.inserted} imported, {report.already_present} already "
        f"present, {len(report.bad)} bad{extra}"
    )
    if report.bad:
        raise typer.Exit(2)


if __name__ == "__main__":
    app()
