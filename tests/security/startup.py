"""Starting the shop's real processes with a production configuration, to see whether they
refuse: the worker (`python -m jobs`) and a web backend (`reflex run --env prod
--backend-only`, as `./shop cluster` starts them; it builds no frontend, so it is up in
seconds).

`production_env` is a complete, valid production configuration (a random SECRET_KEY, a mail
transport, an explicit payment gateway); each test removes or spoils the one thing it is
about, so a refusal can only come from that.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack.services import PROJECT_ROOT, VAR_DIR
from tests.fixtures.mail import free_port

VENV_BIN = PROJECT_ROOT / ".venv" / "bin"


def production_env(**overrides: str | None) -> dict[str, str]:
    """The test session's environment (its database and Redis), configured as production.
    An override of None removes that variable."""
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
        "PAYMENT_GATEWAY": "test",
        "BUILD_SEARCH_INDEX_ON_START": "false",
    }
    for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        env.pop(name, None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@dataclass(frozen=True)
class Outcome:
    started: bool  # the process was serving (web) or still running (worker) at the end
    returncode: int | None
    output: str


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _serving(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _watch(
    command: list[str],
    env: dict[str, str],
    log: Path,
    *,
    seconds: float,
    ping: str | None = None,
    ready_text: str | None = None,
) -> Outcome:
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + seconds
            started = False
            while time.monotonic() < deadline and process.poll() is None:
                if (ping is not None and _serving(ping)) or (
                    ready_text is not None and ready_text in log.read_text(errors="replace")
                ):
                    started = True
                    break
                time.sleep(0.5)
            if ping is None and ready_text is None:
                started = process.poll() is None
        finally:
            _stop(process)
    return Outcome(
        started=started,
        returncode=process.returncode,
        output=log.read_text(encoding="utf-8", errors="replace"),
    )


# What arq logs once the worker takes jobs.
WORKER_READY = "Starting worker for"


def start_worker(env: dict[str, str], name: str, *, seconds: float = 30) -> Outcome:
    """`python -m jobs`: started means it began taking jobs; refused means it exited."""
    return _watch(
        [str(VENV_BIN / "python"), "-m", "jobs"],
        env,
        VAR_DIR / "security" / f"{name}-worker.log",
        seconds=seconds,
        ready_text=WORKER_READY,
    )


def start_web_backend(env: dict[str, str], name: str, *, seconds: float = 90) -> Outcome:
    """One web backend: refused means it exited without ever answering /ping."""
    port = free_port()
    work = VAR_DIR / "security" / f"web-{port}"
    web_env = {
        **env,
        "PORT": str(port),
        "GRANIAN_WORKERS": "1",
        "REFLEX_WEB_WORKDIR": str(work / "web"),
        "REFLEX_STATES_WORKDIR": str(work / "states"),
        "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return _watch(
        [
            str(VENV_BIN / "reflex"),
            *("run", "--env", "prod", "--backend-only"),
            *("--backend-host", "127.0.0.1", "--backend-port", str(port)),
        ],
        web_env,
        VAR_DIR / "security" / f"{name}-web.log",
        seconds=seconds,
        ping=f"http://127.0.0.1:{port}/ping",
    )
