"""The acting principal of the current request, for the services' jurisdiction checks.

The middleware sets it for every request (from the session user; the DRF permission classes set it
again once DRF has authenticated the request, e.g. by API key) and resets it afterwards. Outside a
request (management commands, loaders, tests calling services) nothing is set and the services act
as the system, unless a command names its user with `acting_principal`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from .principal import SYSTEM, Principal

_current: ContextVar[Principal | None] = ContextVar("geo_mz_principal", default=None)


def current_principal() -> Principal:
    return _current.get() or SYSTEM


def set_principal(principal: Principal) -> Token:
    return _current.set(principal)


def reset_principal(token: Token) -> None:
    _current.reset(token)


@contextmanager
def acting_principal(principal: Principal) -> Iterator[None]:
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)
