"""The base of the container's context groups: the environment the container was given."""

from __future__ import annotations

from collections.abc import Mapping


class ContextGroup:
    """Each group reads its contexts' settings from `_env` and reaches the other groups' contexts
    through `self`; `aftersales.wiring.Container` joins the groups into one object."""

    _env: Mapping[str, str] | None
