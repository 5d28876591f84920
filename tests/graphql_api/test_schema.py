"""The API contract: the committed SDL matches the code, and the frontend operations run."""

from __future__ import annotations

from graphql import parse

from hub.api.schema import build_schema, printed_sdl
from hub.plugins import HubPlugins
from tests.api import Api
from tests.paths import ROOT

OPERATIONS = ROOT / "schema" / "operations"


def test_committed_sdl_matches_the_code(plugins: HubPlugins) -> None:
    committed = (ROOT / "schema" / "hub.graphql").read_text()
    current = printed_sdl(build_schema(plugins))
    assert committed == current, (
        "schema/hub.graphql is out of date: run `recordhub schema > schema/hub.graphql` "
        "and review the diff"
    )


def test_service_sdl_is_the_committed_sdl(plugins: HubPlugins) -> None:
    schema = build_schema(plugins)
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None
    sdl = result.data["_service"]["sdl"]
    assert "@link(url: \"https://specs.apollo.dev/federation/v2.11\"" in sdl
    assert 'type Record implements Node @key(fields: "id")' in sdl
    assert 'type Member implements Node @key(fields: "id")' in sdl


def test_every_field_has_a_description(plugins: HubPlugins) -> None:
    schema = build_schema(plugins)._schema
    missing = []
    for type_name in ("Query", "Mutation"):
        for name, field in schema.type_map[type_name].fields.items():  # type: ignore[union-attr]
            if not name.startswith("_") and not field.description:
                missing.append(f"{type_name}.{name}")
    assert missing == []


async def test_frontend_operations_run_against_demo_like_data(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Harbor", publish=True)
    remix = await api.create_record(ada, "Harbor (remix)", publish=True,
                                    sources=[record["id"]])
    created = await api.gql(
        """mutation { createClass(input: {title: "Writing a verse", summary: "Rhymes.",
           description: "Eight bars at a time.", skill: "rap", level: BEGINNER}) {
           class { slug } errors { code } } }""", token=ada.token)
    variables = {
        "feed": {"first": 10},
        "record_page": {"id": record["id"]},
        "record_lineage": {"id": remix["id"]},
        "member_page": {"handle": "ada"},
        "search": {"text": "harbor"},
        "class_page": {"slug": created["createClass"]["class"]["slug"]},
    }
    files = sorted(OPERATIONS.glob("*.graphql"))
    assert {f.stem for f in files} >= set(variables)
    for path in files:
        document = path.read_text()
        parse(document)
        data = await api.gql(document, variables.get(path.stem, {}), token=ada.token)
        assert data and all(value is not None for value in data.values()), path.name
