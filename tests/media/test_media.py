"""Media files: uploads through the GraphQL multipart request spec, metadata, storage,
downloads with Range/ETag, signed URLs for drafts, shared blobs, and every kind of bad upload.

Every test here runs on local storage; tests/media/test_media_s3.py runs the storage-facing ones
again against an S3-compatible server on loopback.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import aiohttp
import hub_writing
import pytest
from PIL import Image

from hub import ExtractedMedia, MediaError
from hub.core.relay import decode_id
from hub.domain.media import service
from hub.domain.media.urls import media_path
from hub.plugins import HubPlugins
from tests.api import Api, Member
from tests.media_files import (
    PREFLIGHT,
    executable,
    mp4,
    nothing_left_behind,
    png,
    png_bomb,
    spooled,
    stored_blobs,
    upload,
    wav,
)

RECORD_FIELDS = """
    id version status
    details {
      ... on MusicDetails { durationSeconds genre }
      ... on ImageDetails { caption width height }
      ... on WritingDetails { text wordCount }
      ... on FilmDetails { durationSeconds role }
    }
    media { url mimeType size sha256 filename metadata thumbnailUrl }
"""

ATTACH_MEDIA = f"""
mutation Attach($input: AttachMediaInput!) {{
  attachMedia(input: $input) {{ record {{ {RECORD_FIELDS} }} errors {{ field message code }} }}
}}
"""

CREATE_WITH_FILES = f"""
mutation Create($input: CreateRecordInput!) {{
  createRecord(input: $input) {{ record {{ {RECORD_FIELDS} }} errors {{ field message code }} }}
}}
"""

RECORD = f"query($id: ID!) {{ record(id: $id) {{ {RECORD_FIELDS} }} }}"
DELETE = "mutation($id: ID!) { deleteRecord(input: {id: $id}) { errors { code } } }"


async def attach(
    api: Api, member: Member, record_id: str, name: str, data: bytes, content_type: str,
) -> tuple[int, dict[str, Any]]:
    return await upload(api, ATTACH_MEDIA, {"input": {"recordId": record_id, "file": None}},
                        {"input.file": (name, data, content_type)}, token=member.token)


async def attached(api: Api, member: Member, record_id: str, name: str, data: bytes,
                   content_type: str) -> dict[str, Any]:
    status, body = await attach(api, member, record_id, name, data, content_type)
    assert status == 200, body
    assert "errors" not in body, body
    payload = body["data"]["attachMedia"]
    assert payload["errors"] == [], payload
    return payload["record"]


async def refused(api: Api, member: Member, record_id: str, name: str, data: bytes,
                  content_type: str) -> dict[str, Any]:
    """The one payload error of an attachMedia that must fail."""
    status, body = await attach(api, member, record_id, name, data, content_type)
    assert status == 200, body
    payload = body["data"]["attachMedia"]
    assert payload["record"] is None and len(payload["errors"]) == 1, payload
    return payload["errors"][0]


def path_of(url: str) -> str:
    return url[url.index("/media/"):]


# --- uploads and metadata, one per media type ------------------------------------------------


async def test_hook_hub_extract_metadata(api: Api) -> None:
    """Music: mutagen reads the WAV; its duration fills the empty durationSeconds."""
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {"genre": "drone"}})
    sound = wav(seconds=1.5, rate=8000)
    result = await attached(api, ada, record["id"], "hum.wav", sound, "audio/wav")
    assert result["details"] == {"durationSeconds": 2, "genre": "drone"}
    assert result["version"] == 2
    [media] = result["media"]
    assert media["mimeType"] == "audio/wav"
    assert media["size"] == len(sound)
    assert media["sha256"] == hashlib.sha256(sound).hexdigest()
    assert media["filename"] == "hum.wav"
    assert media["metadata"] == {"durationSeconds": 1.5, "bitrate": 128000, "sampleRate": 8000,
                                 "channels": 1, "bitsPerSample": 16}
    assert media["thumbnailUrl"] is None


async def test_details_the_member_gave_win_over_extracted_values(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {"durationSeconds": 99}})
    result = await attached(api, ada, record["id"], "hum.wav", wav(), "audio/wav")
    assert result["details"]["durationSeconds"] == 99
    assert result["media"][0]["metadata"]["durationSeconds"] == 1.5


async def test_an_image_at_create_record_gets_dimensions_and_a_thumbnail(api: Api) -> None:
    ada = await api.sign_up("ada")
    picture = png(64, 48)
    status, body = await upload(api, CREATE_WITH_FILES, {"input": {
        "title": "Magenta", "details": {"image": {"caption": " A field of magenta "}},
        "files": [None]}}, {"input.files.0": ("magenta.png", picture, "image/png")},
        token=ada.token)
    assert status == 200 and body["data"]["createRecord"]["errors"] == [], body
    record = body["data"]["createRecord"]["record"]
    assert record["details"] == {"caption": "A field of magenta", "width": 64, "height": 48}
    [media] = record["media"]
    assert media["mimeType"] == "image/png"
    assert media["metadata"] == {"width": 64, "height": 48, "format": "PNG"}
    # A draft: the thumbnail, like the file, is behind a signed URL.
    thumbnail = await api.client.get(path_of(media["thumbnailUrl"]))
    assert thumbnail.status == 200 and thumbnail.content_type == "image/png"
    with Image.open(io.BytesIO(await thumbnail.read())) as image:
        assert max(image.size) <= 320


async def test_a_text_file_fills_an_empty_story_and_is_counted(api: Api) -> None:
    ada = await api.sign_up("ada")
    story = "It was a dark and stormy night.\nThe end.\n"
    status, body = await upload(api, CREATE_WITH_FILES, {"input": {
        "title": "Storm", "details": {"writing": {"form": "STORY", "text": ""}},
        "files": [None]}}, {"input.files.0": ("storm.txt", story.encode(), "text/plain")},
        token=ada.token)
    payload = body["data"]["createRecord"]
    assert status == 200 and payload["errors"] == [], body
    assert payload["record"]["details"] == {"text": story.strip(), "wordCount": 9}
    assert payload["record"]["media"][0]["metadata"] == {
        "wordCount": 9, "characters": len(story.strip()), "lines": 2}


async def test_a_film_gets_its_container_and_duration(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Shot", details={"film": {"role": "SHOT"}})
    result = await attached(api, ada, record["id"], "shot.mp4", mp4(3.6), "video/mp4")
    assert result["details"] == {"durationSeconds": 4, "role": "SHOT"}
    assert result["media"][0]["mimeType"] == "video/mp4"
    assert result["media"][0]["metadata"] == {"container": "mp4", "durationSeconds": 3.6}


def test_media_settings_are_checked_at_start_up(tmp_path: Path) -> None:
    from dataclasses import replace

    from hub.core.config import ConfigError, Settings
    from hub.domain.media.urls import secret_key

    for name, value, message in (
        ("HUB_STORAGE_URL", "ftp://x", "not an s3://bucket/prefix URL"),
        ("HUB_STORAGE_URL", "s3://b/p?endpoint=x", "unknown parameter(s) endpoint"),
        ("HUB_SECRET_KEY", "short", "at least 32"),
        ("HUB_MAX_UPLOAD_BYTES", str(2**31), "outside"),
    ):
        with pytest.raises(ConfigError, match=re.escape(message)):
            Settings.from_env({name: value})
    generated = replace(Settings(), data_dir=tmp_path)
    key = secret_key(generated)
    assert len(key) >= 32 and (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert secret_key(replace(Settings(), data_dir=tmp_path)) == key  # kept across restarts
    assert secret_key(replace(generated, secret_key="k" * 32)) == b"k" * 32


# --- delivery --------------------------------------------------------------------------------


async def test_download_with_range_etag_and_cache_headers(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}}, publish=True)
    sound = wav()
    media = (await attached(api, ada, record["id"], "hum.wav", sound, "audio/wav"))["media"][0]
    path = path_of(media["url"])
    assert path == f"/media/{media['sha256']}"  # published: a plain, public URL

    full = await api.client.get(path)
    assert full.status == 200 and await full.read() == sound
    assert full.headers["ETag"] == f'"{media["sha256"]}"'
    assert full.headers["Accept-Ranges"] == "bytes"
    assert full.headers["Cache-Control"] == "public, max-age=86400"
    assert full.headers["Content-Type"] == "audio/wav"
    assert full.headers["X-Content-Type-Options"] == "nosniff"

    part = await api.client.get(path, headers={"Range": "bytes=10-19"})
    assert part.status == 206 and await part.read() == sound[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(sound)}"
    tail = await api.client.get(path, headers={"Range": "bytes=-5"})
    assert tail.status == 206 and await tail.read() == sound[-5:]
    beyond = await api.client.get(path, headers={"Range": f"bytes={len(sound)}-"})
    assert beyond.status == 416 and beyond.headers["Content-Range"] == f"bytes */{len(sound)}"
    stale = await api.client.get(path, headers={"Range": "bytes=0-3", "If-Range": '"other"'})
    assert stale.status == 200 and await stale.read() == sound

    cached = await api.client.get(path, headers={"If-None-Match": full.headers["ETag"]})
    assert cached.status == 304 and await cached.read() == b""
    assert (await api.client.get("/media/" + "0" * 64)).status == 404
    assert (await api.client.get("/media/not-a-hash")).status == 404


async def test_a_drafts_files_only_for_its_author_through_signed_urls(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    record = await api.create_record(ada, "Secret hum", details={"music": {}})
    media = (await attached(api, ada, record["id"], "hum.wav", wav(), "audio/wav"))["media"][0]
    sha = media["sha256"]
    signed = path_of(media["url"])
    assert "signature=" in signed and "expires=" in signed

    ok = await api.client.get(signed)
    assert ok.status == 200 and ok.headers["Cache-Control"].startswith("private, max-age=")
    assert (await api.client.get(f"/media/{sha}")).status == 403
    assert (await api.client.get(signed[:-3] + "abc")).status == 403
    expired = media_path(api.hub.settings, sha, public=False, now=time.time() - 3 * 3600)
    assert (await api.client.get(expired)).status == 403
    # Bob cannot see the draft, so he never gets a URL for its file.
    seen = await api.gql(RECORD, {"id": record["id"]}, token=bob.token)
    assert seen["record"] is None
    # Published, the same bytes are public.
    await api.gql("mutation($id: ID!) { publishRecord(input: {id: $id}) { errors { code } } }",
                  {"id": record["id"]}, token=ada.token)
    assert (await api.client.get(f"/media/{sha}")).status == 200


# --- shared blobs ----------------------------------------------------------------------------


async def test_the_same_blob_is_stored_once_and_kept_while_used(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    sound = wav()
    sha = hashlib.sha256(sound).hexdigest()
    first = await api.create_record(ada, "One", details={"music": {}}, publish=True)
    second = await api.create_record(bob, "Two", details={"music": {}}, publish=True)
    await attached(api, ada, first["id"], "a.wav", sound, "audio/wav")
    await attached(api, bob, second["id"], "b.wav", sound, "audio/wav")
    assert await api.hub.db.fetchval("select count(*) from blobs") == 1
    assert await stored_blobs(api.hub) == {sha}
    # What a publishing target reads to embed a record's media in its artifact.
    pk = decode_id(first["id"], "Record")
    [row] = (await service.media_for_records(api.hub.db, [pk]))[pk]
    assert (row["filename"], row["mime_type"], row["sha256"]) == ("a.wav", "audio/wav", sha)
    assert await service.read_blob(_context(api), sha, row["size"]) == sound

    await api.gql(DELETE, {"id": first["id"]}, token=ada.token)
    assert await stored_blobs(api.hub) == {sha}  # Bob's record still uses it
    assert (await api.client.get(f"/media/{sha}")).status == 200

    # A publication keeps it after the last record that used it is gone.
    async with api.hub.db.transaction() as tx:
        await service.use_in_publication(tx, "compilation:1/book.epub", sha, "cover-audio")
    await api.gql(DELETE, {"id": second["id"]}, token=bob.token)
    assert await stored_blobs(api.hub) == {sha}
    assert (await api.client.get(f"/media/{sha}")).status == 200

    async with api.hub.db.transaction() as tx:
        await service.release_publication(tx, _context(api), "compilation:1/book.epub")
    assert await stored_blobs(api.hub) == set()
    assert await api.hub.db.fetchval("select count(*) from blobs") == 0


def _context(api: Api) -> Any:
    from hub.api.context import Context

    return Context(db=api.hub.db, plugins=api.hub.plugins, settings=api.hub.settings)


# --- bad input: each a clear error, nothing left behind --------------------------------------


async def test_an_executable_claiming_to_be_audio_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}})
    error = await refused(api, ada, record["id"], "song.mp3", executable(), "audio/mpeg")
    assert error["code"] == "UNSUPPORTED_FILE_TYPE" and error["field"] == "file"
    assert "application/x-msdownload (sent as audio/mpeg)" in error["message"]
    await nothing_left_behind(api.hub)


async def test_an_empty_file_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}})
    error = await refused(api, ada, record["id"], "empty.wav", b"", "audio/wav")
    assert error == {"field": "file", "message": "The file is empty (0 bytes).",
                     "code": "INVALID_FILE"}
    await nothing_left_behind(api.hub)


async def test_a_file_over_the_media_types_limit_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Long")
    error = await refused(api, ada, record["id"], "long.txt", b"word " * 419_431, "text/plain")
    assert error["code"] == "FILE_TOO_LARGE"
    assert "2,097,155 bytes; writing files have at most 2,097,152" in error["message"]
    await nothing_left_behind(api.hub)


async def test_a_file_over_the_hubs_limit_is_stopped_while_streaming(api: Api) -> None:
    from dataclasses import replace

    api.hub.settings = replace(api.hub.settings, max_upload_bytes=1000)
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}})
    status, body = await attach(api, ada, record["id"], "hum.wav", wav(), "audio/wav")
    assert status == 413
    assert "larger than the hub's limit of 1,000 bytes" in str(body)
    await nothing_left_behind(api.hub)


async def test_a_truncated_upload_leaves_nothing_behind(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}})
    boundary = "hubboundary"
    operations = json.dumps({"query": ATTACH_MEDIA, "variables": {
        "input": {"recordId": record["id"], "file": None}}})
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{operations}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        '{"0": ["variables.input.file"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="hum.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode() + wav(seconds=20)  # 320 kB of a promised 1 MB
    server = api.client.server
    _reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write((
        "POST /graphql HTTP/1.1\r\nHost: test\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {1_000_000}\r\nAuthorization: Bearer {ada.token}\r\n"
        "GraphQL-Require-Preflight: 1\r\n\r\n"
    ).encode() + head)
    await writer.drain()
    await _eventually(lambda: len(spooled(api.hub)) == 1)  # the file is being spooled...
    writer.close()  # ...when the connection drops
    await _eventually(lambda: spooled(api.hub) == [])
    await _eventually(lambda: api.hub.uploads.in_progress == 0)  # its place is free again
    await nothing_left_behind(api.hub)
    assert await api.hub.db.fetchval("select version from records") == 1


async def _eventually(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_a_filename_with_path_separators_is_refused(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}})
    error = await refused(api, ada, record["id"], "../../etc/passwd", wav(), "audio/wav")
    assert error["code"] == "INVALID_FILE"
    assert "'../../etc/passwd' contains a path" in error["message"]
    await nothing_left_behind(api.hub)


async def test_an_image_bomb_is_refused_before_decoding(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Huge", details={"image": {"caption": "big"}})
    error = await refused(api, ada, record["id"], "bomb.png", png_bomb(), "image/png")
    assert error["code"] == "INVALID_FILE" and error["field"] == "file"
    assert "larger than 50,000,000 pixels" in error["message"] or "100000×100000" in error["message"]
    await nothing_left_behind(api.hub)


async def test_uploading_to_someone_elses_record_is_forbidden(api: Api) -> None:
    ada, bob = await api.sign_up("ada"), await api.sign_up("bob")
    published = await api.create_record(ada, "Hum", details={"music": {}}, publish=True)
    status, body = await attach(api, bob, published["id"], "mine.wav", wav(), "audio/wav")
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    draft = await api.create_record(ada, "Draft", details={"music": {}})
    error = await refused(api, bob, draft["id"], "mine.wav", wav(), "audio/wav")
    assert error["code"] == "NOT_FOUND"  # a draft's existence does not leak
    _, anonymous = await upload(
        api, ATTACH_MEDIA, {"input": {"recordId": draft["id"], "file": None}},
        {"input.file": ("x.wav", wav(), "audio/wav")}, token=None)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await nothing_left_behind(api.hub)


async def test_a_malformed_multipart_request_is_a_400(api: Api) -> None:
    ada = await api.sign_up("ada")
    operations = json.dumps({"query": ATTACH_MEDIA, "variables": {"input": {"file": None}}})

    async def post(files_map: str, *parts: tuple[str, bytes]) -> tuple[int, str]:
        form = aiohttp.FormData(default_to_multipart=True)
        form.add_field("operations", operations)
        form.add_field("map", files_map)
        for name, data in parts:
            form.add_field(name, data, filename="x.txt", content_type="text/plain")
        response = await api.client.post("/graphql", data=form, headers={
            **PREFLIGHT, "Authorization": f"Bearer {ada.token}"})
        return response.status, await response.text()

    assert await post('{"0": ["query"]}', ("0", b"x")) == (
        400, '`map` must be an object like {"0": ["variables.input.file"]}.')
    assert await post('{"0": ["variables.nope.file"]}', ("0", b"x")) == (
        400, "A path in `map` does not name a variable of `operations`.")
    status, text = await post('{"0": ["variables.input.file"]}', ("1", b"x"))
    assert (status, text) == (400, "The multipart part '1' is not named in `map`.")
    status, text = await post('{"0": ["variables.input.file"]}')
    assert status == 400 and "without the file part(s) ['0']" in text
    await nothing_left_behind(api.hub)


# --- who may upload, how much, how many at once ------------------------------------------------

BOUNDARY = "hubboundary"


def multipart_head(operations: dict[str, Any], filename: str, content_type: str) -> bytes:
    """A multipart body up to the first byte of its one file (mapped to input.file)."""
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        f"{json.dumps(operations)}\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        '{"0": ["variables.input.file"]}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()


class HeldBody:
    """A streamed (chunked) multipart body that sends ``data`` up to ``hold`` bytes, then
    waits for :meth:`release` before sending the rest and the closing boundary."""

    def __init__(self, operations: dict[str, Any], data: bytes, hold: int,
                 filename: str = "hum.wav", content_type: str = "audio/wav") -> None:
        self.head = multipart_head(operations, filename, content_type)
        self.data, self.hold = data, hold
        self._released = asyncio.Event()
        self.finished = False

    def release(self) -> None:
        self._released.set()

    async def chunks(self) -> Any:
        yield self.head
        for start in range(0, self.hold, 64 * 1024):
            yield self.data[start:min(start + 64 * 1024, self.hold)]
        await self._released.wait()
        yield self.data[self.hold:] + f"\r\n--{BOUNDARY}--\r\n".encode()
        self.finished = True


async def post_held(api: Api, body: HeldBody, token: str | None) -> aiohttp.ClientResponse:
    headers = {**PREFLIGHT, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await api.client.post("/graphql", data=body.chunks(), headers=headers)


def attach_operations(record_id: str) -> dict[str, Any]:
    return {"query": ATTACH_MEDIA, "variables": {"input": {"recordId": record_id, "file": None}}}


async def test_an_anonymous_upload_is_refused_before_its_body_is_read(api: Api) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Hum", details={"music": {}})
    # 5 MB, of which the client sends 4 MB and then waits: the answer must come before the
    # body is complete, so the hub cannot have read it.
    body = HeldBody(attach_operations(record["id"]), b"\x00" * 5_000_000, hold=4_000_000)
    async with asyncio.timeout(30):
        response = await post_held(api, body, token=None)
        refusal = await response.json()
    try:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert refusal["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "signed-in member" in refusal["errors"][0]["message"]
        assert not body.finished
        assert not (api.hub.settings.data_dir / "uploads").exists() or spooled(api.hub) == []
    finally:
        response.close()
        body.release()
    await nothing_left_behind(api.hub)


async def test_the_bytes_of_one_upload_request_are_capped(api: Api) -> None:
    from dataclasses import replace

    api.hub.settings = replace(api.hub.settings, max_upload_request_bytes=64 * 1024)
    ada = await api.sign_up("ada")
    two_texts = {"input": {"title": "Two", "files": [None, None], "details": {
        "writing": {"form": "POEM", "text": "x"}}}}
    files = {"input.files.0": ("a.txt", b"word " * 8_000, "text/plain"),
             "input.files.1": ("b.txt", b"more " * 8_000, "text/plain")}
    # A declared length over the cap: refused from the headers.
    status, body = await upload(api, CREATE_WITH_FILES, two_texts, files, token=ada.token)
    assert status == 413, body
    assert body["errors"][0]["extensions"]["code"] == "UPLOAD_TOO_LARGE"
    assert "at most 65,536 bytes per upload request" in body["errors"][0]["message"]
    assert "HUB_MAX_UPLOAD_REQUEST_BYTES" in body["errors"][0]["message"]
    # No declared length (chunked): counted while it streams, stopped at the cap.
    record = await api.create_record(ada, "Hum", details={"music": {}})
    held = HeldBody(attach_operations(record["id"]), wav(seconds=10), hold=0)
    held.release()
    response = await post_held(api, held, token=ada.token)
    assert response.status == 413
    assert "at most 65,536 bytes per upload request" in await response.text()
    await nothing_left_behind(api.hub)
    assert await api.hub.db.fetchval("select count(*) from records") == 1


async def test_concurrent_uploads_are_capped_per_member_and_per_address(api: Api) -> None:
    from dataclasses import replace

    api.hub.settings = replace(api.hub.settings, uploads_per_member=1, uploads_per_address=2)
    ada, bob, cyd = [await api.sign_up(handle) for handle in ("ada", "bob", "cyd")]
    records = {m.handle: await api.create_record(m, "Hum", details={"music": {}})
               for m in (ada, bob, cyd)}
    sound = wav(seconds=60)
    # Half of each file is sent, then the client waits: two uploads in progress. (The
    # multipart reader needs data beyond a boundary to see it, hence half a megabyte.)
    held = {m.handle: HeldBody(attach_operations(records[m.handle]["id"]), sound, hold=512 * 1024)
            for m in (ada, bob)}
    sending = {handle: asyncio.create_task(post_held(api, body, member.token))
               for (handle, body), member in zip(held.items(), (ada, bob), strict=True)}
    try:
        await _eventually(lambda: len(spooled(api.hub)) == 2)  # both are being read

        small = wav(seconds=1)
        status, body = await attach(api, ada, records["ada"]["id"], "two.wav", small, "audio/wav")
        assert status == 429, body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "TOO_MANY_UPLOADS"
        assert "HUB_UPLOADS_PER_MEMBER=1" in error["message"]
        status, body = await attach(api, cyd, records["cyd"]["id"], "c.wav", small, "audio/wav")
        assert status == 429, body
        assert "HUB_UPLOADS_PER_ADDRESS=2" in body["errors"][0]["message"]
        assert len(spooled(api.hub)) == 2  # the refused ones wrote nothing
    finally:
        for body in held.values():
            body.release()
    for task in sending.values():
        response = await task
        assert response.status == 200
        assert (await response.json())["data"]["attachMedia"]["errors"] == []
    assert api.hub.uploads.in_progress == 0
    # The places are free again.
    await attached(api, cyd, records["cyd"]["id"], "c.wav", wav(seconds=1), "audio/wav")
    assert spooled(api.hub) == []


# --- hub_media_accepts -----------------------------------------------------------------------


async def test_hook_hub_media_accepts(
    api: Api, plugins: HubPlugins, monkeypatch: pytest.MonkeyPatch,
) -> None:
    music = await plugins.call_owner("hub_media_accepts", "music")
    assert music.allows("audio/wav") and not music.allows("image/png")
    assert await plugins.call_owner("hub_media_accepts", "nonesuch") is None

    # The writing plugin, made to accept ten bytes at most and to refuse "corrupt" texts.
    monkeypatch.setattr(hub_writing, "MAX_FILE_BYTES", 10)
    read_text = hub_writing.read_text

    def picky(path: Path) -> ExtractedMedia:
        if path.read_bytes().startswith(b"corrupt"):
            raise MediaError("This text is corrupt.")
        return read_text(path)

    monkeypatch.setattr(hub_writing, "read_text", picky)
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Short")
    too_long = await refused(api, ada, record["id"], "a.txt", b"eleven char", "text/plain")
    assert too_long["code"] == "FILE_TOO_LARGE"
    corrupt = await refused(api, ada, record["id"], "b.txt", b"corrupt", "text/plain")
    assert corrupt == {"field": "file", "message": "This text is corrupt.",
                       "code": "INVALID_FILE"}
    fine = await attached(api, ada, record["id"], "c.txt", b"ten chars!", "text/plain")
    assert fine["media"][0]["metadata"] == {"wordCount": 2, "characters": 10, "lines": 1}
