"""A shop that has been used starts again: every start waits for PostgreSQL and Redis to be
ready, not merely listening — Redis loading a large data set, PostgreSQL replaying its
write-ahead log after a crash — says what it waits for, and succeeds.

Each test runs its own Redis and PostgreSQL in a temporary folder on free ports (never the
shared ones), as `./shop run` (private servers), a configured REDIS_URL / DATABASE_URL
(servers started by someone else) and the test session would meet them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import BusyLoadingError, RedisError
from redis.retry import Retry

from devstack import readiness
from devstack.cli import check_database, check_redis
from devstack.errors import SetupError
from devstack.services import PostgresCluster, RedisServer, port_is_open
from tests.fixtures.mail import free_port

pytestmark = pytest.mark.slow

# About 350 MB in memory: Redis takes several seconds to load it here.
REDIS_KEYS = 1_000_000
REDIS_VALUE_BYTES = 200
POSTGRES_ROWS = 100_000  # about 100 MB of table and write-ahead log


@pytest.fixture(autouse=True)
def _every_wait_speaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Waits shorter than a second are silent, and a quiet machine loads or recovers that
    fast: here every wait speaks from its first look, so what a test asserts is that the
    start waited, not how fast this machine is."""
    monkeypatch.setattr(readiness, "QUIET_SECONDS", 0.0)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    # Under /tmp, not pytest's tmp_path: the `postgres` user must be able to enter it.
    root = Path(tempfile.mkdtemp(prefix="kestrel-readiness-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _until(probe: object, *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not probe():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {within:.0f} s")
        time.sleep(0.05)


# ---------------------------------------------------------------- Redis


def _redis_process(folder: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """A Redis on `folder`'s data, started as someone else than devstack would."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed"
    return subprocess.Popen(
        [
            binary,
            *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)),
            *("--appendonly", "yes", "--save", "", "--logfile", str(folder / "redis.log")),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def redis_data(workdir: Path) -> Path:
    """A Redis data folder (append-only, as the private Redis keeps it) holding a few
    hundred MB."""
    folder = workdir / "redis"
    folder.mkdir()
    port = free_port()
    process = _redis_process(folder, port, "--enable-debug-command", "local")
    try:
        _until(lambda: port_is_open(port), within=15, what="the filling Redis")
        client = Redis(port=port)
        client.execute_command("DEBUG", "POPULATE", REDIS_KEYS, "kept", REDIS_VALUE_BYTES)
        assert int(client.info("memory")["used_memory"]) > 200 * 1024 * 1024
        client.bgrewriteaof()  # the keys into the append-only file
        _until(
            lambda: (
                client.info("persistence")["aof_rewrite_in_progress"] == 0
                and client.info("persistence")["aof_rewrite_scheduled"] == 0
            ),
            within=120,
            what="the append-only file rewrite",
        )
        client.close()
    finally:
        _stop(process)
    return folder


def _loaded_keys(url: str) -> int:
    client = Redis.from_url(url)
    try:
        return int(client.dbsize())
    finally:
        client.close()


def test_the_private_redis_loading_its_data_is_waited_for(
    redis_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `./shop run` without REDIS_URL: the private Redis is started, then checked.
    server = RedisServer(redis_data, port=free_port())
    try:
        server.start()
        check_redis(server.url(0))
        assert _loaded_keys(server.url(0)) == REDIS_KEYS
    finally:
        server.stop()
    said = capsys.readouterr().out
    assert "loading its data" in said, said
    assert "%" in said, "it says how far the loading is"


def test_a_redis_at_a_configured_url_still_loading_is_waited_for(
    redis_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # REDIS_URL / TEST_REDIS_URL: a Redis someone else (re)started a moment ago.
    port = free_port()
    process = _redis_process(redis_data, port)
    try:
        _until(lambda: port_is_open(port), within=15, what="Redis")
        check_redis(f"redis://127.0.0.1:{port}/0")
        assert _loaded_keys(f"redis://127.0.0.1:{port}/0") == REDIS_KEYS
    finally:
        _stop(process)
    assert "loading its data" in capsys.readouterr().out


def test_a_redis_that_stops_making_progress_is_given_up_with_the_reason(
    redis_data: Path,
) -> None:
    from devstack.readiness import wait_for_redis

    port = free_port()
    process = _redis_process(redis_data, port)
    client = Redis(port=port, socket_timeout=2, retry=Retry(NoBackoff(), 0))

    def loading() -> bool:
        try:
            client.ping()
        except BusyLoadingError:
            return True
        except RedisError:
            return False
        raise AssertionError("Redis loaded before the test could stop it")

    said: list[str] = []

    def report(line: str) -> None:
        # Mid-load, as soon as the wait has seen it loading, the server hangs (SIGSTOP):
        # decided by what the wait saw, not by a timer that a quick load could outrun.
        said.append(line)
        if "loading its data" in line and process.poll() is None:
            process.send_signal(signal.SIGSTOP)

    try:
        _until(loading, within=15, what="Redis loading")
        started = time.monotonic()
        with pytest.raises(SetupError, match="made no progress") as refused:
            wait_for_redis(
                f"redis://127.0.0.1:{port}/0",
                what="the test Redis",
                stall_seconds=3,
                report=report,
            )
        assert time.monotonic() - started < 30
        assert any("loading its data" in line for line in said), said
        assert "the test Redis" in str(refused.value)
    finally:
        client.close()
        _stop(process)


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="module")
def postgres(workdir: Path) -> Iterator[PostgresCluster]:
    cluster = PostgresCluster(workdir / "postgres", port=free_port())
    cluster.start()
    with psycopg.connect(_libpq(cluster), autocommit=True) as connection:
        # No checkpoint between the writes and the crash: all of it is replayed.
        connection.execute("ALTER SYSTEM SET checkpoint_timeout = '1h'")
        connection.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
        connection.execute("SELECT pg_reload_conf()")
        connection.execute("CREATE TABLE kept (id bigint PRIMARY KEY, body text NOT NULL)")
    try:
        yield cluster
    finally:
        cluster.stop()


def _libpq(cluster: PostgresCluster) -> str:
    return cluster.url("postgres").replace("+psycopg", "")


def _write_then_crash(cluster: PostgresCluster) -> int:
    """Commit another batch of rows, then SIGKILL the postmaster. Returns the rows kept."""
    with psycopg.connect(_libpq(cluster), autocommit=True) as connection:
        connection.execute(
            "INSERT INTO kept SELECT g, repeat(md5(g::text), 30) "
            "FROM generate_series(coalesce((SELECT max(id) FROM kept), 0) + 1, "
            "coalesce((SELECT max(id) FROM kept), 0) + %s) g",
            (POSTGRES_ROWS,),
        )
        [(rows,)] = connection.execute("SELECT count(*) FROM kept").fetchall()
    postmaster = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    os.kill(postmaster, signal.SIGKILL)
    _until(lambda: not port_is_open(cluster.port), within=10, what="the killed PostgreSQL")
    return int(rows)


def _rows(cluster: PostgresCluster) -> int:
    with psycopg.connect(_libpq(cluster)) as connection:
        [(rows,)] = connection.execute("SELECT count(*) FROM kept").fetchall()
    return int(rows)


def test_the_private_postgres_killed_mid_work_recovers_and_is_waited_for(
    postgres: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = _write_then_crash(postgres)
    capsys.readouterr()

    # `./shop run` without DATABASE_URL: the private cluster is started, then checked.
    postgres.start()
    check_database(postgres.url("postgres"))

    assert _rows(postgres) == kept
    said = capsys.readouterr().out
    assert "not shut down cleanly" in said, said


def test_a_postgres_at_a_configured_url_still_recovering_is_waited_for(
    postgres: PostgresCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = _write_then_crash(postgres)
    capsys.readouterr()
    killed = int((postgres.data_dir / "postmaster.pid").read_text().split()[0])
    _until(lambda: not Path(f"/proc/{killed}").exists(), within=60, what="the postmaster reaped")

    # DATABASE_URL / TEST_DATABASE_URL: a server someone else restarts, not waiting for it.
    bindir = next(Path("/usr/lib/postgresql").glob("*/bin"))
    command = [
        str(bindir / "pg_ctl"),
        *("-D", str(postgres.data_dir), "-l", str(postgres.log_file), "-W"),
        *("-o", f"-p {postgres.port} -k {postgres.root} -c listen_addresses=127.0.0.1"),
        "start",
    ]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, cwd=postgres.root)
    check_database(postgres.url("postgres"))

    assert _rows(postgres) == kept
    assert "Waiting for" in capsys.readouterr().out
