"""The DuckDB warehouse: connections, the migrator and the public views.

Tables live in the ``store`` schema and are private; the public SQL interface is the set of
views in ``main`` defined by ``warehouse/views/*.sql`` and documented in ``warehouse/README.md``.
"""

from warehouse.connection import WarehouseError, connect, open_reader, open_writer
from warehouse.migrate import apply_migrations, apply_views, migrations, schema_version

__all__ = [
    "WarehouseError",
    "apply_migrations",
    "apply_views",
    "connect",
    "migrations",
    "open_reader",
    "open_writer",
    "schema_version",
]
