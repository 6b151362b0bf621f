"""Start `./shop cluster` (nginx + web backends + workers) for a benchmark, and stop it.

The cluster runs on the shared PostgreSQL and Redis (127.0.0.1:54329 / :56379), with a
database and a Redis db of the benchmark's own and a search index of its own, on ports of
its own, so benchmarks never touch the shop's or the tests' data. The first start of a
port builds the frontend (a few minutes); later starts rebuild it too, as the command
does, but faster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack import cluster

POSTGRES = "postgresql+psycopg://shop@127.0.0.1:54329"
REDIS = "redis://127.0.0.1:56379"


@dataclass
class Cluster:
    port: int
    web_processes: int
    database: str
    redis_db: int
    first_backend_port: int
    catalog_size: int
    workers: int = 1
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        """The shop's public address (PUBLIC_BASE_URL's default), which browsers send."""
        return f"http://localhost:{self.port}"

    @property
    def database_url(self) -> str:
        return f"{POSTGRES}/{self.database}"

    @property
    def backend_ports(self) -> list[int]:
        return list(range(self.first_backend_port, self.first_backend_port + self.web_processes))

    @property
    def log_path(self) -> Path:
        return ROOT / "var" / "bench" / f"cluster-{self.port}-{self.web_processes}web.log"

    def environment(self) -> dict[str, str]:
        data = ROOT / "var" / "bench" / self.database
        return {
            **os.environ,
            "PORT": str(self.port),
            "WEB_PROCESSES": str(self.web_processes),
            "WORKER_PROCESSES": str(self.workers),
            "WEB_BACKEND_PORT": str(self.first_backend_port),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"{REDIS}/{self.redis_db}",
            "DEMO_CATALOG_SIZE": str(self.catalog_size),
            "SEARCH_INDEX_DIR": str(data / "search-index"),
            "ENVIRONMENT": "development",
            "PYTHONUNBUFFERED": "1",
        }

    def reset_data(self) -> None:
        """A fresh database and Redis db: every run starts from the same demo shop."""
        import psycopg
        from redis import Redis

        from devstack.cli import create_database_if_missing

        admin = "postgresql://" + f"{POSTGRES}/postgres".split("://", 1)[1]
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        create_database_if_missing(f"{POSTGRES}/postgres", self.database)
        Redis.from_url(f"{REDIS}/{self.redis_db}").flushdb()
        index = ROOT / "var" / "bench" / self.database / "search-index"
        if index.exists():
            import shutil

            shutil.rmtree(index)

    def start(self, timeout: float = 900) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        print(
            f"Starting the cluster: {self.web_processes} web process(es) on :{self.port} "
            f"(log: {self.log_path.relative_to(ROOT)})",
            flush=True,
        )
        self.log_path.unlink(missing_ok=True)  # the start is read from this run's log
        self.process = cluster.launch(self.environment(), self.log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the cluster stopped; see {self.log_path}")
            if "The shop is running" in self.log_path.read_text(errors="replace"):
                self._check_serving()
                return
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the cluster did not start within {timeout:.0f} s")

    def _check_serving(self) -> None:
        response = httpx.get(self.base_url + "/", timeout=10)
        response.raise_for_status()

    def backend_processes(self) -> dict[int, list[psutil.Process]]:
        """Per backend port: the processes serving it (the `reflex run` process and what
        it started: Granian and its worker)."""
        assert self.process is not None
        found: dict[int, list[psutil.Process]] = {}
        for child in psutil.Process(self.process.pid).children(recursive=False):
            try:
                command = child.cmdline()
            except psutil.Error:
                continue
            if "--backend-port" in command:
                port = int(command[command.index("--backend-port") + 1])
                found[port] = [child, *child.children(recursive=True)]
        return found

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        cluster.shut_down(self.process)
        print(f"Stopped the cluster on :{self.port}", flush=True)
