"""Plugins: discovery, enable/disable, the hooks (one test per hook), failures named.

Each hook in hub/hookspecs.py has a test here named ``test_hook_<hook name>``; a meta-test
fails when a hook lacks its docstring or its test.
"""

from __future__ import annotations

import inspect
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
import strawberry

from hub import DetailsError, MediaType, hookimpl, hookspecs
from hub.api.schema import build_schema, printed_sdl
from hub.core.events import Event
from hub.plugins import HubPlugins, PluginError, PluginFailure, create_plugins
from tests.api import CREATE_RECORD, Api
from tests.hubprocess import FIRST_PARTY_PLUGINS, hub_env, plugin_list, running_hub
from tests.realtime_client import eventually

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name, f in vars(hookspecs).items()
               if inspect.isfunction(f) and name.startswith("hub_"))


# --- meta-tests -------------------------------------------------------------------------------


def test_every_hook_has_a_docstring() -> None:
    undocumented = [
        name for name in HOOKS if len(inspect.getdoc(getattr(hookspecs, name)) or "") < 80
    ]
    assert undocumented == []


def test_every_hook_has_a_test_of_its_own() -> None:
    tests = "".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    untested = [name for name in HOOKS if not re.search(rf"def test_hook_{name}\b", tests)]
    assert untested == []


def test_first_party_plugins_register_through_entry_points(plugins: HubPlugins) -> None:
    installed = {info.name: info for info in plugins.installed}
    assert {"hub_music", "hub_film", "hub_writing", "hub_image"} <= set(installed)
    assert installed["hub_music"].distribution == "recordhub"
    assert {m.key: m.plugin for m in plugins.media_types.values()} == {
        "music": "hub_music", "film": "hub_film", "writing": "hub_writing", "image": "hub_image"}


def test_first_party_plugins_import_only_the_public_api() -> None:
    for path in (ROOT / "plugins").glob("hub_*/**/*.py"):
        imports = re.findall(r"^\s*(?:from|import) (hub[\w.]*)", path.read_text(), re.M)
        assert set(imports) <= {"hub"}, (path, imports)


# --- hub_media_types --------------------------------------------------------------------------


@strawberry.type
class HaikuDetails:
    season: str | None = None


@strawberry.input
class HaikuDetailsInput:
    season: str | None = strawberry.UNSET


class HaikuPlugin:
    @hookimpl
    def hub_media_types(self) -> list[MediaType]:
        return [MediaType("haiku", "Haiku", "Three lines.", HaikuDetails, HaikuDetailsInput)]


def test_hook_hub_media_types() -> None:
    loaded = create_plugins(entry_points=False, extra=[HaikuPlugin()])
    haiku = loaded.media_types["haiku"]
    assert (haiku.label, haiku.details_type, haiku.input_type) == (
        "Haiku", HaikuDetails, HaikuDetailsInput)


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


# --- hub_normalize_details --------------------------------------------------------------------


async def test_hook_hub_normalize_details() -> None:
    class AsyncNormalizer:
        @hookimpl
        async def hub_normalize_details(self, media_type: str, details: dict) -> dict | None:
            if media_type != "haiku":
                return None
            if details.get("season") == "never":
                raise DetailsError("no such season", "season")
            return {"season": (details.get("season") or "").upper()}

    loaded = create_plugins(entry_points=True, extra=[AsyncNormalizer()])
    # An async implementation is awaited; other plugins' keys fall through to their owners.
    assert await loaded.first("hub_normalize_details", media_type="haiku",
                              details={"season": "autumn"}) == {"season": "AUTUMN"}
    writing = await loaded.first("hub_normalize_details", media_type="writing",
                                 details={"form": "POEM", "text": "one two"})
    assert writing == {"form": "POEM", "text": "one two", "word_count": 2}
    with pytest.raises(DetailsError, match="no such season"):
        await loaded.first("hub_normalize_details", media_type="haiku", details={"season": "never"})


async def test_a_plugin_that_raises_is_named(plugins: HubPlugins) -> None:
    class Broken:
        @hookimpl
        def hub_normalize_details(self, media_type: str, details: dict) -> dict | None:
            raise ZeroDivisionError("oops")

    loaded = create_plugins(extra=[Broken()])
    with pytest.raises(PluginFailure, match="plugin '.*Broken.*' failed in hub_normalize_details"):
        await loaded.first("hub_normalize_details", media_type="music", details={})


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
    def hub_normalize_details(self, media_type: str, details: dict) -> dict | None:
        if media_type != self.key:
            return None
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
    with caplog.at_level(logging.INFO, logger="hub.seed.demo"):
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
    first = await loaded.sample_details("music", 5, seed=1)
    assert first == await loaded.sample_details("music", 5, seed=1)
    assert first != await loaded.sample_details("music", 5, seed=2)
    assert len(first) == 5 and all(sample["instruments"] for sample in first)


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
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- plugin-example: hub_podcast.py -->\n```python\n(.*?)```", readme, re.S)
    assert match, "README lost its plugin example"
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
