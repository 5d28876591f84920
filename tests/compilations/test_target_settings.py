"""Compilation target settings from the editorial studio: the TV cut's ``frameRate`` (a
broadcast rate, written into the OTIO timeline, the EDL and the Final Cut Pro XML) and the
book's ``coverRecord`` (one of its image items, the EPUB's cover)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest

from hub.plugins import HubPlugins
from tests.api import Api
from tests.compilations.test_publishing import check_epub, download, item, snapshot
from tests.compilations_api import (
    COMPILATION,
    CREATE,
    PUBLISH,
    add,
    approved,
    create,
    editors,
    step,
    story,
)
from tests.media.test_media import attached
from tests.media_files import png

UPDATE = """
mutation Update($input: UpdateCompilationInput!) {
  updateCompilation(input: $input) {
    compilation { id settings { ... on TvSettings { frameRate toleranceSeconds } } }
    errors { field message code }
  }
}"""

UPDATE_BOOK = """
mutation Update($input: UpdateCompilationInput!) {
  updateCompilation(input: $input) { errors { field message code } }
}"""


async def test_a_tv_cut_has_a_frame_rate_of_24_unless_set(api: Api) -> None:
    eddie, _ = await editors(api)
    plain = await create(api, eddie, target="tv")
    assert plain["settings"]["__typename"] == "TvSettings"
    pal = await create(api, eddie, target="tv", settings={"tv": {"frameRate": 25}})
    read = await api.gql(
        "query One($id: ID!) { compilation(id: $id) { settings { ... on TvSettings { frameRate "
        "} } } }", {"id": pal["id"]}, token=eddie.token)
    assert read == {"compilation": {"settings": {"frameRate": 25.0}}}
    changed = await api.gql(UPDATE, {"input": {"id": plain["id"], "settings": {
        "tv": {"frameRate": 29.97}}}}, token=eddie.token)
    assert changed["updateCompilation"] == {"compilation": {"id": plain["id"], "settings": {
        "frameRate": 29.97, "toleranceSeconds": 30}}, "errors": []}


async def test_a_frame_rate_that_is_not_a_broadcast_rate_is_refused(api: Api) -> None:
    eddie, _ = await editors(api)
    data = await api.gql(CREATE, {"input": {"title": "Odd", "target": "tv",
                                            "settings": {"tv": {"frameRate": 26}}}},
                         token=eddie.token)
    assert data["createCompilation"]["compilation"] is None
    [error] = data["createCompilation"]["errors"]
    assert error == {"field": "settings.tv.frameRate", "code": "INVALID_INPUT", "message":
                     "frameRate: 26 is not a broadcast frame rate; use one of 23.976, 24, 25, "
                     "29.97, 30, 50, 59.94, 60."}
    assert await api.hub.db.fetchval("select count(*) from compilations") == 0
    compilation = await create(api, eddie, target="tv", settings={"tv": {"frameRate": 50}})
    refused = await api.gql(UPDATE, {"input": {"id": compilation["id"], "settings": {
        "tv": {"frameRate": 12.5}}}}, token=eddie.token)
    assert refused["updateCompilation"]["errors"][0]["field"] == "settings.tv.frameRate"
    after = await api.gql(COMPILATION, {"id": compilation["id"]}, token=eddie.token)
    assert after["compilation"]["settings"]["__typename"] == "TvSettings"
    assert await api.hub.db.fetchval("select settings->>'frame_rate' from compilations") == "50.0"


@pytest.mark.parametrize(("rate", "otio_rate", "separator"), [
    (25.0, 25.0, ":"), (29.97, 30000 / 1001, ";"), (24.0, 24.0, ":")])
async def test_the_cut_is_written_at_its_frame_rate(
        plugins: HubPlugins, rate: float, otio_rate: float, separator: str) -> None:
    cut = snapshot(item(1, "Shot", "film", duration_seconds=70),
                   item(2, "Two", "film", duration_seconds=20), target="tv", frame_rate=rate)
    otio_file, edl, xml, _ = await plugins.call_owner("hub_render_compilation", "tv",
                                                      compilation=cut)
    # 29.97 is timecoded drop-frame (';' before the frames), the others non-drop.
    events = [line for line in edl.read().decode().splitlines() if line.startswith("00")]
    assert len(events) == 2
    assert all(code[8] == separator for line in events for code in line.split()[4:])
    for artifact, adapter, options in ((otio_file, "otio_json", {}), (edl, "cmx_3600",
                                       {"rate": otio_rate}), (xml, "fcp_xml", {})):
        timeline = otio.adapters.read_from_string(artifact.read().decode(), adapter, **options)
        durations = [clip.duration() for clip in timeline.find_clips()]
        assert [d.rate for d in durations] == [otio_rate] * 2, adapter
        assert [round(d.to_seconds()) for d in durations] == [70, 20], adapter
    if rate == 25.0:
        assert "<timebase>25</timebase>" in xml.read().decode()
        assert "00:00:00:00 00:01:10:00 00:00:00:00 00:01:10:00" in edl.read().decode()


# --- the book's cover ---------------------------------------------------------------------------

BOOK = """query One($id: ID!) { compilation(id: $id) {
  settings { ... on BookSettings { coverRecord } } problems { code message } } }"""


async def test_a_book_cover_is_one_of_its_image_items(api: Api, tmp_path: Path) -> None:
    eddie, erin = await editors(api)
    dana = await api.sign_up("dana")
    harbor = await api.create_record(dana, "Harbor at dawn", publish=True,
                                     details={"image": {"caption": "Boats"}})
    await attached(api, dana, harbor["id"], "dawn.png", png(), "image/png")
    tides = await story(api, dana, "Tides", text="The sea keeps its own counsel.")
    # A record that is not one of the book's image items is a problem naming coverRecord.
    book = await create(api, eddie, title="Harbor", settings={"book": {
        "language": "en", "coverRecord": tides["id"]}})
    await add(api, eddie, book, tides)
    await add(api, eddie, book, harbor)
    read = (await api.gql(BOOK, {"id": book["id"]}, token=eddie.token))["compilation"]
    assert read["settings"] == {"coverRecord": tides["id"]}
    assert read["problems"] == [{"code": "INVALID_SETTINGS", "message": f"coverRecord: "
                                 f"{tides['id']!r} is not one of the book's image items with "
                                 "a PNG, JPEG or GIF file."}]
    changed = await api.gql(UPDATE_BOOK, {"input": {"id": book["id"], "settings": {"book": {
        "language": "en", "coverRecord": harbor["id"]}}}}, token=eddie.token)
    assert changed["updateCompilation"]["errors"] == []
    read = (await api.gql(BOOK, {"id": book["id"]}, token=eddie.token))["compilation"]
    assert read == {"settings": {"coverRecord": harbor["id"]}, "problems": []}
    await approved(api, book, eddie, erin)
    published = await step(api, PUBLISH, eddie, book["id"])
    [file] = published["publication"]["files"]
    data = await download(api, file["url"])
    with zipfile.ZipFile(io.BytesIO(data)) as epub_file:
        assert epub_file.read("EPUB/images/cover.png") == png()
        opf = epub_file.read("EPUB/content.opf").decode()
    assert '<meta name="cover" content="cover-img">' in opf
    assert ('<item href="images/cover.png" id="cover-img" media-type="image/png" '
            'properties="cover-image"/>') in opf
    check_epub(data, tmp_path)
