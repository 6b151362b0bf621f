"""The run command stops on bad configuration with one clear line, never a traceback."""

import os
import socket
import subprocess
import sys

import pytest

from backend.settings import get_settings
from devstack.services import PROJECT_ROOT


def run_command(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ENVIRONMENT": "development", **env}
    return subprocess.run(
        [sys.executable, "-m", "devstack", "run"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert expected in errors[0]


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_database_is_named(free_port: int) -> None:
    result = run_command(
        DATABASE_URL=f"postgresql://shop@127.0.0.1:{free_port}/nowhere", PORT=str(free_port + 1)
    )
    assert_one_clear_line(result, "cannot connect to PostgreSQL at DATABASE_URL")


def test_database_url_of_the_wrong_kind_is_named() -> None:
    result = run_command(DATABASE_URL="mysql://shop@localhost/shop")
    assert_one_clear_line(result, "DATABASE_URL is invalid")


def test_unreachable_redis_is_named(free_port: int) -> None:
    result = run_command(
        DATABASE_URL=get_settings().database_url,
        REDIS_URL=f"redis://127.0.0.1:{free_port}/0",
        PORT=str(free_port + 1),
    )
    assert_one_clear_line(result, "cannot reach Redis at REDIS_URL")


def test_busy_port_is_named() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_command(PORT=str(port))
    assert_one_clear_line(result, f"port {port} is busy")
