"""What the domain slices need of a request: the database, the plugins and the settings.

The API layer's ``Context`` (hub/api/context.py) has these three attributes, so it is passed
as is; the domain sees only this protocol and never imports the API layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from hub.core.config import Settings
from hub.core.db import Database

if TYPE_CHECKING:
    from hub.plugins import HubPlugins


class Services(Protocol):
    """The database, the enabled plugins and the settings (an API ``Context`` is one)."""

    @property
    def db(self) -> Database: ...

    @property
    def plugins(self) -> HubPlugins: ...

    @property
    def settings(self) -> Settings: ...
