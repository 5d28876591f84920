"""The one HTTP front door (hub/http/view.py): a request's body is read once, its trusted
document resolved once, and its operation parsed, measured against the limits and validated
once (hub/api/operation.py) — then the compiled path answers it, or the executor does with
that same preparation. ``hub.operations.counts`` counts the parses, limit checks and
validations actually done (cache hits are not work)."""

from __future__ import annotations

import dataclasses
import itertools

from hub.api.operation import Counts
from hub.core.relay import encode_id
from tests.api import Api

_fresh = itertools.count()
MISSING = encode_id("Member", 2**62)  # a well-formed ID of no member


def fresh(query: str) -> str:
    """``query`` under a name never sent before, so no cache has seen its text."""
    return query.replace("query ", f"query FrontDoor{next(_fresh)} ", 1)


def work_since(before: Counts, api: Api) -> dict[str, int]:
    now = api.hub.operations.counts
    return {name: getattr(now, name) - getattr(before, name)
            for name in ("parsed", "measured", "validated")}


async def test_a_request_the_compiled_path_declines_is_prepared_once(api: Api) -> None:
    # `Record.media` has no twin (its URLs are signed per request): the compiled path declines,
    # the executor answers.
    query = fresh('query { records(first: 1) { totalCount nodes { media { size } } } }')
    before = dataclasses.replace(api.hub.operations.counts)

    assert await api.gql(query) == {"records": {"totalCount": 0, "nodes": []}}

    assert work_since(before, api) == {"parsed": 1, "measured": 1, "validated": 1}
    assert api.hub.compiled is not None and api.hub.compiled.plan(query, None) is None


async def test_a_compiled_request_is_prepared_once(api: Api) -> None:
    query = fresh("query { records(first: 1) { totalCount } }")
    before = dataclasses.replace(api.hub.operations.counts)

    assert await api.gql(query) == {"records": {"totalCount": 0}}

    assert work_since(before, api) == {"parsed": 1, "measured": 1, "validated": 1}
    assert api.hub.compiled is not None and api.hub.compiled.plan(query, None) is not None


async def test_a_repeated_request_is_parsed_and_validated_from_cache(api: Api) -> None:
    query = fresh(f'query {{ node(id: "{MISSING}") {{ id }} }}')
    await api.gql(query)
    before = dataclasses.replace(api.hub.operations.counts)

    await api.gql(query)

    # The limits depend on the variables, so they are checked on every request.
    assert work_since(before, api) == {"parsed": 0, "measured": 1, "validated": 0}


async def test_an_operation_over_a_limit_is_refused_after_one_check(api: Api) -> None:
    # Deeper than the limit: refused before validation, by the executor, from the one check.
    deep = "records(first: 1) { nodes { author { " * 6 + "handle" + " } } }" * 6
    query = fresh(f"query {{ {deep} }}")
    before = dataclasses.replace(api.hub.operations.counts)

    errors = await api.errors(query)

    assert errors[0]["extensions"]["code"] == "OPERATION_TOO_LARGE", errors
    assert work_since(before, api) == {"parsed": 1, "measured": 1, "validated": 0}


async def test_a_get_request_goes_through_the_same_door(api: Api) -> None:
    query = fresh(f'query {{ node(id: "{MISSING}") {{ id }} }}')
    before = dataclasses.replace(api.hub.operations.counts)

    response = await api.client.get("/graphql", params={"query": query},
                                    headers={"GraphQL-Require-Preflight": "1"})

    assert response.status == 200 and await response.json() == {"data": {"node": None}}
    assert work_since(before, api) == {"parsed": 1, "measured": 1, "validated": 1}


async def test_the_same_short_variables_are_coerced_once(api: Api) -> None:
    query = fresh("query ($first: Int, $search: String) "
                  "{ records(first: $first, filter: {search: $search}) { totalCount } }")
    await api.gql(query, {"first": 2, "search": "tide"})
    before = dataclasses.replace(api.hub.operations.counts)

    assert await api.gql(query, {"first": 2, "search": "tide"}) == {"records": {"totalCount": 0}}
    assert await api.gql(query, {"first": 3, "search": "tide"}) == {"records": {"totalCount": 0}}

    # Coercion is a pure function of the operation and the values: the repeat costs none.
    assert api.hub.operations.counts.coerced - before.coerced == 1


async def test_a_remembered_coercion_answers_only_the_same_values_of_the_same_types(
    api: Api,
) -> None:
    query = fresh("query ($first: Int) { records(first: $first) { totalCount } }")
    assert await api.gql(query, {"first": 1}) == {"records": {"totalCount": 0}}

    # `true` equals `1` in Python; in GraphQL it is no Int, and a cache must not say otherwise.
    errors = await api.errors(query, {"first": True})

    assert "Int cannot represent non-integer value: True" in errors[0]["message"], errors


async def test_object_and_list_variables_are_coerced_every_time(api: Api) -> None:
    query = fresh("query ($filter: RecordFilter) { records(first: 1, filter: $filter) "
                  "{ totalCount } }")
    await api.gql(query, {"filter": {"search": "tide"}})
    before = dataclasses.replace(api.hub.operations.counts)

    await api.gql(query, {"filter": {"search": "tide"}})

    # Not remembered: their values are not keys (and may be large).
    assert api.hub.operations.counts.coerced - before.coerced == 1
