"""Who is acting: a staff account (role + jurisdiction), a department's API key, the public, or
the system (management commands, loaders). Pure: no Django import.

A jurisdiction is a division code read as a prefix: 330521 (德清县) covers every township and
village of the county, 330521100 one township, 330500 (湖州市) every county whose code starts with
3305, 330000 (浙江省) everything under 33. A record is inside a jurisdiction when any of its
division codes starts with that prefix; "" covers everything (superusers and the system).
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


def area_prefix(code: str) -> str:
    """The code prefix a division's area covers: GB/T 2260 pads province and prefecture codes with
    zeros (330000, 330500), so their areas are the codes under 33 and 3305."""
    if len(code) == 6 and code.isdigit():
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


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

    @property
    def prefix(self) -> str | None:
        """The code prefix of the jurisdiction's area ("" = everything, None = nothing)."""
        return area_prefix(self.jurisdiction) if self.jurisdiction else self.jurisdiction

    def covers(self, codes: Iterable[str | None]) -> bool:
        """True when any of the record's division codes lies inside this jurisdiction."""
        prefix = self.prefix
        if prefix is None:
            return False
        return any(code is not None and code.startswith(prefix) for code in codes) if prefix else True


SYSTEM = Principal("system", Role.ADMINISTRATOR, "", read_only=False)
PUBLIC = Principal("public", None, None)
