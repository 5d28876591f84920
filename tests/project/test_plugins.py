"""Plugins: discovery, enable/disable, keyed hooks, the hooks (one test per hook), failures
named, and the boundary between the hub and its plugins.

Each hook in hub/hookspecs.py has a test named ``test_hook_<hook name>`` (here, or beside the
feature it serves); meta-tests fail when a hook lacks its documentation or its test.
"""

from __future__ import annotations

import ast
import inspect
import logging
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import asyncpg
import pytest
import strawberry

from hub import (
    AnchorSpan,
    Artifact,
    CompilationSnapshot,
    DetailsError,
    Event,
    MediaType,
    Problem,
    PublishingTarget,
    SampleCompilation,
    SampleRecord,
    hookimpl,
    hookspecs,
)
from hub.api.schema import build_schema, printed_sdl
from hub.plugins import (
    ENTRY_POINT_GROUP,
    HubPlugins,
    PluginError,
    PluginFailure,
    create_plugins,
    keyed_by,
)
from hub.seed.samples import sample_details
from tests.api import CREATE_RECORD, Api
from tests.hubprocess import FIRST_PARTY_PLUGINS, hub_env, plugin_list, running_hub
from tests.paths import ROOT
from tests.realtime_client import eventually

HOOKS = sorted(name for name, f in vars(hookspecs).items()
               if inspect.isfunction(f) and name.startswith("hub_"))


# --- meta-tests -------------------------------------------------------------------------------

MODES = ("*Keyed*", "*First result*", "*Every implementation*")


def _mode(name: str) -> str:
    if keyed_by(name):
        return MODES[0]
    return MODES[1] if getattr(hookspecs, name).recordhub_spec["firstresult"] else MODES[2]


def test_every_hook_is_documented_and_typed() -> None:
    """The hookspecs are the plugin author's reference: each hook has a summary line, says how
    it is called (keyed, first result or every implementation, as its spec is), documents
    every argument (``:param name:``) and its answer (``:returns:``), and is fully typed."""
    problems = []
    for name in HOOKS:
        spec = getattr(hookspecs, name)
        doc = inspect.getdoc(spec) or ""
        signature = inspect.signature(spec)
        wanted = [f":param {p}:" for p in signature.parameters] + [":returns:", _mode(name)]
        problems += [f"{name}: no {w}" for w in wanted if w not in doc]
        problems += [f"{name}: says {m}" for m in MODES if m != _mode(name) and m in doc]
        if not doc.split("\n")[0].endswith("."):
            problems.append(f"{name}: no summary line")
        untyped = [p.name for p in signature.parameters.values() if p.annotation is p.empty]
        if untyped or signature.return_annotation is signature.empty:
            problems.append(f"{name}: untyped {untyped or 'result'}")
        if keyed_by(name) and not spec.recordhub_spec["firstresult"]:
            problems.append(f"{name}: keyed, so one answer (firstresult)")
    assert problems == []


def test_every_hook_has_a_test_of_its_own() -> None:
    tests = "".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    untested = [name for name in HOOKS if not re.search(rf"def test_hook_{name}\b", tests)]
    assert untested == []


def test_the_plugin_guide_names_every_hook() -> None:
    guide = "".join(path.read_text() for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    assert "hub/hookspecs.py" in (ROOT / "README.md").read_text()
    assert [name for name in HOOKS if name not in guide] == []


def test_first_party_plugins_register_through_entry_points(plugins: HubPlugins) -> None:
    installed = {info.name: info for info in plugins.installed}
    assert {"hub_music", "hub_film", "hub_writing", "hub_image"} <= set(installed)
    assert installed["hub_music"].distribution == "recordhub"
    assert {m.key: m.plugin for m in plugins.media_types.values()} == {
        "music": "hub_music", "film": "hub_film", "writing": "hub_writing", "image": "hub_image"}


def _imports(path: Path) -> set[str]:
    """The top-level names of the modules ``path`` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_first_party_plugins_import_only_the_public_api() -> None:
    for path in (ROOT / "plugins").glob("hub_*/**/*.py"):
        imports = re.findall(r"^\s*(?:from|import) (hub[\w.]*)", path.read_text(), re.M)
        assert set(imports) <= {"hub"}, (path, imports)


def test_no_core_module_imports_a_plugin() -> None:
    """The hub reaches its plugins only through the hooks: no module under hub/ imports one
    (first-party ones included)."""
    plugin_modules = {entry_point.value.split(".")[0].split(":")[0]
                      for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    plugin_modules |= {path.name for path in (ROOT / "plugins").iterdir() if path.is_dir()}
    found = {str(path.relative_to(ROOT)): sorted(names) for path in (ROOT / "hub").rglob("*.py")
             if (names := {n for n in _imports(path) if n in plugin_modules or n.startswith("hub_")})}
    assert "hub_music" in plugin_modules and found == {}


def test_the_plugin_api_stands_on_the_core_only() -> None:
    """What a plugin imports (hub.plugin_api), its reference (hub.hookspecs) and the manager
    (hub.plugins) know no domain slice, API or HTTP module: a plugin depends on them alone."""
    allowed = ("hub.core", "hub.plugin_api", "hub.hookspecs", "hub.plugins")
    found = {}
    for name in ("plugin_api", "hookspecs", "plugins"):
        tree = ast.parse((ROOT / "hub" / f"{name}.py").read_text())
        modules = {node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module} | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
            for alias in node.names}
        found[name] = sorted(m for m in modules if m.startswith("hub.") and not m.startswith(allowed))
    assert found == {"plugin_api": [], "hookspecs": [], "plugins": []}


def _code_strings(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_core_knows_no_plugin_details(plugins: HubPlugins) -> None:
    """Details and settings belong to the plugins that declare them: no module under hub/ reads
    one of the first-party fields by name (``duration_seconds``, ``word_count``…), in Python
    or in SQL (``details->>'form'``); the seeds ask the plugins (``hub_sample_details``,
    ``hub_sample_compilation``). Names that are plain words (``text``, ``role``) are also the
    core's own, so only the distinctive ones (with an underscore) are looked for."""
    types = [m.details_type for m in plugins.media_types.values()] + [
        t.settings_type for t in plugins.publishing_targets.values()]
    fields = {f.python_name for cls in types for f in cls.__strawberry_definition__.fields}
    distinctive = {name for name in fields if "_" in name}
    json_access = re.compile(r"(details|settings)\s*->>?\s*'\w")
    found = [(str(path.relative_to(ROOT)), text[:60]) for path in (ROOT / "hub").rglob("*.py")
             for text in _code_strings(path) if text in distinctive or json_access.search(text)]
    assert {"duration_seconds", "word_count", "tempo_bpm"} <= distinctive and found == []


# --- keyed hooks: the hub calls the plugin that declared the key ------------------------------


@strawberry.type
class HaikuDetails:
    season: str | None = None


@strawberry.input
class HaikuDetailsInput:
    season: str | None = strawberry.UNSET


@strawberry.type
class TankaDetails:
    season: str | None = None


@strawberry.input
class TankaDetailsInput:
    season: str | None = strawberry.UNSET


class HaikuPlugin:
    """Two media types of one plugin; its keyed hooks check no key and note every call."""

    __name__ = "hub_haiku"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @hookimpl
    def hub_media_types(self) -> list[MediaType]:
        return [MediaType("haiku", "Haiku", "Three lines.", HaikuDetails, HaikuDetailsInput),
                MediaType("tanka", "Tanka", "Five lines.", TankaDetails, TankaDetailsInput)]

    @hookimpl
    async def hub_normalize_details(self, media_type: str, details: dict) -> dict:
        self.calls.append(("hub_normalize_details", media_type))
        if details.get("season") == "never":
            raise DetailsError("no such season", "season")
        return {"season": f"{(details.get('season') or '').upper()} ({media_type})"}

    @hookimpl
    def hub_details_search_text(self, media_type: str, details: dict) -> str:
        self.calls.append(("hub_details_search_text", media_type))
        return details["season"]


def test_hook_hub_media_types() -> None:
    loaded = create_plugins(extra=[HaikuPlugin()])
    haiku = loaded.media_types["haiku"]
    assert (haiku.label, haiku.details_type, haiku.input_type, haiku.plugin) == (
        "Haiku", HaikuDetails, HaikuDetailsInput, "hub_haiku")
    assert loaded.media_types["tanka"].plugin == "hub_haiku"
    assert loaded.media_types["music"].plugin == "hub_music"
    # Through a running hub: test_hook_hub_normalize_details lists and uses both.


def test_duplicate_or_malformed_media_types_stop_start_up_naming_the_plugin() -> None:
    class Duplicate:
        @hookimpl
        def hub_media_types(self) -> list[MediaType]:
            return [MediaType("music", "Music 2", "again", HaikuDetails, HaikuDetailsInput)]

    already = "plugin 'Duplicate': media type 'music' is already provided by 'hub_music'"
    with pytest.raises(PluginError, match=already):
        create_plugins(extra=[Duplicate()])

    class BadKey:
        @hookimpl
        def hub_media_types(self) -> list[MediaType]:
            return [MediaType("Not OK!", "x", "x", HaikuDetails, HaikuDetailsInput)]

    with pytest.raises(PluginError, match="key 'Not OK!' must match"):
        create_plugins(entry_points=False, extra=[BadKey()])

    class SwappedTypes:
        @hookimpl
        def hub_media_types(self) -> list[MediaType]:
            return [MediaType("haiku", "x", "x", HaikuDetailsInput, HaikuDetails)]

    with pytest.raises(PluginError, match="details_type must be a @strawberry.type"):
        create_plugins(entry_points=False, extra=[SwappedTypes()])


HAIKU_PLUGIN = '''
import strawberry
from hub import DetailsError, MediaType, hookimpl

@strawberry.type
class HaikuDetails:
    season: str | None = None

@strawberry.input
class HaikuDetailsInput:
    season: str | None = strawberry.UNSET

@strawberry.type
class TankaDetails:
    season: str | None = None

@strawberry.input
class TankaDetailsInput:
    season: str | None = strawberry.UNSET

@hookimpl
def hub_media_types():
    return [MediaType("haiku", "Haiku", "Three lines.", HaikuDetails, HaikuDetailsInput),
            MediaType("tanka", "Tanka", "Five lines.", TankaDetails, TankaDetailsInput)]

# No key is checked: the hub calls these for haiku and tanka records only, and says which.
@hookimpl
async def hub_normalize_details(media_type, details):
    if details.get("season") == "never":
        raise DetailsError("no such season", "season")
    return {"season": f"{(details.get('season') or '').upper()} ({media_type})"}

@hookimpl
def hub_details_search_text(media_type, details):
    return f"{details['season']} {media_type}poem"
'''

DETAILS = """query($id: ID!) { record(id: $id) { mediaType details {
    ... on TankaDetails { season } ... on WritingDetails { wordCount } } } }"""


async def test_hook_hub_normalize_details(database_url: str, tmp_path: Path) -> None:
    """The hub asks the plugin that declared the record's media type, and only it: an async
    implementation is awaited, a plugin with two media types is told which, a DetailsError
    becomes a payload error naming the field, and another plugin's record never reaches it
    (the plugin checks no key, so it would show)."""
    site = tmp_path / "site"
    install_distribution(site, "hub_haiku", HAIKU_PLUGIN)
    async with running_hub(database_url, tmp_path, pythonpath=site,
                           HUB_PLUGINS=plugin_list("hub_haiku")) as hub:
        listed = await hub.gql("{ mediaTypes { key label description } }")
        assert {"key": "tanka", "label": "Tanka", "description": "Five lines."} in (
            listed["data"]["mediaTypes"])
        signed = await hub.gql("""mutation { signUp(input: {handle: "ada", displayName: "Ada",
            password: "a long passphrase"}) { token } }""")
        token = signed["data"]["signUp"]["token"]

        async def create(details: dict) -> dict:
            body = await hub.gql(CREATE_RECORD, {"input": {"title": "x", "details": details}},
                                 token=token)
            return body["data"]["createRecord"]

        async def stored(created: dict) -> dict:
            body = await hub.gql(DETAILS, {"id": created["record"]["id"]}, token=token)
            return body["data"]["record"]

        poem = await create({"writing": {"form": "POEM", "text": "one two"}})
        assert await stored(poem) == {"mediaType": "writing", "details": {"wordCount": 2}}
        tanka = await create({"tanka": {"season": "autumn"}})
        assert await stored(tanka) == {"mediaType": "tanka",
                                       "details": {"season": "AUTUMN (tanka)"}}
        refused = await create({"haiku": {"season": "never"}})
        assert refused["errors"] == [{"field": "details.haiku.season",
                                      "message": "no such season", "code": "INVALID_DETAILS"}]
    # Nothing of the refused one; the search text is the plugin's, for its own record only.
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("select media_type, details_text from records order by id")
    finally:
        await connection.close()
    assert [tuple(row) for row in rows] == [("writing", "one two"),
                                            ("tanka", "AUTUMN (tanka) tankapoem")]


async def test_keyed_hooks_are_called_through_their_owner_only() -> None:
    loaded = create_plugins(extra=[HaikuPlugin()])
    assert loaded.owner("hub_media_accepts", "haiku") == "hub_haiku"
    assert loaded.owner("hub_render_compilation", "book") == "hub_book"
    # Not implemented by the owner, or no owner: no answer (the writing plugin is never asked).
    assert await loaded.call_owner("hub_media_accepts", "haiku") is None
    assert await loaded.call_owner("hub_media_accepts", "sonnet") is None
    with pytest.raises(TypeError, match="hub_normalize_details is keyed by media_type: call it "
                                        "through call_owner"):
        await loaded.first("hub_normalize_details", media_type="haiku", details={})
    with pytest.raises(TypeError, match="hub_event is not a keyed hook"):
        await loaded.call_owner("hub_event", "haiku")


async def test_a_plugin_that_raises_is_named() -> None:
    class Broken(HaikuPlugin):
        @hookimpl
        def hub_details_search_text(self, media_type: str, details: dict) -> str:
            raise ZeroDivisionError("oops")

    loaded = create_plugins(entry_points=False, extra=[Broken()])
    with pytest.raises(PluginFailure, match="plugin 'hub_haiku' failed in hub_details_search_text"):
        await loaded.call_owner("hub_details_search_text", "haiku", details={})


# --- hub_details_search_text ------------------------------------------------------------------


async def test_hook_hub_details_search_text(api: Api) -> None:
    ada = await api.sign_up("ada")
    await api.create_record(ada, "Untitled film", publish=True, details={
        "film": {"genre": "Documentary", "role": "TITLE_SEQUENCE"}})
    data = await api.gql('{ records(filter: {search: "title sequence documentary"}) '
                         '{ nodes { title } } }')
    assert data["records"]["nodes"] == [{"title": "Untitled film"}]
    stored = await api.hub.db.fetchval("select details_text from records")
    assert stored == "documentary title sequence"


async def test_hook_hub_comment_anchors(api: Api) -> None:
    """A comment's anchor is checked against what the record's own plugin says it has: the
    music plugin its length, the writing plugin its text; a plugin that says nothing (or does
    not implement the hook) takes no anchors."""
    class AnchoredHaiku(HaikuPlugin):
        @hookimpl
        def hub_comment_anchors(self, details: dict) -> AnchorSpan:
            return AnchorSpan(text=details.get("poem"))

    anchored = create_plugins(extra=[AnchoredHaiku()])
    assert await anchored.call_owner("hub_comment_anchors", "haiku", details={
        "poem": "old pond"}) == AnchorSpan(text="old pond")
    assert await create_plugins(extra=[HaikuPlugin()]).call_owner(
        "hub_comment_anchors", "haiku", details={"poem": "old pond"}) is None

    june, ada = await api.sign_up("june"), await api.sign_up("ada")
    song = await api.create_record(june, "Short song", publish=True,
                                   details={"music": {"durationSeconds": 90}})
    add = """mutation($input: AddCommentInput!) { addComment(input: $input) {
               comment { atSeconds } errors { field code message } } }"""
    inside = await api.gql(add, {"input": {"subjectId": song["id"], "body": "Here",
                                           "atSeconds": 90}}, token=ada.token)
    outside = await api.gql(add, {"input": {"subjectId": song["id"], "body": "There",
                                            "atSeconds": 91}}, token=ada.token)
    assert inside["addComment"] == {"comment": {"atSeconds": 90.0}, "errors": []}
    assert outside["addComment"]["errors"] == [{
        "field": "atSeconds", "code": "ANCHOR_OUT_OF_RANGE",
        "message": "atSeconds must be between 0 and the record's duration, 90 s."}]


# --- hub_sample_details -----------------------------------------------------------------------


@strawberry.type
class ChantDetails:
    mode: str | None = None


@strawberry.input
class ChantDetailsInput:
    mode: str


class CarefulMediaType:
    """A media type whose normalisation refuses empty details, as a careful plugin's does;
    it offers no demo details."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.__name__ = f"hub_{key}"  # the plugin's name

    @hookimpl
    def hub_media_types(self) -> list[MediaType]:
        return [MediaType(self.key, self.key.title(), "x", ChantDetails, ChantDetailsInput)]

    @hookimpl
    def hub_normalize_details(self, details: dict) -> dict:
        if not details.get("mode"):
            raise DetailsError("mode is required.", "mode")
        return {"mode": details["mode"].upper()}


class SampledMediaType(CarefulMediaType):
    """The same, with demo details (answering whatever it is asked, so that a call for
    another media type would show in ``asked``)."""


    def __init__(self, key: str, samples: list[dict[str, str]]) -> None:
        super().__init__(key)
        self.samples = samples
        self.asked: list[tuple[str, int, int]] = []

    @hookimpl
    def hub_sample_details(self, media_type: str, count: int, seed: int) -> list[dict]:
        self.asked.append((media_type, count, seed))
        return self.samples


async def test_hook_hub_sample_details(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """The demo seed asks each media type's own plugin for its details (never another
    plugin), normalises them through the plugin's hooks, and skips, with a log line, a media
    type whose plugin offers none or offers details it refuses itself."""
    from hub.seed.demo import RECORDS_PER_MEDIA_TYPE, seed_demo

    chant = SampledMediaType("chant", [{"mode": "dorian"}, {"mode": "lydian"}])
    hymn = CarefulMediaType("hymn")  # no hub_sample_details (and it refuses empty details)
    drone = SampledMediaType("drone", [{"mode": ""}])  # samples its own plugin refuses
    loaded = create_plugins(only=FIRST_PARTY_PLUGINS, extra=[chant, hymn, drone])
    with caplog.at_level(logging.INFO, logger="hub.seed"):
        counts = await seed_demo(api.hub.db, loaded)

    assert [(media_type, count) for media_type, count, _ in chant.asked] == [
        ("chant", RECORDS_PER_MEDIA_TYPE)]
    assert isinstance(chant.asked[0][2], int)
    rows = await api.hub.db.fetch(
        "select media_type, count(*) as n from records group by 1 order by 1")
    assert {row["media_type"]: row["n"] for row in rows} == {
        key: RECORDS_PER_MEDIA_TYPE for key in ("chant", "film", "image", "music", "writing")}
    assert counts["records"] == 5 * RECORDS_PER_MEDIA_TYPE
    stored = await api.hub.db.fetch(
        "select distinct details->>'mode' as mode from records where media_type = 'chant'")
    assert {row["mode"] for row in stored} == {"DORIAN", "LYDIAN"}  # normalised, in turn
    assert "no hymn records (plugin 'hub_hymn' offers no hub_sample_details)" in caplog.text
    assert ("no drone records (the samples of plugin 'hub_drone' failed: mode is required.)"
            in caplog.text)
    # The first-party plugins' own details, normalised by them (the word count is computed).
    writing = await api.hub.db.fetchval(
        "select count(*) from records where media_type = 'writing' "
        "and (details->>'word_count')::int > 0 and details->>'form' is not null")
    assert writing == RECORDS_PER_MEDIA_TYPE
    # Same seed, same details; another seed, others.
    first = await sample_details(loaded, "music", 5, seed=1)
    assert first == await sample_details(loaded, "music", 5, seed=1)
    assert first != await sample_details(loaded, "music", 5, seed=2)
    assert len(first) == 5 and all(details["instruments"] and text for details, text in first)


# --- hub_sample_compilation -------------------------------------------------------------------


@strawberry.type
class LeafletSettings:
    folds: int | None = None


@strawberry.input
class LeafletSettingsInput:
    folds: int | None = strawberry.UNSET


class Target:
    """A publishing target of writing records; its problems are the ones it is given."""

    def __init__(self, key: str, problems: tuple[Problem, ...] = ()) -> None:
        self.key = key
        self.__name__ = f"hub_{key}"  # the plugin's name
        self.problems = list(problems)

    @hookimpl
    def hub_publishing_targets(self) -> list[PublishingTarget]:
        return [PublishingTarget(self.key, self.key.title(), "x", LeafletSettings,
                                 LeafletSettingsInput, ("writing",), ("editor",))]

    @hookimpl
    def hub_compilation_problems(self) -> list[Problem]:
        return self.problems

    @hookimpl
    def hub_render_compilation(self, compilation: CompilationSnapshot) -> list[Artifact]:
        return [Artifact(f"{self.key}.txt", "text/plain", data=compilation.title.encode())]


class SampledTarget(Target):
    """The same, making its demo compilation of the first two pieces offered (or of
    ``items``, when given), and noting what it was offered."""

    def __init__(self, key: str, problems: tuple[Problem, ...] = (),
                 items: tuple[int, ...] | None = None) -> None:
        super().__init__(key, problems)
        self.items = items
        self.offered: list[tuple[str, list[SampleRecord]]] = []

    @hookimpl
    def hub_sample_compilation(
        self, target: str, records: list[SampleRecord], seed: int,
    ) -> SampleCompilation:
        self.offered.append((target, records))
        items = self.items or tuple(record.id for record in records[:2])
        return SampleCompilation(items=items, settings={"folds": 3}, title="Two Poems")


async def test_hook_hub_sample_compilation(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """The demo seed offers each target's own plugin the published records it accepts, and
    publishes the compilation it makes; a target whose plugin makes none, one with problems,
    or one of records not on offer is left out with a log line naming the plugin, and leaves
    nothing behind."""
    from hub.seed.compilations import OFFERED_PER_MEDIA_TYPE
    from hub.seed.demo import seed_demo

    leaflet = SampledTarget("leaflet")
    blocked = SampledTarget("pamphlet", problems=(Problem("TOO_SHORT", "Too short."),))
    confused = SampledTarget("broadside", items=(-1,))
    loaded = create_plugins(only=FIRST_PARTY_PLUGINS, extra=[
        leaflet, Target("poster"), blocked, confused])
    with caplog.at_level(logging.INFO, logger="hub.seed"):
        counts = await seed_demo(api.hub.db, loaded, settings=api.hub.settings)

    [(target, offered)] = leaflet.offered
    assert target == "leaflet" and 0 < len(offered) <= OFFERED_PER_MEDIA_TYPE
    assert {record.media_type for record in offered} == {"writing"}  # what it accepts
    assert all(record.details["word_count"] > 0 for record in offered)  # the stored details
    published = await api.hub.db.fetch(
        "select id from records where status = 'PUBLISHED' and id = any($1)",
        [record.id for record in offered])
    assert len(published) == len(offered)
    rows = await api.hub.db.fetch("select id, target, title, settings, status from compilations "
                                  "where status = 'PUBLISHED'")
    assert sorted(row["target"] for row in rows) == ["book", "leaflet", "tv"]
    # And, of the first target's (the book's), one in each other state.
    assert counts["compilations"] == 3 + 4
    [row] = [row for row in rows if row["target"] == "leaflet"]
    assert (row["title"], row["settings"], row["status"]) == ("Two Poems", {"folds": 3},
                                                              "PUBLISHED")
    items = await api.hub.db.fetch(
        "select record_id from compilation_items where compilation_id = $1 order by position",
        row["id"])
    assert [item["record_id"] for item in items] == [record.id for record in offered[:2]]
    assert await api.hub.db.fetchval(
        "select count(*) from publications where compilation_id = $1", row["id"]) == 1
    assert "no pamphlet compilation (plugin 'hub_pamphlet': its sample has problems" in caplog.text
    assert ("no broadside compilation (the sample of plugin 'hub_broadside' failed: items must "
            "be offered record ids" in caplog.text)
    assert await api.hub.db.fetchval(
        "select count(*) from compilation_items i join compilations c on c.id = i.compilation_id"
        " where c.target <> all($1)", ["book", "leaflet", "tv"]) == 0


# --- hub_event --------------------------------------------------------------------------------


async def test_hook_hub_event(api: Api, plugins: HubPlugins) -> None:
    """Every committed change reaches ``hub_event`` after the commit (delivered by the event
    dispatcher, asynchronously), in commit order, with its outbox id; a rolled-back write
    produces no event."""
    seen: list[Event] = []

    class Recorder:
        @hookimpl
        async def hub_event(self, event: Event) -> None:
            seen.append(event)

    recorder = Recorder()
    plugins.pm.register(recorder, name="recorder")
    try:
        ada = await api.sign_up("ada")
        record = await api.create_record(ada, "Evented", publish=True)
        failed = await api.gql(CREATE_RECORD, {"input": {"title": "", "details": {
            "writing": {"form": "POEM", "text": "x"}}}}, token=ada.token)
        assert failed["createRecord"]["errors"]
        await eventually(lambda: len(seen) >= 3)
    finally:
        plugins.pm.unregister(recorder)
    # No event for the write that was rolled back.
    assert [(e.kind, e.subject) for e in seen] == [
        ("member.signed_up", ada.id), ("record.created", record["id"]),
        ("record.published", record["id"])]
    assert seen[-1].actor == ada.id and seen[-1].payload["mediaType"] == "writing"
    ids = [e.id for e in seen]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_a_failing_event_hook_is_logged_and_the_write_stays(
    api: Api, plugins: HubPlugins, caplog: pytest.LogCaptureFixture,
) -> None:
    class Exploding:
        @hookimpl
        def hub_event(self, event: Event) -> None:
            raise RuntimeError("webhook down")

    exploding = Exploding()
    plugins.pm.register(exploding, name="exploding_plugin")
    try:
        with caplog.at_level(logging.ERROR):
            ada = await api.sign_up("ada")
            await eventually(lambda: "plugin 'exploding_plugin' failed in hub_event" in caplog.text)
    finally:
        plugins.pm.unregister(exploding)
    assert ada.token
    assert await api.hub.db.fetchval("select count(*) from members where handle = 'ada'") == 1


# --- hub_schema_additions, and plugins installed as distributions ------------------------------


def install_distribution(site: Path, name: str, module_source: str) -> None:
    """Install ``module_source`` as module ``name`` in ``site`` with a ``recordhub`` entry
    point: what ``pip install`` of a plugin distribution leaves behind."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{name}.py").write_text(module_source)
    dist_info = site / f"{name}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[recordhub]\n{name} = {name}\n")


def readme_example() -> str:
    """The complete plugin of the plugin guide (docs/plugins.md)."""
    guide = (ROOT / "docs" / "plugins.md").read_text()
    match = re.search(r"<!-- plugin-example: hub_podcast.py -->\n```python\n(.*?)```", guide, re.S)
    assert match, "docs/plugins.md lost its plugin example"
    return match.group(1)


SCHEMA_ADDITIONS_PLUGIN = '''
import strawberry
from hub import SchemaAdditions, hookimpl

@strawberry.type
class Query:
    @strawberry.field(description="How many records this hub holds, by media type.")
    async def record_census(self, info: strawberry.Info) -> list[str]:
        rows = await info.context.db.fetch(
            "select media_type, count(*) as n from records group by 1 order by 1")
        return [f"{row['media_type']}={row['n']}" for row in rows]

@hookimpl
def hub_schema_additions():
    return SchemaAdditions(query=Query)
'''


async def test_hook_hub_schema_additions(database_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_distribution(site, "hub_census", SCHEMA_ADDITIONS_PLUGIN)
    async with running_hub(database_url, tmp_path, pythonpath=site,
                           HUB_PLUGINS=plugin_list("hub_census")) as hub:
        body = await hub.gql("{ recordCensus }")
        assert body == {"data": {"recordCensus": []}}


async def test_readme_plugin_example_installs_and_works(database_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_distribution(site, "hub_podcast", readme_example())
    listing = subprocess.run(
        [sys.executable, "-m", "hub.cli", "plugins"], capture_output=True, text=True,
        env={**hub_env(database_url, tmp_path, HUB_PLUGINS=plugin_list("hub_podcast")),
             "PYTHONPATH": str(site), "COLUMNS": "200"},
    )
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"hub_podcast .* hub_podcast 1\.0 .* yes .* podcast", listing.stdout)

    async with running_hub(database_url, tmp_path, pythonpath=site,
                           HUB_PLUGINS=plugin_list("hub_podcast")) as hub:
        signed = await hub.gql("""mutation { signUp(input: {handle: "host", displayName: "Host",
            password: "a long passphrase"}) { token } }""")
        token = signed["data"]["signUp"]["token"]
        created = await hub.gql(CREATE_RECORD, {"input": {"title": "Episode 1", "details": {
            "podcast": {"show": " Night Shift ", "episode": 1, "guests": ["zoe", "abe"]}}}},
            token=token)
        assert created["data"]["createRecord"]["errors"] == []
        record_id = created["data"]["createRecord"]["record"]["id"]
        refused = await hub.gql(CREATE_RECORD, {"input": {"title": "Episode 0", "details": {
            "podcast": {"show": "Night Shift", "episode": 0}}}}, token=token)
        assert refused["data"]["createRecord"]["errors"] == [{
            "field": "details.podcast.episode", "message": "episode numbers start at 1.",
            "code": "INVALID_DETAILS"}]
        await hub.gql("mutation($id: ID!) { publishRecord(input: {id: $id}) { errors { code } } }",
                      {"id": record_id}, token=token)
        found = await hub.gql("""{ records(filter: {search: "zoe"}) { nodes { title
            details { ... on PodcastDetails { show episode guests } } } } }""")
        assert found["data"]["records"]["nodes"] == [{"title": "Episode 1", "details": {
            "show": "Night Shift", "episode": 1, "guests": ["abe", "zoe"]}}]
        media = await hub.gql("{ mediaTypes { key } }")
        assert {m["key"] for m in media["data"]["mediaTypes"]} == {
            "film", "image", "music", "writing", "podcast"}


async def test_readme_plugin_example_survives_serve_demo(database_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install_distribution(site, "hub_podcast", readme_example())
    async with running_hub(database_url, tmp_path, pythonpath=site, args=("--demo",),
                           HUB_PLUGINS=plugin_list("hub_podcast")) as hub:
        body = await hub.gql("""{ records(filter: {mediaType: "podcast"}, first: 100) {
            totalCount nodes { details { ... on PodcastDetails { show episode guests } } } } }""")
        podcasts = body["data"]["records"]
        assert podcasts["totalCount"] > 100  # of 200 demo episodes, about 90% published
        assert {node["details"]["show"] for node in podcasts["nodes"]} <= {
            "Night Shift", "Open Tuning", "Second Draft"}
        assert all(node["details"]["episode"] >= 1 for node in podcasts["nodes"])
        music = await hub.gql('{ records(filter: {mediaType: "music"}) { totalCount } }')
        assert music["data"]["records"]["totalCount"] > 100  # the others are seeded too


def test_an_extra_installed_plugin_changes_not_the_sdl_the_tests_compare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tests load the first-party plugins by name (conftest's ``plugins`` fixture, and
    ``HUB_PLUGINS`` for the hubs they start), not whatever is installed."""
    site = tmp_path / "site"
    install_distribution(site, "hub_podcast", readme_example())
    monkeypatch.syspath_prepend(str(site))
    assert "podcast" in create_plugins().media_types  # installed, and found
    committed = (ROOT / "schema" / "hub.graphql").read_text()
    assert printed_sdl(build_schema(create_plugins(only=FIRST_PARTY_PLUGINS))) == committed
    printed = subprocess.run(
        [sys.executable, "-m", "hub.cli", "schema"], capture_output=True, text=True,
        env={**hub_env(None, tmp_path), "PYTHONPATH": str(site)},
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == committed


def test_hub_plugins_names_the_only_plugins_to_load() -> None:
    loaded = create_plugins(only=["hub_music", "hub_writing"])
    assert set(loaded.media_types) == {"music", "writing"}
    assert {info.name for info in loaded.installed if not info.enabled} >= {"hub_film", "hub_image"}
    with pytest.raises(PluginError, match="HUB_PLUGINS names 'hub_musik', which is not installed"):
        create_plugins(only=["hub_music", "hub_musik"])


async def test_disabling_a_plugin_hides_details_and_loses_nothing(
    api: Api, database_url: str, tmp_path: Path,
) -> None:
    ada = await api.sign_up("ada")
    record = await api.create_record(ada, "Keep me", publish=True, details={
        "music": {"genre": "soul", "tempoBpm": 90}})
    query = """query($id: ID!) { record(id: $id) { title mediaType
        details { __typename ... on MusicDetails { genre tempoBpm } } } }"""
    async with running_hub(database_url, tmp_path, HUB_DISABLED_PLUGINS="hub_music") as hub:
        # MusicDetails is not in this hub's schema, so a query must not name it.
        disabled = await hub.gql(query.replace("... on MusicDetails { genre tempoBpm }", ""),
                                 {"id": record["id"]})
        assert disabled == {"data": {"record": {
            "title": "Keep me", "mediaType": "music", "details": None}}}
        media = await hub.gql("{ mediaTypes { key } }")
        assert {m["key"] for m in media["data"]["mediaTypes"]} == {"film", "image", "writing"}
        refused = await hub.gql(CREATE_RECORD, {"input": {"title": "x", "details": {
            "music": {"genre": "soul"}}}}, token=ada.token)
        assert "music" in refused["errors"][0]["message"]
    enabled = await api.gql(query, {"id": record["id"]})
    assert enabled["record"]["details"] == {
        "__typename": "MusicDetails", "genre": "soul", "tempoBpm": 90.0}


def test_a_plugin_that_fails_to_import_stops_start_up_with_its_name(
    database_url: str, tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    install_distribution(site, "hub_broken", "raise ImportError('missing dependency frobnicate')\n")
    result = subprocess.run(
        [sys.executable, "-m", "hub.cli", "plugins"], capture_output=True, text=True,
        env={**hub_env(database_url, tmp_path, HUB_PLUGINS=plugin_list("hub_broken")),
             "PYTHONPATH": str(site)},
    )
    assert result.returncode == 2
    assert "plugin 'hub_broken' (hub_broken) failed to load" in result.stderr
    assert "frobnicate" in result.stderr
