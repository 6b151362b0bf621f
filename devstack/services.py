"""Private PostgreSQL and Redis servers for local runs and tests.

They live under the git-ignored `var/` folder on non-default ports, so they never touch
a system-wide installation. When the process runs as root (containers, CI), PostgreSQL's
tools are run as the `postgres` system user because `initdb` refuses root.

`start()` returns once the server is ready for the shop (devstack/readiness.py): a Redis
with a large data set loads it first, a PostgreSQL that was not stopped cleanly recovers
first, and both can take minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devstack.console import say
from devstack.errors import SetupError
from devstack.readiness import STALL_SECONDS, wait_for_postgres, wait_for_redis

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

DEFAULT_POSTGRES_PORT = 54329
DEFAULT_REDIS_PORT = 56379
POSTGRES_USER = "shop"
# pg_ctl's own wait for the server: long, since readiness.wait_for_postgres decides when a
# start has stalled.
PG_CTL_WAIT_SECONDS = 24 * 3600
SHARED_MEMORY_IN_USE = "pre-existing shared memory block"


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def _postgres_bindir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = Path(subprocess.check_output([pg_config, "--bindir"], text=True).strip())
        if (bindir / "initdb").exists():
            return bindir
    raise SetupError(
        "PostgreSQL server binaries not found: install them with "
        "`sudo apt-get install -y postgresql` or set DATABASE_URL to an existing server"
    )


@dataclass(frozen=True)
class PostgresCluster:
    """A private cluster in `data_dir`, listening on 127.0.0.1:`port`, superuser `shop`."""

    root: Path
    port: int = DEFAULT_POSTGRES_PORT

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{POSTGRES_USER}@127.0.0.1:{self.port}/{database}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        return ["runuser", "-u", "postgres", "--", *argv]

    def _prepare_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            try:
                postgres = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise SetupError(
                    "running as root but there is no `postgres` system user: "
                    "install PostgreSQL with `apt-get install -y postgresql`"
                ) from exc
            # initdb and pg_ctl refuse root; the cluster folder belongs to `postgres`.
            for path in (self.root, *self.root.rglob("*")):
                os.chown(path, postgres.pw_uid, postgres.pw_gid, follow_symlinks=False)

    @property
    def description(self) -> str:
        return f"the private PostgreSQL on 127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        return pid_file.exists() and port_is_open(self.port)

    def start(self, *, report: Callable[[str], None] = say) -> bool:
        """Start the cluster (creating it on first use) and wait until it accepts
        connections. Returns True if this call started it."""
        if self.is_running():
            # Perhaps started a moment ago by another command, and still recovering.
            wait_for_postgres(
                self.url("postgres"), what=self.description, log_file=self.log_file, report=report
            )
            return False
        if port_is_open(self.port):
            raise SetupError(
                f"port {self.port} is busy but not with this project's PostgreSQL; "
                "stop what uses it or set DATABASE_URL to a server of your own"
            )
        bindir = _postgres_bindir()
        self._prepare_root()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-A",
                    "trust",
                    "-U",
                    POSTGRES_USER,
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                what="initdb",
            )
        self._forget_dead_postmaster()
        state = self._cluster_state(bindir)
        if state not in (None, "shut down"):
            report(
                f"{_capitalised(self.description)} was not shut down cleanly (its data in "
                f"{self.data_dir} says: {state}): it replays its write-ahead log before it "
                "accepts connections"
            )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c max_connections=200"
        )
        command = [
            *(str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-o", options),
            *("-l", str(self.log_file), "-w", "-t", str(PG_CTL_WAIT_SECONDS), "start"),
        ]
        deadline = time.monotonic() + STALL_SECONDS
        while True:
            log_offset = self._log_size()
            try:
                self._start_and_wait(command, report=report)
                return True
            except SetupError:
                # Processes of a postmaster that was killed hold its shared memory for a
                # moment after it died; the new one refuses to start until they are gone.
                if SHARED_MEMORY_IN_USE not in self._log_since(log_offset):
                    raise
                if time.monotonic() > deadline:
                    raise
                report("Waiting for the processes of the stopped PostgreSQL to exit")
                time.sleep(1)

    def _start_and_wait(self, command: list[str], *, report: Callable[[str], None]) -> None:
        # pg_ctl -w notices a postmaster that dies while starting; the readiness wait
        # reports what the server says meanwhile (a recovery can take minutes).
        starting = subprocess.Popen(
            self._as_owner(command),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,  # a line or two, read if it fails
            cwd=self.root,
        )
        try:
            wait_for_postgres(
                self.url("postgres"),
                what=self.description,
                log_file=self.log_file,
                starting=starting,
                report=report,
            )
        finally:
            # pg_ctl ends once it sees the server ready; given up on, it is stopped (the
            # server itself runs in a session of its own and goes on).
            try:
                starting.wait(timeout=10)
            except subprocess.TimeoutExpired:
                starting.terminate()
                starting.wait()
            if starting.stderr:
                starting.stderr.close()

    @property
    def _lock_files(self) -> tuple[Path, ...]:
        """The data folder's lock and the socket's; each starts with its postmaster's PID."""
        return (self.data_dir / "postmaster.pid", self.root / f".s.PGSQL.{self.port}.lock")

    def _postmaster_pid(self) -> int | None:
        return _pid_in(self._lock_files[0])

    def _forget_dead_postmaster(self) -> None:
        """Remove the lock files of a postmaster that was killed but not reaped yet (a
        zombie): PostgreSQL takes it for a live one and refuses to start."""
        for lock in self._lock_files:
            pid = _pid_in(lock)
            if pid is not None and _pid_alive(pid) and not process_is_running(pid):
                lock.unlink(missing_ok=True)

    def _cluster_state(self, bindir: Path) -> str | None:
        """pg_controldata's "Database cluster state" ("shut down", "in production", …)."""
        result = subprocess.run(
            self._as_owner([str(bindir / "pg_controldata"), "-D", str(self.data_dir)]),
            capture_output=True,
            text=True,
            cwd=self.root,
            check=False,
            env={**os.environ, "LC_ALL": "C"},
        )
        for line in result.stdout.splitlines():
            if line.startswith("Database cluster state:"):
                return line.split(":", 1)[1].strip()
        return None

    def _log_size(self) -> int:
        try:
            return self.log_file.stat().st_size
        except OSError:
            return 0

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_file.open("rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        pid = self._postmaster_pid()
        if pid is None:
            return
        if not process_is_running(pid):
            self._forget_dead_postmaster()
            return
        bindir = _postgres_bindir()
        self._run(
            [str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            what="pg_ctl stop",
        )

    def _run(self, argv: list[str], *, what: str) -> None:
        result = subprocess.run(
            self._as_owner(argv), capture_output=True, text=True, cwd=self.root, check=False
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit code {result.returncode}"
            raise SetupError(f"{what} failed: {last} (log: {self.log_file})")


@dataclass(frozen=True)
class RedisServer:
    """A private Redis in `root`, append-only so carts and queues survive a restart."""

    root: Path
    port: int = DEFAULT_REDIS_PORT

    @property
    def pid_file(self) -> Path:
        return self.root / "redis.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "redis.log"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def description(self) -> str:
        return f"the private Redis on 127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        return self.pid_file.exists() and port_is_open(self.port)

    def _pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _is_alive(self) -> bool:
        pid = self._pid()
        return pid is None or process_is_running(pid)  # no pid file yet: still starting

    def start(self, *, report: Callable[[str], None] = say) -> bool:
        """Start the server and wait until it has loaded its data and runs commands.
        Returns True if this call started it."""
        if self.is_running():
            # Perhaps started a moment ago by another command, and still loading.
            wait_for_redis(self.url(), what=self.description, log_file=self.log_file, report=report)
            return False
        if port_is_open(self.port):
            raise SetupError(
                f"port {self.port} is busy but not with this project's Redis; "
                "stop what uses it or set REDIS_URL to a server of your own"
            )
        binary = shutil.which("redis-server")
        if binary is None:
            raise SetupError(
                "redis-server not found: install it with `sudo apt-get install -y redis-server` "
                "or set REDIS_URL to an existing server"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        self.pid_file.unlink(missing_ok=True)  # a killed server's
        result = subprocess.run(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.root),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.pid_file),
                "--logfile",
                str(self.log_file),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SetupError(f"redis-server failed to start: {result.stderr.strip()}")
        wait_for_redis(
            self.url(),
            what=self.description,
            log_file=self.log_file,
            is_alive=self._is_alive,
            report=report,
        )
        return True

    def stop(self) -> None:
        if not self.pid_file.exists():
            return
        with contextlib.suppress(ProcessLookupError, ValueError):
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 15)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process_is_running(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _pid_in(file: Path) -> int | None:
    try:
        return int(file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_is_running(pid: int) -> bool:
    """Alive and not a zombie (a process that exited and that its parent has not reaped
    yet; on some machines init reaps orphans only every few seconds)."""
    if not _pid_alive(pid):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: trust the signal
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _postgres_user_can_enter(folder: Path) -> bool:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(folder)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def local_postgres() -> PostgresCluster:
    """The project's cluster: under var/, or, when running as root in a folder the
    `postgres` user cannot enter (e.g. under /root), under /var/lib, keyed by project path."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and not _postgres_user_can_enter(VAR_DIR):
        key = hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:10]
        return PostgresCluster(Path("/var/lib/kestrel-shop") / key / "postgres")
    return PostgresCluster(VAR_DIR / "postgres")


def local_redis() -> RedisServer:
    return RedisServer(VAR_DIR / "redis")


def fresh_metrics_dir(name: str) -> str:
    """An empty folder for one web process's workers' Prometheus samples (multiprocess
    mode: every Granian worker writes there, a scrape of any of them adds them up)."""
    folder = VAR_DIR / "metrics" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return str(folder)
