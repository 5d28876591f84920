"""PostgreSQL access: the pool wrapper, the embedded server, the migration runner."""

from hub.core.db.pool import Database, Executor

__all__ = ["Database", "Executor"]
