"""Previews before publishing (``Compilation.preview``, the ``hub_preview_publication`` hook):
a book's pages with their credits, a TV cut's timeline with media URLs an editing program can
load; for the editors team only, and never with hidden content."""

from __future__ import annotations

from urllib.parse import urlsplit

import opentimelineio as otio

from hub import BookPreview, CompilationSnapshot, PreviewChapter, hookimpl
from hub.domain.compilations.preview import sanitize_html
from hub.plugins import HubPlugins, create_plugins
from tests.api import Api
from tests.compilations.test_publishing import ZinePlugin, item, snapshot
from tests.compilations_api import (
    PUBLISH,
    add,
    approved,
    create,
    editors,
    film,
    music,
    step,
    story,
)
from tests.media.test_media import attached
from tests.media_files import mp4, png

PREVIEW = """query ($id: ID!) { compilation(id: $id) { status preview {
  __typename
  ... on BookPreview { chapters { title html itemId
                                  credits { handle displayName depth recordTitle } } }
  ... on TimelinePreview { totalSeconds targetSeconds toleranceSeconds
    clips { title track startSeconds durationSeconds itemId mediaUrl }
    markers { title atSeconds itemId } }
} } }"""
UNPUBLISH = """mutation($id: ID!) { unpublishRecord(input: {id: $id}) { errors { code } } }"""


class PreviewedZine(ZinePlugin):
    @hookimpl
    def hub_preview_publication(self, compilation: CompilationSnapshot) -> BookPreview:
        return BookPreview(tuple(PreviewChapter(i.title, f"<p>{i.title}</p>", i.contributors)
                                 for i in compilation.items))


async def test_hook_hub_preview_publication(plugins: HubPlugins) -> None:
    loaded = create_plugins(extra=[PreviewedZine()])
    zine = snapshot(item(1, "Tides", "writing", text="The sea."), target="zine")
    answer = await loaded.call_owner("hub_preview_publication", "zine", compilation=zine)
    assert [(c.title, c.html) for c in answer.chapters] == [("Tides", "<p>Tides</p>")]
    # The first-party targets: the book's pages, the cut's timeline.
    book = await plugins.call_owner("hub_preview_publication", "book", compilation=snapshot(
        item(1, "Tides", "writing", text="The sea.")))
    assert [c.title for c in book.chapters] == ["Title page", "Tides", "Credits"]
    cut = await plugins.call_owner("hub_preview_publication", "tv", compilation=snapshot(
        item(1, "Shot", "film", duration_seconds=10), target="tv"))
    assert (cut.total_seconds, [c.duration_seconds for c in cut.clips]) == (10, [10])


async def preview(api: Api, compilation_id: str, token: str | None) -> dict | None:
    found = (await api.gql(PREVIEW, {"id": compilation_id}, token=token))["compilation"]
    return found["preview"] if found is not None else None


async def test_a_book_preview_shows_its_pages_with_their_credits(api: Api) -> None:
    eddie, _ = await editors(api)
    dana = await api.sign_up("dana")
    tides = await story(api, dana, "Tides", text="The sea came in.\n\nAnd out <again>.")
    retold = await story(api, eddie, "Tides, retold", text="Again, the sea.",
                         sources=[tides["id"]])
    book = await create(api, eddie, title="Harbor", settings={"book": {
        "subtitle": "Short pieces", "authorLine": "The harbor crew"}})
    first = await add(api, eddie, book, tides)
    await add(api, eddie, book, retold)

    found = await preview(api, book["id"], eddie.token)
    assert found["__typename"] == "BookPreview"
    chapters = found["chapters"]
    assert [c["title"] for c in chapters] == ["Title page", "Tides", "Tides, retold", "Credits"]
    title_page, piece, remix, credits = chapters
    assert "<h1>Harbor</h1>" in title_page["html"] and "Short pieces" in title_page["html"]
    # The text is escaped, paragraph by paragraph; the credit line closes the page.
    assert piece["html"].startswith("<h1>Tides</h1>")
    assert "<p>The sea came in.</p>" in piece["html"]
    assert "<p>And out &lt;again&gt;.</p>" in piece["html"]
    assert piece["itemId"] == first["id"]
    assert piece["credits"] == [{"handle": "dana", "displayName": "Dana", "depth": 0,
                                 "recordTitle": "Tides"}]
    assert remix["credits"] == [
        {"handle": "eddie", "displayName": "Eddie", "depth": 0, "recordTitle": "Tides, retold"},
        {"handle": "dana", "displayName": "Dana", "depth": 1, "recordTitle": "Tides"}]
    assert "from “Tides” by Dana" in remix["html"]
    assert credits["credits"] == [] and credits["itemId"] is None
    assert "Dana (@dana)" in credits["html"] and "Eddie (@eddie)" in credits["html"]


async def test_only_the_team_gets_a_preview(api: Api) -> None:
    eddie, erin = await editors(api)
    admin = await api.sign_up("root", "ADMIN")
    reader = await api.sign_up("rita")
    book = await create(api, eddie, title="Harbor")
    await add(api, eddie, book, await story(api, eddie, "Tides"))
    assert await preview(api, book["id"], eddie.token) is not None
    assert await preview(api, book["id"], admin.token) is not None
    # Another editor sees the draft (editors review drafts) but is not on its team: no preview.
    assert await preview(api, book["id"], erin.token) is None
    # Members and anonymous readers do not see a draft at all.
    assert await preview(api, book["id"], reader.token) is None
    assert await preview(api, book["id"], None) is None

    # Published, the compilation is public; its preview stays the team's.
    await approved(api, book, eddie, erin)
    assert (await step(api, PUBLISH, eddie, book["id"]))["errors"] == []
    assert (await api.gql(PREVIEW, {"id": book["id"]}, token=reader.token))["compilation"] == {
        "status": "PUBLISHED", "preview": None}
    assert await preview(api, book["id"], None) is None
    assert await preview(api, book["id"], erin.token) is not None  # she joined to approve


async def test_a_record_no_longer_public_is_left_out_of_the_preview(api: Api) -> None:
    eddie, _ = await editors(api)
    dana, sol = await api.sign_up("dana"), await api.sign_up("sol")
    secret = await story(api, sol, "Secret diary", text="Nobody may read this.")
    kept = await story(api, dana, "Open letter", text="Everyone may read this.",
                         sources=[secret["id"]])
    book = await create(api, eddie, title="Letters")
    await add(api, eddie, book, secret)
    await add(api, eddie, book, kept)
    await api.gql(UNPUBLISH, {"id": secret["id"]}, token=sol.token)

    found = await preview(api, book["id"], eddie.token)
    assert [c["title"] for c in found["chapters"]] == ["Title page", "Open letter", "Credits"]
    everything = str(found)
    assert "Nobody may read this" not in everything and "Secret diary" not in everything
    # Its author keeps the credit, under the word for a hidden record.
    assert found["chapters"][1]["credits"][1] == {
        "handle": "sol", "displayName": "Sol", "depth": 1, "recordTitle": "[removed]"}


async def test_a_tv_preview_is_a_timeline_whose_clips_link_their_media(api: Api) -> None:
    eddie, erin = await editors(api)
    dana = await api.sign_up("dana")
    opening = await film(api, dana, "Opening Shot", 30)
    script = await story(api, dana, "Cold Open", text="INT. HARBOR - NIGHT", form="SCRIPT")
    scene = await film(api, dana, "Main Scene", 45)
    theme = await music(api, dana, "Theme", 75)
    await attached(api, dana, opening["id"], "opening.mp4", mp4(30), "video/mp4")
    episode = await create(api, eddie, title="Night Signals", target="tv", settings={"tv": {
        "targetRuntimeSeconds": 80, "toleranceSeconds": 10}})
    items = [await add(api, eddie, episode, record) for record in (opening, script, scene, theme)]

    found = await preview(api, episode["id"], eddie.token)
    assert found["__typename"] == "TimelinePreview"
    assert (found["totalSeconds"], found["targetSeconds"], found["toleranceSeconds"]) == (
        75, 80, 10)
    clips = found["clips"]
    assert [(c["title"], c["track"], c["startSeconds"], c["durationSeconds"]) for c in clips] == [
        ("Opening Shot", "Video", 0, 30), ("Main Scene", "Video", 30, 45),
        ("Theme", "Music", 0, 75)]  # the music under the picture, from the start
    assert [c["itemId"] for c in clips] == [items[0]["id"], items[2]["id"], items[3]["id"]]
    assert found["markers"] == [{"title": "Cold Open", "atSeconds": 30, "itemId": items[1]["id"]}]
    # The clip's media is the hub's public download, absolute, and it downloads.
    url = clips[0]["mediaUrl"]
    assert url.startswith("http") and "/media/" in url
    response = await api.client.get(urlsplit(url).path)
    assert response.status == 200 and (await response.read())[4:8] == b"ftyp"
    assert clips[1]["mediaUrl"] is None  # no file attached

    # Published, the timeline references the same URL, not an opaque recordhub: link.
    await api.hub.db.execute("update compilations set settings = settings - "
                             "'target_runtime_seconds' where id is not null")
    await approved(api, episode, eddie, erin)
    published = await step(api, PUBLISH, eddie, episode["id"])
    assert published["errors"] == []
    files = {f["name"]: f["url"] for f in published["publication"]["files"]}
    text = (await (await api.client.get(urlsplit(files["episode.otio"]).path)).read()).decode()
    assert "recordhub:" not in text
    timeline = otio.adapters.read_from_string(text, "otio_json")
    first, second = timeline.video_tracks()[0].find_clips()
    assert first.media_reference.target_url == url
    assert isinstance(second.media_reference, otio.schema.MissingReference)
    for name in ("episode.edl", "episode.xml"):
        body = (await (await api.client.get(urlsplit(files[name]).path)).read()).decode()
        assert url in body and "recordhub:" not in body, name


def test_chapter_html_is_sanitized_whatever_the_plugin_wrote() -> None:
    media = "/media/" + "a" * 64
    dirty = (f'<h1 onclick="steal()">Hi</h1><script>alert(1)</script><p>a <b>b</p>'
             f'<img src="https://tracker.example/x.png" alt="pic"><img src="{media}" alt="ok" '
             f'onerror="x()"><a href="javascript:alert(1)">link</a><!-- note -->'
             f'<style>p {{}}</style><svg><script>1</script></svg><p class="credit">c</p>'
             f'<iframe src="https://evil.example"></iframe>')
    assert sanitize_html(dirty) == (f'<h1>Hi</h1><p>a <b>b</b></p>[pic]<img src="{media}" '
                                    f'alt="ok">link<p class="credit">c</p>')
    # The hub's media under its own origin stay; the same path on another host does not.
    hub, other = "https://hub.example", "https://tracker.example"
    assert sanitize_html(f'<img src="{hub}{media}" alt="a"><img src="{other}{media}" alt="b">',
                         hub) == f'<img src="{hub}{media}" alt="a">[b]'
    assert sanitize_html("<p>unclosed <em>tags") == "<p>unclosed <em>tags</em></p>"


async def test_a_preview_costs_the_same_statements_however_many_items(api: Api) -> None:
    eddie, _ = await editors(api)
    dana = await api.sign_up("dana")
    source = await story(api, dana, "Tides")
    book = await create(api, eddie, title="Harbor")
    await add(api, eddie, book, await story(api, dana, "Salt", sources=[source["id"]]))

    async def statements() -> int:
        before = api.statements()
        await preview(api, book["id"], eddie.token)
        return api.statements() - before

    one = await statements()
    for n in range(4):
        await add(api, eddie, book, await story(api, eddie, f"Verse {n}", sources=[source["id"]]))
    assert await statements() == one


async def test_a_book_preview_shows_pictures_from_the_hubs_media(api: Api) -> None:
    eddie, _ = await editors(api)
    dana = await api.sign_up("dana")
    harbor = await api.create_record(dana, "Harbor at dawn", publish=True,
                                     details={"image": {"caption": "Boats"}})
    record = await attached(api, dana, harbor["id"], "dawn.png", png(), "image/png")
    book = await create(api, eddie, title="Harbor")
    await add(api, eddie, book, await story(api, dana, "Tides"))
    await add(api, eddie, book, harbor)
    [picture] = [c for c in (await preview(api, book["id"], eddie.token))["chapters"]
                 if c["title"] == "Harbor at dawn"]
    url = record["media"][0]["url"]
    assert f'<img src="{url}" alt="Harbor at dawn">' in picture["html"]
    response = await api.client.get(urlsplit(url).path)
    assert response.status == 200 and (await response.read())[:4] == b"\x89PNG"
