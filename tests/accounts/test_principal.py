"""The jurisdiction rule (pure): a record is inside when any of its division codes starts with the
account's code; roles are ordered."""
from __future__ import annotations

import ast
from pathlib import Path

from apps.accounts.principal import PUBLIC, SYSTEM, Principal, Role


def clerk(code: str, role: Role = Role.EDITOR) -> Principal:
    return Principal("clerk", role, code)


def test_township_clerk_covers_its_township_and_villages_only() -> None:
    p = clerk("330521100")
    assert p.covers(["330521", "330521100", "330521100201"])
    assert p.covers(["330521100201"])
    assert not p.covers(["330521", "330521101"])        # the next township
    assert not p.covers(["330521"])                     # a county-level record
    assert not p.covers([])
    assert not p.covers([None, ""])


def test_county_staff_cover_every_township_but_not_the_neighbour_county() -> None:
    p = clerk("330521")
    assert p.covers(["330521107"])
    assert p.covers(["330522", "330521"])               # a boundary line between two counties
    assert not p.covers(["330522", "330481"])


def test_system_covers_everything_and_public_nothing() -> None:
    assert SYSTEM.covers(["110101"]) and SYSTEM.at_least(Role.ADMINISTRATOR)
    assert not PUBLIC.covers(["330521"]) and not PUBLIC.is_staff and not PUBLIC.at_least(Role.VIEWER)


def test_roles_are_ordered() -> None:
    assert clerk("330521", Role.ADMINISTRATOR).at_least(Role.EDITOR)
    assert clerk("330521", Role.EDITOR).at_least(Role.VIEWER)
    assert not clerk("330521", Role.VIEWER).at_least(Role.EDITOR)
    key = Principal("apikey:ab", None, "", api_key_id=1, department="公安局")
    assert key.is_api_key and not key.is_staff and not key.at_least(Role.VIEWER)


def test_module_is_pure() -> None:
    tree = ast.parse(Path("apps/accounts/principal.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("django") for m in imported)
