"""Batched delivery beyond ``recordPublished``: ``remixCreated``, ``compilationUpdated`` and
``lessonSubmissionAdded`` payloads for every group of subscribers (document, variables,
viewer) come from one SQL statement per event and batch of groups (hub/api/live), and are
exactly what each subscription would have built alone.

Every subscription below is held twice: on a socket whose payloads are batched, and on one
subscribed while compiled queries were off, whose payloads are built per subscription by the
executor (the reference). Each pair must receive the same frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from hub.core.events import Event
from hub.core.relay import decode_id, encode_id
from hub.realtime import outbox
from tests.api import Api, Member
from tests.classes.test_classes import SUBMIT, enrolled, published_class
from tests.realtime.test_realtime import (
    UNPUBLISH_RECORD,
    caught_up,
    connect,
    editorial_compilation,
    publish,
)
from tests.realtime_client import WsClient, eventually

REMIXES = """
subscription Remixes($of: ID) {
  remixCreated(of: $of) {
    cursor occurredAt __typename
    remix { id title status viewerHearted author { handle } }
    origin: source { id title }
  }
}
"""
COMPILATION = """
subscription Compilation($id: ID!) {
  compilationUpdated(id: $id) {
    cursor change compilationId status previousStatus itemId version
    compilation { id title status reviewComments(first: 5) { totalCount } }
  }
}
"""
SUBMISSIONS = """
subscription Submissions($classId: ID!) {
  lessonSubmissionAdded(classId: $classId) {
    cursor submission { id record { title } learner { handle } lesson { title } }
  }
}
"""


class Pairs:
    """Subscriptions to one document, each held twice: batched, and built per subscription."""

    def __init__(self, api: Api, query: str) -> None:
        self.api = api
        self.query = query
        # (label, batched socket and operation, reference socket and operation)
        self.pairs: list[tuple[str, tuple[WsClient, str], tuple[WsClient, str]]] = []

    async def join(self, label: str, member: Member | None, variables: dict[str, Any]) -> None:
        bus = self._bus()
        batched = await connect(self.api, member)
        batched_op = await batched.subscribe(self.query, variables)
        await eventually(lambda: bus.subscriber_count == 2 * len(self.pairs) + 1)
        with self.api.executor_only():  # its document does not compile: built per subscription
            reference = await connect(self.api, member)
            reference_op = await reference.subscribe(self.query, variables)
            await eventually(lambda: bus.subscriber_count == 2 * len(self.pairs) + 2)
        self.pairs.append((label, (batched, batched_op), (reference, reference_op)))

    async def received(self, counts: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
        """The next ``counts[label]`` payloads of each pair (none when not named), checking
        that the batched socket got the very frames the reference one did; then that neither
        gets anything more."""
        received: dict[str, list[dict[str, Any]]] = {}
        for label, (batched, batched_op), (reference, reference_op) in self.pairs:
            for _ in range(counts.get(label, 0)):
                frame, alone = await batched.next(batched_op), await reference.next(reference_op)
                assert frame["type"] == "next" and "errors" not in frame["payload"], frame
                assert (frame["type"], frame["payload"]) == (alone["type"], alone["payload"]), label
                received.setdefault(label, []).append(frame["payload"]["data"])
        for _, (batched, batched_op), (reference, reference_op) in self.pairs:
            await batched.nothing_for(batched_op, 0.05)
            await reference.nothing_for(reference_op, 0.05)
        return received

    async def idle(self) -> None:
        bus = self._bus()
        await eventually(lambda: bus.idle_count == 2 * len(self.pairs))

    def _bus(self) -> Any:
        realtime = self.api.hub.realtime
        assert realtime is not None
        return realtime.bus

    async def close(self) -> None:
        for _, (batched, _), (reference, _) in self.pairs:
            await batched.close()
            await reference.close()


@contextmanager
def payload_statements(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The SQL statements that build batched payloads (their texts name the subjects' probes,
    hub/api/live/plan.py), as they are sent."""
    counter = api.hub.db.counter
    sent, texts = counter.sent, []

    def spy(query: str) -> Any:
        if "hubProbe_" in query:
            texts.append(query)
        return sent(query)

    monkeypatch.setattr(counter, "sent", spy)
    yield texts
    monkeypatch.undo()


def batches(api: Api) -> int:
    assert api.hub.realtime is not None
    return api.hub.realtime.bus.batches.statements


async def remix_events(api: Api, *remixes: tuple[dict[str, Any], dict[str, Any], Member]) -> None:
    """``record.remixed`` for each (remix, source, source's author), in one transaction and
    written straight to the outbox: as if published, whatever the records are at delivery."""
    async with api.hub.db.transaction() as tx:
        await outbox.write(tx, [Event("record.remixed", source["id"], payload={
            "remix": remix["id"], "source": source["id"], "sourceAuthor": author.id})
            for remix, source, author in remixes])


async def test_remixes_reach_each_group_as_built_alone_from_one_statement_per_event(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    ada, bob, cyd = await api.sign_up("ada"), await api.sign_up("bob"), await api.sign_up("cyd")
    song = await publish(api, ada, "Song")
    withdrawn = await publish(api, ada, "Withdrawn")
    pairs = Pairs(api, REMIXES)
    try:
        for label, member, variables in (
            ("anonymous of song", None, {"of": song["id"]}),
            ("anonymous of song", None, {"of": song["id"]}),
            ("ada of song", ada, {"of": song["id"]}),
            ("bob of song", bob, {"of": song["id"]}),
            ("cyd of withdrawn", cyd, {"of": withdrawn["id"]}),
            ("ada of withdrawn", ada, {"of": withdrawn["id"]}),
            ("ada's records", ada, {}),
        ):
            await pairs.join(label, member, variables)
        draft = await api.create_record(bob, "Draft", sources=[song["id"]])
        cover = await api.create_record(bob, "Cover", publish=True)
        await api.gql(UNPUBLISH_RECORD, {"id": withdrawn["id"]}, token=ada.token)
        await caught_up(api)
        await pairs.idle()
        before = batches(api)
        with payload_statements(api, monkeypatch) as statements:
            # A draft remix (only bob may see it), a published one, and a remix of a record
            # unpublished since (only ada, its author, still sees that source).
            await remix_events(api, (draft, song, ada), (cover, song, ada),
                               (cover, withdrawn, ada))
            received = await pairs.received({
                "anonymous of song": 1, "ada of song": 1, "bob of song": 2,
                "ada of withdrawn": 1, "ada's records": 2})
        assert batches(api) - before == 3 and len(statements) == 3  # one per event
    finally:
        await pairs.close()

    def remix(data: dict[str, Any]) -> tuple[str, str]:
        event = data["remixCreated"]
        return event["remix"]["title"], event["origin"]["title"]

    assert {label: [remix(data) for data in payloads] for label, payloads in received.items()} \
        == {"anonymous of song": [("Cover", "Song")] * 2, "ada of song": [("Cover", "Song")],
            "bob of song": [("Draft", "Song"), ("Cover", "Song")],
            "ada of withdrawn": [("Cover", "Withdrawn")],
            "ada's records": [("Cover", "Song"), ("Cover", "Withdrawn")]}
    first = received["bob of song"][0]["remixCreated"]
    assert first["__typename"] == "RemixCreatedEvent" and first["remix"]["status"] == "DRAFT"


async def compilation_events(api: Api, *events: tuple[str, dict[str, Any]]) -> None:
    async with api.hub.db.transaction() as tx:  # as the compilations slice writes them
        await outbox.write(tx, [Event("compilation.changed", subject, None, payload)
                                for subject, payload in events])


async def test_compilation_updates_reach_each_editor_as_built_alone_from_one_statement_per_event(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = await api.sign_up("boss", role="ADMIN")
    eve, fay = await api.sign_up("eve", role="EDITOR"), await api.sign_up("fay", role="EDITOR")
    night, day = await editorial_compilation(api, eve), await editorial_compilation(api, fay)
    pairs = Pairs(api, COMPILATION)
    try:
        for label, member, variables in (
            ("eve on night", eve, {"id": night}), ("eve on night", eve, {"id": night}),
            ("fay on night", fay, {"id": night}), ("boss on night", admin, {"id": night}),
            ("fay on day", fay, {"id": day}),
        ):
            await pairs.join(label, member, variables)
        await pairs.idle()
        before = batches(api)
        with payload_statements(api, monkeypatch) as statements:
            await compilation_events(
                api,
                (night, {"change": "ITEM_ADDED", "item": encode_id("CompilationItem", 7),
                         "status": "DRAFT", "version": 2}),
                (day, {"change": "STATUS_CHANGED", "status": "IN_REVIEW",
                       "previousStatus": "DRAFT", "version": 3}),
            )
            received = await pairs.received({"eve on night": 1, "fay on night": 1,
                                              "boss on night": 1, "fay on day": 1})
        assert batches(api) - before == 2 and len(statements) == 2
    finally:
        await pairs.close()
    item_added = {"change": "ITEM_ADDED", "compilationId": night, "status": "DRAFT",
                  "previousStatus": None, "itemId": encode_id("CompilationItem", 7), "version": 2}
    events = {label: [data["compilationUpdated"] for data in payloads]
              for label, payloads in received.items()}
    assert [{k: event[k] for k in item_added} for event in events["boss on night"]] == [item_added]
    assert events["fay on day"][0]["change"] == "STATUS_CHANGED"
    # The review notes are the team's (and admins'): fay, not on night's team, sees null.
    assert events["fay on night"][0]["compilation"]["reviewComments"] is None
    assert events["boss on night"][0]["compilation"]["reviewComments"] == {"totalCount": 0}


async def test_a_compilations_deletion_is_sent_without_it_and_a_change_of_one_gone_is_not(
    api: Api,
) -> None:
    eve = await api.sign_up("eve", role="EDITOR")
    night = await editorial_compilation(api, eve)
    pairs = Pairs(api, COMPILATION)
    try:
        await pairs.join("eve", eve, {"id": night})
        await api.hub.db.execute("delete from compilations")
        await pairs.idle()
        before = batches(api)
        await compilation_events(api, (night, {"change": "DETAILS_CHANGED", "version": 4}),
                                 (night, {"change": "DELETED", "status": "DRAFT"}))
        received = await pairs.received({"eve": 1})
        assert batches(api) - before == 2
    finally:
        await pairs.close()
    assert [data["compilationUpdated"]["change"] for data in received["eve"]] == ["DELETED"]
    assert received["eve"][0]["compilationUpdated"]["compilation"] is None


async def test_submissions_reach_each_group_of_their_class_only_from_one_statement_per_event(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    maya, noor = await api.sign_up("maya"), await api.sign_up("noor")
    verses, verse_lessons = await published_class(api, maya, "Writing a Verse")
    scripts, script_lessons = await published_class(api, noor, "The One-Page Screenplay")
    learner = await enrolled(api, "learner", verses["id"])
    await api.gql("mutation($id: ID!) { enroll(input: {classId: $id}) { errors { code } } }",
                  {"id": scripts["id"]}, token=learner.token)
    pairs = Pairs(api, SUBMISSIONS)
    try:
        for label, member, variables in (
            ("anonymous on verses", None, {"classId": verses["id"]}),
            ("anonymous on verses", None, {"classId": verses["id"]}),
            ("maya on verses", maya, {"classId": verses["id"]}),
            ("learner on verses", learner, {"classId": verses["id"]}),
            ("noor on scripts", noor, {"classId": scripts["id"]}),
            ("anonymous on scripts", None, {"classId": scripts["id"]}),
        ):
            await pairs.join(label, member, variables)
        verse = await api.create_record(learner, "My verse", publish=True)
        scene = await api.create_record(learner, "My scene", publish=True)
        await caught_up(api)
        await pairs.idle()
        before = batches(api)
        with payload_statements(api, monkeypatch) as statements:
            # Each submission event reaches every subscription (the events name no class):
            # each group's statement finds whether it is of that group's class.
            for lesson, record in ((verse_lessons[0], verse), (script_lessons[1], scene)):
                submitted = await api.gql(SUBMIT, {"lessonId": lesson["id"],
                                                   "recordId": record["id"]}, token=learner.token)
                assert submitted["submitToLesson"]["errors"] == [], submitted
            received = await pairs.received({
                "anonymous on verses": 1, "maya on verses": 1, "learner on verses": 1,
                "noor on scripts": 1, "anonymous on scripts": 1})
            # Verses made a draft again: its submissions are its instructor's alone to see.
            await api.hub.db.execute("update classes set status = 'DRAFT' where id = $1",
                                     decode_id(verses["id"], "Class"))
            first = received["maya on verses"][0]["lessonSubmissionAdded"]["submission"]["id"]
            async with api.hub.db.transaction() as tx:
                await outbox.write(tx, [Event("submission.created", first)])
            again = await pairs.received({"maya on verses": 1})
        assert batches(api) - before == 3 and len(statements) == 3
    finally:
        await pairs.close()
    assert again["maya on verses"][0]["lessonSubmissionAdded"]["submission"]["id"] == first
    titles = {label: [(data["lessonSubmissionAdded"]["submission"]["record"]["title"],
                       data["lessonSubmissionAdded"]["submission"]["lesson"]["title"])
                      for data in payloads] for label, payloads in received.items()}
    assert titles == {"anonymous on verses": [("My verse", "Lesson 1")] * 2,
                      "maya on verses": [("My verse", "Lesson 1")],
                      "learner on verses": [("My verse", "Lesson 1")],
                      "noor on scripts": [("My scene", "Lesson 2")],
                      "anonymous on scripts": [("My scene", "Lesson 2")]}
