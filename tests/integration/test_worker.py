"""A job goes through real Redis to a real worker process and its result comes back."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings

from backend.settings import get_settings
from devstack.services import PROJECT_ROOT


@pytest.fixture(scope="module")
def worker_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "arq"), "jobs.worker.WorkerSettings"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


async def test_worker_runs_a_job_and_returns_its_result(
    worker_process: subprocess.Popen[bytes], make_product: object
) -> None:
    await make_product()  # type: ignore[operator]
    redis = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    try:
        job = await redis.enqueue_job("health_check_job")
        assert job is not None
        result = await job.result(timeout=30)
    finally:
        await redis.aclose()
    assert result["database"] == "ok"
    assert result["active_products"] >= 1
    assert worker_process.poll() is None
