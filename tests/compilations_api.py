"""Operations and helpers shared by the compilation tests: the operation as a constant, sent
through the real HTTP app."""

from __future__ import annotations

from typing import Any

from tests.api import Api, Member

ERRORS = "errors { field message code }"
COMPILATION_FIELDS = """
  id title target status lineageShare maxDepth editorsPercent payoutWindowDays
  settings { __typename ... on BookSettings { subtitle authorLine language maxWords }
             ... on TvSettings { episodeTitle targetRuntimeSeconds toleranceSeconds } }
  editors { handle }
  items { id position note weight record { id title } }
  problems { code message itemId }
  history { action fromStatus toStatus reason actor { handle } }
  publications { version publishedAt files { name mimeType size sha256 url } }
"""
CREATE = f"""
mutation Create($input: CreateCompilationInput!) {{
  createCompilation(input: $input) {{ compilation {{ {COMPILATION_FIELDS} }} {ERRORS} }}
}}"""
ADD_ITEM = f"""
mutation Add($input: AddCompilationItemInput!) {{
  addCompilationItem(input: $input) {{
    item {{ id position }} compilation {{ id items {{ position record {{ title }} }} }} {ERRORS}
  }}
}}"""
MOVE_ITEM = f"""
mutation Move($input: MoveCompilationItemInput!) {{
  moveCompilationItem(input: $input) {{
    compilation {{ items {{ position record {{ title }} }} }} {ERRORS}
  }}
}}"""
REMOVE_ITEM = f"""
mutation Remove($input: CompilationItemIdInput!) {{
  removeCompilationItem(input: $input) {{
    compilation {{ items {{ position record {{ title }} }} }} {ERRORS}
  }}
}}"""
ADD_EDITOR = f"""
mutation AddEditor($input: AddCompilationEditorInput!) {{
  addCompilationEditor(input: $input) {{ compilation {{ editors {{ handle }} }} {ERRORS} }}
}}"""
SUBMIT = f"""mutation Submit($id: ID!) {{
  submitCompilation(input: {{id: $id}}) {{ compilation {{ status }} {ERRORS} }} }}"""
APPROVE = f"""mutation Approve($id: ID!) {{
  approveCompilation(input: {{id: $id}}) {{ compilation {{ status }} {ERRORS} }} }}"""
RETURN = f"""mutation Return($id: ID!, $reason: String!) {{
  returnCompilation(input: {{id: $id, reason: $reason}}) {{ compilation {{ status }} {ERRORS} }} }}"""
ARCHIVE = f"""mutation Archive($id: ID!) {{
  archiveCompilation(input: {{id: $id}}) {{ compilation {{ status }} {ERRORS} }} }}"""
PUBLISH = f"""
mutation Publish($id: ID!) {{
  publishCompilation(input: {{id: $id}}) {{
    compilation {{ status }}
    publication {{ version files {{ name mimeType size sha256 url }} }}
    {ERRORS}
  }}
}}"""
COMPILATION = f"""query One($id: ID!) {{ compilation(id: $id) {{ {COMPILATION_FIELDS} }} }}"""


async def editors(api: Api) -> tuple[Member, Member]:
    return await api.sign_up("eddie", "EDITOR"), await api.sign_up("erin", "EDITOR")


async def story(
    api: Api, member: Member, title: str, text: str = "Once upon a time, a harbor.",
    sources: list[str] | None = None, form: str = "STORY",
) -> dict[str, Any]:
    return await api.create_record(member, title, publish=True, sources=sources or [],
                                   details={"writing": {"form": form, "text": text}})


async def film(api: Api, member: Member, title: str, seconds: int) -> dict[str, Any]:
    return await api.create_record(member, title, publish=True, details={
        "film": {"durationSeconds": seconds, "aspectRatio": "16:9"}})


async def music(api: Api, member: Member, title: str, seconds: int) -> dict[str, Any]:
    return await api.create_record(member, title, publish=True, details={"music": {
        "durationSeconds": seconds, "tempoBpm": 90, "key": "A minor", "genre": "ambient",
        "instruments": ["piano"]}})


async def create(api: Api, editor: Member, **input: Any) -> dict[str, Any]:
    data = await api.gql(CREATE, {"input": {"title": "Harbor Stories", "target": "book", **input}},
                         token=editor.token)
    payload = data["createCompilation"]
    assert payload["errors"] == [], payload
    return payload["compilation"]


async def add(api: Api, editor: Member, compilation: dict[str, Any], record: dict[str, Any],
              **input: Any) -> dict[str, Any]:
    data = await api.gql(ADD_ITEM, {"input": {"compilationId": compilation["id"],
                                              "recordId": record["id"], **input}},
                         token=editor.token)
    payload = data["addCompilationItem"]
    assert payload["errors"] == [], payload
    return payload["item"]


async def step(api: Api, operation: str, editor: Member, compilation_id: str,
               **variables: Any) -> dict[str, Any]:
    data = await api.gql(operation, {"id": compilation_id, **variables}, token=editor.token)
    return next(iter(data.values()))


async def approved(api: Api, compilation: dict[str, Any], first: Member, second: Member) -> None:
    """Submit by ``first`` and approve by ``second`` (who joins the team first)."""
    await api.gql(ADD_EDITOR, {"input": {"compilationId": compilation["id"],
                                         "memberId": second.id}}, token=first.token)
    assert (await step(api, SUBMIT, first, compilation["id"]))["errors"] == []
    assert (await step(api, APPROVE, second, compilation["id"]))["errors"] == []
