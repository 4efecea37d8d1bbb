"""Contract fuzzing (issue 9): schemathesis generates requests for every operation of our OpenAPI
schema (valid and invalid ones) and sends them to the real Django application in-process, as a
superuser, on the real PostGIS test database with the demo registers loaded. Every response must
not be a server error and must match the schema: documented status code, content type, headers
and body.

Bounded and reproducible: schemathesis's coverage phase (deterministic boundary and invalid values
of every parameter and body property, other HTTP methods) plus a fixed number of generated
examples per operation, derandomized Hypothesis (the same cases on every run, in CI too), no
shrinking, no example database; about 6,500 requests in ~2 minutes. Writes run inside the test's
transaction (each request in its own savepoint), so nothing persists.
"""
from __future__ import annotations

import json
from typing import Any

import hypothesis
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.checks import (content_type_conformance, not_a_server_error,  # type: ignore[attr-defined]
                                 response_headers_conformance, response_schema_conformance,
                                 status_code_conformance)

from tests.contract.conftest import KNOWN_PATH_SETS, Credentials

# Generated examples per operation (plus the schema's own examples): 78 operations × this stays
# within ~2 minutes on a busy 2-core machine.
MAX_EXAMPLES = 6

# Operations not fuzzed here, each with the reason. Everything else in the schema is.
NOT_FUZZED: dict[str, str] = {}

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def _raw_schema() -> dict[str, Any]:
    """The schema exactly as /api/schema/ serves it (JSON), generated in-process."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


CONFIG = SchemathesisConfig.from_dict({
    "seed": 9,
    "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True,
                   "allow-x00": False, "database": "none"},
})
schema = schemathesis.openapi.from_dict(_raw_schema(), config=CONFIG)
schema = schema.exclude(func=lambda ctx: f"{ctx.operation.method.upper()} {ctx.operation.path}" in NOT_FUZZED)


@schema.hook("before_generate_path_parameters")
def _with_real_identifiers(context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Half of the path parameters name real items (demo data and items made for the run), so
    item endpoints answer with items too, not only with 404."""
    def swap(generated: Any) -> st.SearchStrategy:
        # Either the parameters or a schemathesis GeneratedValue (the parameters plus provenance).
        wrapped = hasattr(generated, "map_value")
        params = generated.value if wrapped else generated
        path = context.operation.path
        sets = [known for prefix, known in KNOWN_PATH_SETS
                if params and path.startswith(prefix) and set(known) <= set(params)]
        if not sets:
            return st.just(generated)

        def overlay(chosen: dict[str, Any]) -> Any:
            return generated.map_value(lambda value: {**value, **chosen}) if wrapped else {**params, **chosen}
        return st.one_of(st.just(generated), st.sampled_from(sets).map(overlay))
    return strategy.flatmap(swap)


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                     phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_operation_keeps_its_contract(case: Any, wsgi_app: Any, credentials: Credentials) -> None:
    from django.db import transaction

    with transaction.atomic():
        response = case.call(app=wsgi_app, headers=credentials.headers, cookies=credentials.cookies)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


def test_every_operation_is_fuzzed_or_listed() -> None:
    """No operation drops out silently: each one of the schema is fuzzed or named with a reason,
    and every operation loads (an operation schemathesis cannot read would not be fuzzed)."""
    operations = {f"{method.upper()} {path}" for path, item in _raw_schema()["paths"].items() for method in item}
    fuzzed = {f"{op.method.upper()} {op.path}" for op in (result.ok() for result in schema.get_all_operations())}
    assert set(NOT_FUZZED) <= operations
    assert fuzzed == operations - set(NOT_FUZZED)
    assert len(fuzzed) >= 78
