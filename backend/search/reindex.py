"""Rebuild the whole search index from the catalog, with a progress bar.

    python -m backend.search.reindex

Readers keep using the current index until the new one is complete. Waits up to two
minutes for a running write (the worker's) to finish.
"""

from __future__ import annotations

import asyncio
import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from backend.core.db import dispose_engine
from backend.search.errors import SearchIndexBusyError
from backend.search.services import rebuild_index
from backend.search.storage import index_root


async def _reindex(console: Console) -> int:
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("Indexing products", total=None)

            def progress(read: int, total: int) -> None:
                bar.update(task, completed=read, total=total)

            result = await rebuild_index(progress)
    except SearchIndexBusyError as error:
        console.print(f"[red]{error.message}[/red]")
        return 1
    finally:
        await dispose_engine()
    console.print(
        f"Indexed {result.indexed:,} active of {result.read:,} products into {index_root()} "
        f"in {result.seconds:.1f} s: {result.products_per_second:,.0f} products/s."
    )
    return 0


def main() -> None:
    sys.exit(asyncio.run(_reindex(Console())))


if __name__ == "__main__":
    main()
