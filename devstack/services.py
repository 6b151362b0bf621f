"""Private PostgreSQL and Redis servers for local runs and tests.

They live under the git-ignored `var/` folder on non-default ports, so they never touch
a system-wide installation. When the process runs as root (containers, CI), PostgreSQL's
tools are run as the `postgres` system user because `initdb` refuses root.
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
from dataclasses import dataclass
from pathlib import Path

from devstack.errors import SetupError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

DEFAULT_POSTGRES_PORT = 54329
DEFAULT_REDIS_PORT = 56379
POSTGRES_USER = "shop"


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def _wait_for_port(port: int, *, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_is_open(port):
            return
        time.sleep(0.1)
    raise SetupError(f"{what} did not start on port {port} within {seconds:.0f} s; see {log}")


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

    def is_running(self) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        return pid_file.exists() and port_is_open(self.port)

    def start(self) -> bool:
        """Start the cluster (creating it on first use). Returns True if this call started it."""
        if self.is_running():
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
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c max_connections=200"
        )
        self._run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "start",
            ],
            what="pg_ctl start",
        )
        _wait_for_port(self.port, seconds=30, what="PostgreSQL", log=self.log_file)
        return True

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
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

    def is_running(self) -> bool:
        return self.pid_file.exists() and port_is_open(self.port)

    def start(self) -> bool:
        if self.is_running():
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
        _wait_for_port(self.port, seconds=15, what="Redis", log=self.log_file)
        return True

    def stop(self) -> None:
        if not self.pid_file.exists():
            return
        with contextlib.suppress(ProcessLookupError, ValueError):
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 15)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _pid_alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


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
