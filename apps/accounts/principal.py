"""Who is acting: a staff account (role + jurisdiction), a department's API key, the public, or
the system (management commands, loaders). Pure: no Django import.

A jurisdiction is a division code used as a prefix: 330521 (德清县) covers every township and
village of the county, 330521100 one township. A record is inside a jurisdiction when any of its
division codes starts with it; "" covers everything (superusers and the system).
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Role(enum.IntEnum):
    """Ordered: each role can do what the ones below it can."""

    VIEWER = 1         # 查看员: reads registers, runs analyses inside the jurisdiction
    EDITOR = 2         # 编辑员: also writes registers inside the jurisdiction
    ADMINISTRATOR = 3  # 管理员: also restores versions, manages accounts and API keys

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {Role.VIEWER: "查看员", Role.EDITOR: "编辑员", Role.ADMINISTRATOR: "管理员"}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role | None            # None: an API key or the public
    jurisdiction: str | None     # code prefix; "" = everything; None = nothing
    api_key_id: int | None = None
    department: str = ""
    read_only: bool = True       # API keys: read-only unless an administrator granted more

    @property
    def is_staff(self) -> bool:
        return self.role is not None

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None

    def at_least(self, role: Role) -> bool:
        return self.role is not None and self.role >= role

    def covers(self, codes: Iterable[str | None]) -> bool:
        """True when any of the record's division codes lies inside this jurisdiction."""
        if self.jurisdiction is None:
            return False
        if self.jurisdiction == "":
            return True
        return any(code and code.startswith(self.jurisdiction) for code in codes)


SYSTEM = Principal("system", Role.ADMINISTRATOR, "", read_only=False)
PUBLIC = Principal("public", None, None)
