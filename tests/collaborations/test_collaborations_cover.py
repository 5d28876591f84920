"""A collaboration's cover image, through the media slice: a multipart upload checked as image
records' files are, its owners' to set, replace and remove; a draft's cover behind a signed
URL, an opened one's public. A refusal writes nothing and leaves no bytes behind."""

from __future__ import annotations

from typing import Any

from tests.api import Api, Member
from tests.collaborations_api import OPEN, create
from tests.media_files import nothing_left_behind, png, stored_blobs, upload, wav

COVER_FIELDS = "cover { url mimeType size sha256 filename metadata thumbnailUrl }"
SET_COVER = f"""
mutation Cover($input: SetCollaborationCoverInput!) {{
  setCollaborationCover(input: $input) {{
    collaboration {{ {COVER_FIELDS} }} errors {{ field message code }} }} }}"""
REMOVE_COVER = f"""
mutation Remove($id: ID!) {{
  removeCollaborationCover(input: {{id: $id}}) {{
    collaboration {{ {COVER_FIELDS} }} errors {{ field code }} }} }}"""
COVER = f"""query Cover($id: ID!) {{ collaboration(id: $id) {{ {COVER_FIELDS} }} }}"""


async def set_cover(api: Api, member: Member, collaboration_id: str, name: str, data: bytes,
                    content_type: str) -> dict[str, Any]:
    status, body = await upload(api, SET_COVER, {"input": {"id": collaboration_id,
                                                           "file": None}},
                                {"input.file": (name, data, content_type)}, token=member.token)
    assert status == 200, body
    return body


def path_of(url: str) -> str:
    return url[url.index("/media/"):]


async def test_owners_set_a_cover_image_signed_while_a_draft_public_once_open(
    api: Api,
) -> None:
    ada = await api.sign_up("ada")
    collaboration = await create(api, ada)
    ids = {"id": collaboration["id"]}
    assert (await api.gql(COVER, ids, token=ada.token))["collaboration"]["cover"] is None

    body = await set_cover(api, ada, collaboration["id"], "sea.png", png(64, 48), "image/png")
    payload = body["data"]["setCollaborationCover"]
    assert payload["errors"] == []
    cover = payload["collaboration"]["cover"]
    assert (cover["mimeType"], cover["filename"], cover["metadata"]) == (
        "image/png", "sea.png", {"width": 64, "height": 48, "format": "PNG"})
    assert "signature=" in cover["url"] and cover["thumbnailUrl"] is not None
    assert (await api.client.get(f"/media/{cover['sha256']}")).status == 403  # a draft's
    assert (await api.client.get(path_of(cover["url"]))).status == 200

    await api.gql(OPEN, ids, token=ada.token)
    cover = (await api.gql(COVER, ids))["collaboration"]["cover"]
    assert path_of(cover["url"]) == f"/media/{cover['sha256']}"  # opened: public
    response = await api.client.get(path_of(cover["url"]))
    assert response.status == 200 and await response.read() == png(64, 48)


async def test_replacing_and_removing_a_cover_releases_its_file(api: Api) -> None:
    ada = await api.sign_up("ada")
    collaboration = await create(api, ada)
    first = (await set_cover(api, ada, collaboration["id"], "a.png", png(64, 48), "image/png"))
    old = first["data"]["setCollaborationCover"]["collaboration"]["cover"]
    second = await set_cover(api, ada, collaboration["id"], "b.png", png(32, 32), "image/png")
    new = second["data"]["setCollaborationCover"]["collaboration"]["cover"]
    assert new["filename"] == "b.png" and new["sha256"] != old["sha256"]
    assert old["sha256"] not in await stored_blobs(api.hub)
    assert new["sha256"] in await stored_blobs(api.hub)

    data = await api.gql(REMOVE_COVER, {"id": collaboration["id"]}, token=ada.token)
    assert data["removeCollaborationCover"] == {"collaboration": {"cover": None}, "errors": []}
    await nothing_left_behind(api.hub)


async def test_only_owners_set_a_cover_and_only_an_image(api: Api) -> None:
    ada = await api.sign_up("ada")
    bob = await api.sign_up("bob")
    collaboration = await create(api, ada)
    body = await set_cover(api, bob, collaboration["id"], "sea.png", png(), "image/png")
    assert body["data"]["setCollaborationCover"]["errors"] == [{
        "field": "id", "code": "NOT_FOUND", "message": "No such collaboration."}]  # a draft
    await api.gql(OPEN, {"id": collaboration["id"]}, token=ada.token)
    body = await set_cover(api, bob, collaboration["id"], "sea.png", png(), "image/png")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await set_cover(api, ada, collaboration["id"], "tone.wav", wav(), "image/png")
    (error,) = body["data"]["setCollaborationCover"]["errors"]
    assert (error["field"], error["code"]) == ("file", "UNSUPPORTED_FILE_TYPE")
    await nothing_left_behind(api.hub)
    assert await api.hub.db.fetchval("select count(*) from collaboration_covers") == 0
