"""Product search: a Whoosh index of the active catalog, written by the worker only.

`services` writes (sync_products, rebuild_index, ensure_index), `queries` reads
(search_products, suggest); `python -m backend.search.reindex` rebuilds from the command line.
"""
