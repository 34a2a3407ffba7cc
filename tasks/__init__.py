"""Pipeline stages, one module each: discover, fetch, extract, normalise, dedupe, enrich, load.

Each module holds plain typed functions (tested directly) and, at its end, a thin Prefect
``@task`` wrapper that adds a name, retries or caching.
"""
