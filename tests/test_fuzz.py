"""Fuzzing: schemathesis generates operations for every Query and Mutation field from the
live schema and sends them, anonymously and signed in, to a running hub.

What must hold for every generated operation: no 5xx, no stack trace in the body, and every
masked "Internal server error" carries an ``errorId`` that the hub's log also carries.
GraphQL errors themselves are fine: most random inputs are rightly refused.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hubprocess import running_hub

EXAMPLES_PER_FIELD = 8

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a [test] extra")
# Files travel as multipart parts, which random JSON cannot carry: send a string instead,
# which the hub must refuse cleanly.
schemathesis.graphql.scalar("Upload", st.just("not a file").map(schemathesis.graphql.nodes.String))
# Decimals travel as strings: well-formed ones and anything else (which must be refused).
schemathesis.graphql.scalar("Decimal", st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")),
    st.text(max_size=50),
).map(schemathesis.graphql.nodes.String))


def fuzz(url: str, headers: dict[str, str], log: Path) -> dict[str, int]:
    schema = schemathesis.graphql.from_url(url)
    counts = {"operations": 0, "fields": 0, "masked": 0}
    for result in schema.get_all_operations():
        strategy = result.ok().as_strategy()
        counts["fields"] += 1

        @settings(max_examples=EXAMPLES_PER_FIELD, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def send(case: Any) -> None:
            response = case.call(headers=headers, timeout=30)
            counts["operations"] += 1
            assert response.status_code < 500, (case.body, response.text)
            assert "Traceback" not in response.text
            for error_id in re.findall(r'"errorId":\s*"(\w+)"', response.text):
                counts["masked"] += 1
                assert error_id in log.read_text(), (case.body, response.text)

        send()
    return counts


async def test_fuzzing_finds_no_server_error(database_url: str, tmp_path: Path) -> None:
    async with running_hub(database_url, tmp_path) as hub:
        signed = await hub.gql("""mutation { signUp(input: {handle: "fuzzer",
            displayName: "Fuzzer", password: "a long passphrase"}) { token } }""")
        token = signed["data"]["signUp"]["token"]
        url = f"{hub.base_url}/graphql"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            anonymous = await asyncio.to_thread(fuzz, url, {}, hub.log)
            member = await asyncio.to_thread(
                fuzz, url, {"Authorization": f"Bearer {token}"}, hub.log
            )
    total = anonymous["operations"] + member["operations"]
    print(f"fuzzed {total} operations over {anonymous['fields']} fields")
    assert anonymous["fields"] >= 20 and total >= anonymous["fields"] * 4
