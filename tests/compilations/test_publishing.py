"""Publishing targets: the hooks, the book (EPUB 3, checked by W3C EPUBCheck), the TV cut
(OTIO, CMX 3600 EDL, FCP XML read back through OTIO), served files, and the demo data."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import types
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import opentimelineio as otio
import pytest
import strawberry
from PIL import Image

from hub import (
    Artifact,
    CompilationSnapshot,
    Contributor,
    ItemSnapshot,
    MediaFileSnapshot,
    Problem,
    PublishingTarget,
    hookimpl,
)
from hub.plugins import HubPlugins, PluginError, create_plugins
from tests.api import Api
from tests.compilations_api import (
    COMPILATION,
    CREATE,
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
from tests.paths import ROOT


def epubcheck() -> list[str] | None:
    """The EPUBCheck command: Debian's ``epubcheck`` is the jar itself, run through Java."""
    path = shutil.which("epubcheck")
    if path is None:
        return None
    if os.path.realpath(path).endswith(".jar"):
        java = shutil.which("java")
        return [java, "-jar", os.path.realpath(path)] if java else None
    return [path]


def check_epub(data: bytes, tmp_path: Path) -> None:
    command = epubcheck()
    if command is None:
        pytest.skip("EPUBCheck is not installed (apt-get install -y epubcheck)")
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    result = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors or warnings detected" in result.stdout + result.stderr


async def download(api: Api, url: str) -> bytes:
    response = await api.client.get(urlsplit(url).path)
    assert response.status == 200, await response.text()
    return await response.read()


def snapshot(*items: ItemSnapshot, target: str = "book", **settings: object) -> CompilationSnapshot:
    return CompilationSnapshot(id="Q29tcGlsYXRpb246MQ", title="Harbor", description="",
                               target=target, settings=dict(settings), items=items,
                               editors=("Eddie",))


def item(position: int, title: str, media_type: str, **details: object) -> ItemSnapshot:
    return ItemSnapshot(
        id=f"item{position}", position=position, note="", weight="1", record_id=f"rec{position}",
        title=title, description="", media_type=media_type, details=dict(details),
        license="CC_BY_4_0", author_handle="ann", author_display_name="Ann", available=True,
        contributors=(Contributor("ann", "Ann", 0, title), Contributor("xav", "Xav", 1, "Salt")),
    )


# --- the hooks ----------------------------------------------------------------------------------


@strawberry.type
class ZineSettings:
    pages: int | None = None


@strawberry.input
class ZineSettingsInput:
    pages: int | None = strawberry.UNSET


class ZinePlugin:
    @hookimpl
    def hub_publishing_targets(self) -> list[PublishingTarget]:
        return [PublishingTarget("zine", "Zine", "A folded paper zine.", ZineSettings,
                                 ZineSettingsInput, ("writing",), ("editor",))]

    @hookimpl
    def hub_compilation_problems(self, compilation: CompilationSnapshot) -> list[Problem]:
        pages = compilation.settings.get("pages") or 8
        return [Problem("TOO_LONG", "Too many items.")] if len(compilation.items) > pages else []

    @hookimpl
    async def hub_render_compilation(self, compilation: CompilationSnapshot) -> list[Artifact]:
        return [Artifact("zine.txt", "text/plain", data=compilation.title.encode())]


def test_hook_hub_publishing_targets(plugins: HubPlugins) -> None:
    loaded = create_plugins(entry_points=False, extra=[ZinePlugin()])
    zine = loaded.publishing_targets["zine"]
    assert (zine.label, zine.settings_type, zine.accepted_media_types) == (
        "Zine", ZineSettings, ("writing",))
    assert {t.key: t.plugin for t in plugins.publishing_targets.values()} == {
        "book": "hub_book", "tv": "hub_tv"}

    class Duplicate:
        @hookimpl
        def hub_publishing_targets(self) -> list[PublishingTarget]:
            return [PublishingTarget("book", "B", "b", ZineSettings, ZineSettingsInput)]

    with pytest.raises(PluginError, match="publishing target 'book' is already provided by 'hub_book'"):
        create_plugins(extra=[Duplicate()])

    class Swapped:
        @hookimpl
        def hub_publishing_targets(self) -> list[PublishingTarget]:
            return [PublishingTarget("zine", "Z", "z", ZineSettingsInput, ZineSettings)]

    with pytest.raises(PluginError, match=r"settings_type must be a @strawberry\.type"):
        create_plugins(entry_points=False, extra=[Swapped()])


async def test_hook_hub_compilation_problems(plugins: HubPlugins) -> None:
    loaded = create_plugins(extra=[ZinePlugin()])
    many = snapshot(*(item(i, f"P{i}", "writing", text="x") for i in range(1, 4)), target="zine",
                    pages=2)
    found = await loaded.call_owner("hub_compilation_problems", "zine", compilation=many)
    assert found == [Problem("TOO_LONG", "Too many items.")]
    # Each target's own plugin answers (the hub asks no other).
    book = snapshot(item(1, "Long", "writing", text="one two three"), max_words=2)
    answer = await loaded.call_owner("hub_compilation_problems", "book", compilation=book)
    assert [p.code for p in answer] == ["TOO_LONG"]


async def test_hook_hub_render_compilation(plugins: HubPlugins) -> None:
    loaded = create_plugins(extra=[ZinePlugin()])
    [zine] = await loaded.call_owner("hub_render_compilation", "zine",
                                     compilation=snapshot(target="zine"))
    assert (zine.name, zine.read()) == ("zine.txt", b"Harbor")
    cut = snapshot(item(1, "Shot", "film", duration_seconds=10), target="tv")
    artifacts = await plugins.call_owner("hub_render_compilation", "tv", compilation=cut)
    assert [a.name for a in artifacts] == ["episode.otio", "episode.edl", "episode.xml",
                                           "credits.txt"]


# --- the book -----------------------------------------------------------------------------------


async def test_a_published_book_passes_epubcheck(api: Api, tmp_path: Path) -> None:
    eddie, erin = await editors(api)
    ann, xav = await api.sign_up("ann"), await api.sign_up("xav")
    salt = await story(api, xav, "Salt", text="The sea <keeps> its own counsel.\n\nAnd so do we.")
    remix = await story(api, ann, "Salt & Tides", text="A remix of salt.", sources=[salt["id"]])
    compilation = await create(api, eddie, title="Harbor Stories", settings={"book": {
        "subtitle": "An anthology", "authorLine": "The community", "language": "en"}})
    await add(api, eddie, compilation, remix)
    await add(api, eddie, compilation, salt)
    await approved(api, compilation, eddie, erin)
    published = await step(api, PUBLISH, eddie, compilation["id"])
    [file] = published["publication"]["files"]
    data = await download(api, file["url"])
    assert hashlib.sha256(data).hexdigest() == file["sha256"] and len(data) == file["size"]
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        chapter = book.read("EPUB/chapter-001.xhtml").decode()
        credits = book.read("EPUB/credits.xhtml").decode()
    assert {"EPUB/title.xhtml", "EPUB/nav.xhtml", "EPUB/chapter-002.xhtml"} <= set(names)
    assert "By Ann (@ann), from “Salt” by Xav" in chapter
    assert "Xav (@xav)" in credits and "Ann (@ann)" in credits
    check_epub(data, tmp_path)


def test_a_book_with_images_passes_epubcheck(tmp_path: Path) -> None:
    from hub_book.epub import build_epub

    picture = io.BytesIO()
    Image.new("RGB", (16, 9), "teal").save(picture, "PNG")
    with_image = replace(item(1, "Harbor at Dawn", "image"), media=(MediaFileSnapshot(
        "dawn.png", "image/png", len(picture.getvalue()), "a" * 64, {}, picture.getvalue()),))
    text = item(2, "Words", "writing", text="Line one.\nLine two.\n\nAnother paragraph.")
    data = build_epub(snapshot(with_image, text), {"language": "en"})
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert "EPUB/images/item1-0.png" in book.namelist()
    check_epub(data, tmp_path)


# --- the TV cut ---------------------------------------------------------------------------------


async def test_a_tv_cut_reads_back_through_opentimelineio(api: Api) -> None:
    eddie, erin = await editors(api)
    dana = await api.sign_up("dana")
    opening = await film(api, dana, "Opening Shot", 30)
    script = await story(api, dana, "Cold Open Script", text="INT. HARBOR - NIGHT", form="SCRIPT")
    scene = await film(api, dana, "Main Scene", 45)
    theme = await music(api, dana, "Theme", 75)
    compilation = await create(api, eddie, title="Night Signals", target="tv", settings={"tv": {
        "episodeTitle": "Pilot", "targetRuntimeSeconds": 60, "toleranceSeconds": 10}})
    for record in (opening, script, scene, theme):
        await add(api, eddie, compilation, record)
    problems = (await api.gql(COMPILATION, {"id": compilation["id"]}, token=eddie.token))[
        "compilation"]["problems"]
    assert [p["code"] for p in problems] == ["TOO_LONG"]
    # A longer target fixes it: too short below the tolerance, fine within it.
    shorter = await create(api, eddie, target="tv", settings={"tv": {"targetRuntimeSeconds": 200}})
    await add(api, eddie, shorter, opening)
    assert [p["code"] for p in (await api.gql(COMPILATION, {"id": shorter["id"]},
                                              token=eddie.token))["compilation"]["problems"]] == [
        "TOO_SHORT"]
    await api.hub.db.execute("update compilations set settings = settings || "
                             "'{\"target_runtime_seconds\": 80}' where title = 'Night Signals'")
    await approved(api, compilation, eddie, erin)
    published = await step(api, PUBLISH, eddie, compilation["id"])
    assert published["errors"] == []
    files = {f["name"]: f for f in published["publication"]["files"]}
    assert list(files) == ["episode.otio", "episode.edl", "episode.xml", "credits.txt"]
    texts = {name: (await download(api, f["url"])).decode() for name, f in files.items()}
    for name, adapter in (("episode.otio", "otio_json"), ("episode.edl", "cmx_3600"),
                          ("episode.xml", "fcp_xml")):
        timeline = otio.adapters.read_from_string(texts[name], adapter)
        video = timeline.video_tracks()[0]
        assert [clip.name for clip in video.find_clips()] == ["Opening Shot", "Main Scene"], name
        assert [clip.duration().to_seconds() for clip in video.find_clips()] == [30, 45], name
        if name != "episode.edl":  # CMX 3600 carries the picture only
            audio = timeline.audio_tracks()[0]
            assert [clip.name for clip in audio.find_clips()] == ["Theme"], name
    timeline = otio.adapters.read_from_string(texts["episode.otio"], "otio_json")
    [marker] = timeline.video_tracks()[0].markers
    assert (marker.name, marker.marked_range.start_time.to_seconds()) == ("Cold Open Script", 30)
    assert timeline.name == "Pilot"
    assert "Film: “Main Scene” by Dana" in texts["credits.txt"]


async def test_publishing_needs_an_enabled_target(api: Api) -> None:
    eddie, _ = await editors(api)
    data = await api.gql(CREATE, {"input": {"title": "Album", "target": "album"}},
                         token=eddie.token)
    assert data["createCompilation"]["errors"][0]["code"] == "TARGET_NOT_ENABLED"
    mismatch = await api.gql(CREATE, {"input": {"title": "Album", "target": "tv",
                                                "settings": {"book": {"language": "en"}}}},
                             token=eddie.token)
    assert mismatch["createCompilation"]["errors"][0]["field"] == "settings"


async def test_unknown_publication_files_are_not_found(api: Api) -> None:
    response = await api.client.get("/publications/" + "0" * 64 + "/book.epub")
    assert response.status == 404


# --- demo data ----------------------------------------------------------------------------------


DEMO = """
{ compilations(first: 10) { nodes { title target status
    publications { version files { name } }
    payoutProposals { status pool { amount currency } lines { amount { amount } } } } } }
"""


DEMO_LOGIN = """mutation { logIn(input: {handle: "eddie", password: "recordhub-demo"}) {
  token } }"""
DEMO_STATES = "{ compilations(first: 10) { nodes { status itemConnection { totalCount } } } }"


async def test_demo_data_has_a_published_book_and_tv_episode_with_finalized_payouts(api: Api) -> None:
    from hub.seed.demo import seed_demo

    counts = await seed_demo(api.hub.db, api.hub.plugins, settings=api.hub.settings)
    assert counts["compilations"] == 6
    api.allow_cost(1_000_000)  # 10 compilations × uncapped proposals × uncapped lines
    public = (await api.gql(DEMO))["compilations"]["nodes"]
    # Anyone sees the published ones and the archived one (which was published first).
    assert sorted((n["target"], n["status"]) for n in public) == [
        ("book", "ARCHIVED"), ("book", "PUBLISHED"), ("tv", "PUBLISHED")]
    # An editor sees every state of the workflow, each compilation with items.
    eddie = (await api.gql(DEMO_LOGIN))["logIn"]["token"]
    every = (await api.gql(DEMO_STATES, token=eddie))["compilations"]["nodes"]
    assert sorted({n["status"] for n in every}) == sorted(
        ["DRAFT", "IN_REVIEW", "APPROVED", "PUBLISHED", "ARCHIVED"])
    assert all(n["itemConnection"]["totalCount"] >= 3 for n in every)
    [archived] = [n for n in public if n["status"] == "ARCHIVED"]
    assert archived["publications"][0]["version"] == 1 and archived["payoutProposals"] == []
    for node in (n for n in public if n["status"] == "PUBLISHED"):
        assert node["publications"][0]["version"] == 1
        [proposal] = node["payoutProposals"]
        assert proposal["status"] == "FINALIZED"
        total = sum(round(float(line["amount"]["amount"]) * 100) for line in proposal["lines"])
        assert total == 250_000


# --- the documented minimal example ---------------------------------------------------------------


def documented_example(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The plugin guide's complete minimal example, loaded as the module ``hub_zine``."""
    text = (ROOT / "docs" / "compilations.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert re.findall(r"^\s*(?:from|import) (hub[\w.]*)", code, re.M) == ["hub"]
    module = types.ModuleType("hub_zine")
    monkeypatch.setitem(sys.modules, "hub_zine", module)  # Strawberry resolves types through it
    exec(compile(code, "docs/compilations.md", "exec"), module.__dict__)
    return module


async def test_the_documented_minimal_target_works(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = create_plugins(extra=[documented_example(monkeypatch)])
    assert loaded.publishing_targets["zine"].plugin == "hub_zine"
    long = snapshot(*(item(i, f"Piece {i}", "writing", text="words") for i in range(1, 4)),
                    target="zine", pages=2)
    answer = await loaded.call_owner("hub_compilation_problems", "zine", compilation=long)
    assert [p.code for p in answer] == ["TOO_LONG"]
    [zine] = await loaded.call_owner("hub_render_compilation", "zine", compilation=long)
    text = zine.read().decode()
    assert zine.name == "zine.txt" and "Piece 3\n\nwords\n\n— Ann" in text
    assert text.endswith("Credits: Ann, Xav")
