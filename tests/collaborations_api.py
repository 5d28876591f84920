"""Operations and helpers for the collaborations tests: GraphQL in, JSON out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api import Api, Member

ERRORS = "errors { field message code }"
COLLABORATION_FIELDS = """
  id title brief briefHtml status deadline tags openSlots
  owners { handle }
  steps { id position title deadline
          needs { id mediaType skill count description filled remaining } }
  credits { handle }
  results { id title }
"""
CREATE = f"""
mutation Create($input: CreateCollaborationInput!) {{
  createCollaboration(input: $input) {{ collaboration {{ {COLLABORATION_FIELDS} }} {ERRORS} }}
}}
"""
COLLABORATION = f"""
query Collaboration($id: ID!) {{ collaboration(id: $id) {{ {COLLABORATION_FIELDS} }} }}
"""
CONTRIBUTION_FIELDS = """
  id status note credited declineReason acceptedAt withdrawnAt
  record { id title } contributor { handle } need { id filled remaining }
"""
OFFER = f"""
mutation Offer($input: OfferContributionInput!) {{
  offerContribution(input: $input) {{ contribution {{ {CONTRIBUTION_FIELDS} }} {ERRORS} }}
}}
"""


def decision(name: str, extra: str = "") -> str:
    return f"""
mutation Decide($id: ID!{', $reason: String!' if extra else ''}) {{
  {name}(input: {{id: $id{extra}}}) {{ contribution {{ {CONTRIBUTION_FIELDS} }} {ERRORS} }}
}}
"""


ACCEPT = decision("acceptContribution")
SHORTLIST = decision("shortlistContribution")
WITHDRAW = decision("withdrawContribution")
DECLINE = decision("declineContribution", ", reason: $reason")


def move(name: str) -> str:
    return f"""
mutation Move($id: ID!) {{
  {name}(input: {{id: $id}}) {{ collaboration {{ id status }} {ERRORS} }}
}}
"""


OPEN, CLOSE, ARCHIVE = move("openCollaboration"), move("closeCollaboration"), \
    move("archiveCollaboration")
COMPLETE = f"""
mutation Complete($id: ID!, $results: [ID!]!) {{
  completeCollaboration(input: {{id: $id, results: $results}}) {{
    collaboration {{ id status results {{ title }} credits {{ handle }} }} {ERRORS}
  }}
}}
"""


def later(days: float = 7) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


def song_call(**overrides: Any) -> dict[str, Any]:
    """A call in two steps: lyrics (writing), then music for them."""
    return {
        "title": "A song about the lighthouse",
        "brief": "We're making a **song**. See [the map](https://example.org/map).",
        "deadline": later(30), "tags": ["Sea", "song"],
        "steps": [
            {"title": "Lyrics", "deadline": later(10), "needs": [
                {"mediaType": "writing", "skill": "Lyrics", "count": 1,
                 "description": "Two verses and a chorus."}]},
            {"title": "Music", "deadline": later(20), "needs": [
                {"mediaType": "music", "skill": "piano", "count": 2,
                 "description": "A tune for the lyrics."}]},
        ],
        **overrides,
    }


async def create(api: Api, owner: Member, **overrides: Any) -> dict[str, Any]:
    data = await api.gql(CREATE, {"input": song_call(**overrides)}, token=owner.token)
    payload = data["createCollaboration"]
    assert payload["errors"] == [], payload
    return payload["collaboration"]


async def opened(api: Api, owner: Member, **overrides: Any) -> dict[str, Any]:
    collaboration = await create(api, owner, **overrides)
    data = await api.gql(OPEN, {"id": collaboration["id"]}, token=owner.token)
    assert data["openCollaboration"]["errors"] == [], data
    return collaboration


def need_of(collaboration: dict[str, Any], step: int = 0, need: int = 0) -> str:
    return collaboration["steps"][step]["needs"][need]["id"]


MUSIC = {"music": {"durationSeconds": 180}}


async def offer(api: Api, member: Member, need_id: str, record_id: str, **extra: Any,
                ) -> dict[str, Any]:
    data = await api.gql(OFFER, {"input": {"needId": need_id, "recordId": record_id, **extra}},
                         token=member.token)
    return data["offerContribution"]


async def decide(api: Api, operation: str, owner: Member, contribution_id: str,
                 **variables: Any) -> dict[str, Any]:
    data = await api.gql(operation, {"id": contribution_id, **variables}, token=owner.token)
    return next(iter(data.values()))
