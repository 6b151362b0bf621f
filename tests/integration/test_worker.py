"""A job goes through real Redis to a real worker process and its result comes back."""

from pathlib import Path

from arq import create_pool
from arq.connections import RedisSettings

from backend.settings import get_settings
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.workers import running_worker, settle_outbox


async def test_worker_runs_a_job_and_returns_its_result(
    tmp_path: Path, make_product: MakeProduct
) -> None:
    await make_product()
    await settle_outbox()
    redis = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    try:
        with running_worker(tmp_path / "worker.log", BUILD_SEARCH_INDEX_ON_START="false") as worker:
            job = await redis.enqueue_job("health_check_job")
            assert job is not None
            result = await job.result(timeout=30)
            assert worker.poll() is None
    finally:
        await redis.aclose()
    assert result["database"] == "ok"
    assert result["active_products"] >= 1
