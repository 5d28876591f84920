"""PostgreSQL access: the pool wrapper, the embedded server, the migration runner."""

from hub.db.pool import Database, Executor

__all__ = ["Database", "Executor"]
