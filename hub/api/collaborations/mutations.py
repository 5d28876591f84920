"""Mutations of the collaborations slice; the rules behind them are the domain's
(hub/domain/collaborations/service.py and contributions.py), each refusal a payload error with
its code and nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.collaborations.types import Collaboration, Contribution
from hub.api.context import Context
from hub.api.errors import UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.mutations import Outcome, run_mutation
from hub.core.db import Executor
from hub.core.errors import ErrorCode
from hub.core.relay import input_pk
from hub.core.validation import Problems
from hub.domain.collaborations import contributions, service, store
from hub.domain.collaborations.service import NeedSpec, StepSpec


@strawberry.input(description="A need of a step: slots for records of a media type.")
class NeedInput:
    media_type: str = strawberry.field(description="An enabled media type's key (`music`…).")
    count: int = strawberry.field(default=1, description="How many records it takes (1–100).")
    skill: str = strawberry.field(default="", description="The skill wanted; empty for any.")
    description: str = strawberry.field(default="", description="What is wanted.")

    def spec(self) -> NeedSpec:
        return NeedSpec(self.media_type, self.count, self.skill, self.description)


@strawberry.input(description="A step of a collaboration, with its needs.")
class StepInput:
    title: str = strawberry.field(description="What the step is (at most 200 characters).")
    deadline: dt.datetime = strawberry.field(description="When offers to it end: in the future, "
                                             "not after the collaboration's deadline.")
    description: str = strawberry.field(default="", description="More about it.")
    needs: list[NeedInput] = strawberry.field(default_factory=list,
                                              description="What it needs (at most 20).")

    def spec(self) -> StepSpec:
        return StepSpec(self.title, self.deadline, self.description,
                        [need.spec() for need in self.needs])


@strawberry.input(description="A new collaboration; it starts as a DRAFT, you its owner.")
class CreateCollaborationInput:
    title: str = strawberry.field(description="At most 200 characters.")
    deadline: dt.datetime = strawberry.field(description="When it stops taking contributions; "
                                             "in the future.")
    brief: str = strawberry.field(default="", description="What it is about, in Markdown (raw "
                                  "HTML is shown as text).")
    tags: list[str] = strawberry.field(default_factory=list, description="At most 20 labels.")
    steps: list[StepInput] = strawberry.field(default_factory=list,
                                              description="Its steps, in order (at most 20).")


@strawberry.input(description="Changes to a collaboration (DRAFT or OPEN); omitted fields stay.")
class UpdateCollaborationInput:
    id: strawberry.ID = strawberry.field(description="The collaboration.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new "
                                         "title; omitted or null keeps it.")
    brief: str | None = strawberry.field(default=strawberry.UNSET, description="A new "
                                         "brief; omitted or null keeps it.")
    deadline: dt.datetime | None = strawberry.field(default=strawberry.UNSET,
                                                    description="A new deadline (future); "
                                                    "omitted or null keeps it.")
    tags: list[str] | None = strawberry.field(default=strawberry.UNSET, description="New "
                                               "tags, replacing all; omitted or null keeps them.")


@strawberry.input(description="Names a collaboration.")
class CollaborationIdInput:
    id: strawberry.ID = strawberry.field(description="The collaboration's global ID.")


@strawberry.input(description="Completes a collaboration, naming what it produced.")
class CompleteCollaborationInput:
    id: strawberry.ID = strawberry.field(description="The collaboration's global ID.")
    results: list[strawberry.ID] = strawberry.field(description="Its result records, in order: "
                                                    "published (at least one, at most 50).")


@strawberry.input(description="Adds or removes an owner.")
class CollaborationOwnerInput:
    id: strawberry.ID = strawberry.field(description="The collaboration's global ID.")
    member: strawberry.ID = strawberry.field(description="The member's global ID.")


@strawberry.input(description="Adds a step at the end of a collaboration (DRAFT or OPEN).")
class AddCollaborationStepInput:
    collaboration_id: strawberry.ID = strawberry.field(description="The collaboration.")
    step: StepInput = strawberry.field(description="The step.")


@strawberry.input(description="Names a step.")
class CollaborationStepIdInput:
    step_id: strawberry.ID = strawberry.field(description="The step's ID.")


@strawberry.input(description="Adds a need to a step.")
class AddCollaborationNeedInput:
    step_id: strawberry.ID = strawberry.field(description="The step's ID.")
    need: NeedInput = strawberry.field(description="The need.")


@strawberry.input(description="Changes a need; omitted fields stay.")
class UpdateCollaborationNeedInput:
    need_id: strawberry.ID = strawberry.field(description="The need's ID.")
    count: int | None = strawberry.field(default=None, description="Slots: not below those "
                                         "filled; omitted or null keeps them.")
    description: str | None = strawberry.field(default=None, description="What is wanted; "
                                               "omitted or null keeps it.")


@strawberry.input(description="Names a need.")
class CollaborationNeedIdInput:
    need_id: strawberry.ID = strawberry.field(description="The need's ID.")


@strawberry.input(description="Offers one of your published records to a need.")
class OfferContributionInput:
    need_id: strawberry.ID = strawberry.field(description="The need (its collaboration OPEN).")
    record_id: strawberry.ID = strawberry.field(description="Your published record, of the "
                                                "need's media type.")
    note: str = strawberry.field(default="", description="A word to the owners.")
    sources: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Records accepted in earlier steps that yours builds on; "
        "they become its sources when it is accepted. Omitted: all of them.")


@strawberry.input(description="Names a contribution.")
class ContributionIdInput:
    id: strawberry.ID = strawberry.field(description="The contribution's global ID.")


@strawberry.input(description="Declines a contribution.")
class DeclineContributionInput:
    id: strawberry.ID = strawberry.field(description="The contribution's global ID.")
    reason: str = strawberry.field(default="", description="Why; its contributor sees it.")


@strawberry.type(description="The collaboration after the mutation, or the errors that "
                 "stopped it.")
class CollaborationPayload:
    errors: list[UserError] = strawberry.field(directives=sized_list(MAX_USER_ERRORS),
                                               description="Why nothing was changed; empty on "
                                               "success.")
    collaboration: Collaboration | None = strawberry.field(
        default=None, description="The collaboration as it is now; null on errors.")


@strawberry.type(description="The contribution after the mutation, or the errors that "
                 "stopped it.")
class ContributionPayload:
    errors: list[UserError] = strawberry.field(directives=sized_list(MAX_USER_ERRORS),
                                               description="Why nothing was changed; empty on "
                                               "success.")
    contribution: Contribution | None = strawberry.field(
        default=None, description="The contribution as it is now; null on errors.")


# --- running ------------------------------------------------------------------------------------


def _media_types(context: Context) -> set[str]:
    return set(context.plugins.media_types)


async def _reloaded(tx: Executor, pk: int) -> Collaboration:
    from hub.domain.collaborations.loaders import collaborations_by_ids

    (row,) = await collaborations_by_ids(tx, [pk], None)
    return Collaboration.from_row(row)


def checked_pk(global_id: str, type_name: str, field: str) -> int:
    problems = Problems()
    pk = problems.check(input_pk, global_id, type_name, field)
    problems.raise_any()
    return pk


async def collaboration_change(
    context: Context, work: Callable[[Executor, int], Awaitable[Any]],
) -> CollaborationPayload:
    """Run ``work`` (returning the collaboration row, or (row, events)); answer its state."""
    viewer = context.require_viewer()

    async def run(tx: Executor) -> Outcome:
        done = await work(tx, viewer)
        row, events = done if isinstance(done, tuple) else (done, [])
        return Outcome({"collaboration": await _reloaded(tx, row["id"])}, events)

    return await run_mutation(context, CollaborationPayload, run)


async def _contribution_change(
    context: Context, work: Callable[[Executor, int], Awaitable[tuple[Any, list[Any]]]],
) -> ContributionPayload:
    viewer = context.require_viewer()

    async def run(tx: Executor) -> Outcome:
        row, events = await work(tx, viewer)
        shown = await tx.fetchrow(
            f"select {store.CONTRIBUTION_COLUMNS}, k.reason as _reason from contributions k "
            "where k.id = $1", row["id"])
        return Outcome({"contribution": Contribution.from_row(shown)}, events)

    return await run_mutation(context, ContributionPayload, run)


def _member_pk(context: Context, global_id: str) -> int | None:
    return checked_pk(global_id, "Member", "member")


@strawberry.type
class CollaborationsMutation:
    @strawberry.mutation(description="Start a collaboration as a DRAFT owned by you.")
    async def create_collaboration(self, info: Info, input: Annotated[
            CreateCollaborationInput, strawberry.argument(description="The collaboration.")],
    ) -> CollaborationPayload:
        context: Context = info.context
        return await collaboration_change(context, lambda tx, viewer: service.create(
            tx, viewer, title=input.title, brief=input.brief, deadline=input.deadline,
            tags=input.tags, steps=[step.spec() for step in input.steps],
            media_types=_media_types(context)))

    @strawberry.mutation(description="Change a DRAFT or OPEN collaboration (owners).")
    async def update_collaboration(self, info: Info, input: Annotated[
            UpdateCollaborationInput, strawberry.argument(description="The changes.")],
    ) -> CollaborationPayload:
        changes = {name: getattr(input, name) for name in ("title", "brief", "deadline", "tags")
                   if getattr(input, name) not in (None, strawberry.UNSET)}
        return await collaboration_change(info.context, lambda tx, viewer: service.update(
            tx, viewer, checked_pk(input.id, "Collaboration", "id"), changes))

    @strawberry.mutation(description="Open a DRAFT collaboration to contributions (owners); it "
                         "needs at least one need and a future deadline.")
    async def open_collaboration(self, info: Info, input: Annotated[
            CollaborationIdInput, strawberry.argument(description="The collaboration.")],
    ) -> CollaborationPayload:
        return await _move(info, input.id, "OPEN")

    @strawberry.mutation(description="Stop taking contributions (owners); decisions go on.")
    async def close_collaboration(self, info: Info, input: Annotated[
            CollaborationIdInput, strawberry.argument(description="The collaboration.")],
    ) -> CollaborationPayload:
        return await _move(info, input.id, "CLOSED")

    @strawberry.mutation(description="Complete an OPEN or CLOSED collaboration, naming its "
                         "result records (owners).")
    async def complete_collaboration(self, info: Info, input: Annotated[
            CompleteCollaborationInput, strawberry.argument(description="Its results.")],
    ) -> CollaborationPayload:
        async def work(tx: Executor, viewer: int) -> Any:
            problems = Problems()
            if len(input.results) > 50:
                problems.add(ErrorCode.TOO_LONG, "At most 50 results.", "results")
            results = [problems.check(input_pk, rid, "Record", f"results.{i}")
                       for i, rid in enumerate(input.results)]
            problems.raise_any()
            return await service.move(tx, viewer, checked_pk(input.id, "Collaboration", "id"),
                                      "COMPLETED", list(dict.fromkeys(results)))

        return await collaboration_change(info.context, work)

    @strawberry.mutation(description="Archive a collaboration in any state (owners).")
    async def archive_collaboration(self, info: Info, input: Annotated[
            CollaborationIdInput, strawberry.argument(description="The collaboration.")],
    ) -> CollaborationPayload:
        return await _move(info, input.id, "ARCHIVED")

    @strawberry.mutation(description="Make a member a co-owner (owners).")
    async def add_collaboration_owner(self, info: Info, input: Annotated[
            CollaborationOwnerInput, strawberry.argument(description="Who, of what.")],
    ) -> CollaborationPayload:
        async def work(tx: Executor, viewer: int) -> Any:
            member = checked_pk(input.member, "Member", "member")
            exists = await tx.fetchval("select exists (select 1 from members where id = $1)",
                                       member)
            return await service.add_owner(tx, viewer, checked_pk(input.id, "Collaboration", "id"),
                                           member if exists else None)

        return await collaboration_change(info.context, work)

    @strawberry.mutation(description="Remove an owner (owners; never the last: LAST_OWNER).")
    async def remove_collaboration_owner(self, info: Info, input: Annotated[
            CollaborationOwnerInput, strawberry.argument(description="Who, of what.")],
    ) -> CollaborationPayload:
        return await collaboration_change(info.context, lambda tx, viewer: service.remove_owner(
            tx, viewer, checked_pk(input.id, "Collaboration", "id"),
            checked_pk(input.member, "Member", "member")))

    @strawberry.mutation(description="Add a step at the end (owners; DRAFT or OPEN).")
    async def add_collaboration_step(self, info: Info, input: Annotated[
            AddCollaborationStepInput, strawberry.argument(description="The step.")],
    ) -> CollaborationPayload:
        context: Context = info.context
        return await collaboration_change(context, lambda tx, viewer: service.add_step(
            tx, viewer, checked_pk(input.collaboration_id, "Collaboration", "collaborationId"),
            input.step.spec(), _media_types(context)))

    @strawberry.mutation(description="Remove a step without contributions (owners).")
    async def remove_collaboration_step(self, info: Info, input: Annotated[
            CollaborationStepIdInput, strawberry.argument(description="The step.")],
    ) -> CollaborationPayload:
        return await collaboration_change(info.context, lambda tx, viewer: service.remove_step(
            tx, viewer, checked_pk(input.step_id, "CollaborationStep", "stepId")))

    @strawberry.mutation(description="Add a need to a step (owners; DRAFT or OPEN).")
    async def add_collaboration_need(self, info: Info, input: Annotated[
            AddCollaborationNeedInput, strawberry.argument(description="The need.")],
    ) -> CollaborationPayload:
        context: Context = info.context
        return await collaboration_change(context, lambda tx, viewer: service.add_need(
            tx, viewer, checked_pk(input.step_id, "CollaborationStep", "stepId"), input.need.spec(),
            _media_types(context)))

    @strawberry.mutation(description="Change a need's count or description (owners).")
    async def update_collaboration_need(self, info: Info, input: Annotated[
            UpdateCollaborationNeedInput, strawberry.argument(description="The changes.")],
    ) -> CollaborationPayload:
        return await collaboration_change(info.context, lambda tx, viewer: service.update_need(
            tx, viewer, checked_pk(input.need_id, "CollaborationNeed", "needId"), input.count,
            input.description))

    @strawberry.mutation(description="Remove a need without contributions (owners).")
    async def remove_collaboration_need(self, info: Info, input: Annotated[
            CollaborationNeedIdInput, strawberry.argument(description="The need.")],
    ) -> CollaborationPayload:
        return await collaboration_change(info.context, lambda tx, viewer: service.remove_need(
            tx, viewer, checked_pk(input.need_id, "CollaborationNeed", "needId")))

    @strawberry.mutation(description="Offer one of your published records to a need.")
    async def offer_contribution(self, info: Info, input: Annotated[
            OfferContributionInput, strawberry.argument(description="The offer.")],
    ) -> ContributionPayload:
        async def work(tx: Executor, viewer: int) -> tuple[Any, list[Any]]:
            problems = Problems()
            need = problems.check(input_pk, input.need_id, "CollaborationNeed", "needId")
            record = problems.check(input_pk, input.record_id, "Record", "recordId")
            sources = None if input.sources is None else [
                problems.check(input_pk, sid, "Record", f"sources.{i}")
                for i, sid in enumerate(input.sources)]
            problems.raise_any()
            return await contributions.offer(tx, viewer, need_id=need, record_id=record,
                                             note=input.note, sources=sources)

        return await _contribution_change(info.context, work)

    @strawberry.mutation(description="Shortlist a contribution (owners).")
    async def shortlist_contribution(self, info: Info, input: Annotated[
            ContributionIdInput, strawberry.argument(description="The contribution.")],
    ) -> ContributionPayload:
        return await _contribution_change(info.context, lambda tx, viewer: contributions.shortlist(
            tx, viewer, checked_pk(input.id, "Contribution", "id")))

    @strawberry.mutation(description="Accept a contribution: it fills a slot of its need "
                         "(owners; NEED_FILLED when none is free).")
    async def accept_contribution(self, info: Info, input: Annotated[
            ContributionIdInput, strawberry.argument(description="The contribution.")],
    ) -> ContributionPayload:
        return await _contribution_change(info.context, lambda tx, viewer: contributions.accept(
            tx, viewer, checked_pk(input.id, "Contribution", "id")))

    @strawberry.mutation(description="Decline a contribution, with a reason its contributor "
                         "sees (owners).")
    async def decline_contribution(self, info: Info, input: Annotated[
            DeclineContributionInput, strawberry.argument(description="The decision.")],
    ) -> ContributionPayload:
        return await _contribution_change(info.context, lambda tx, viewer: contributions.decline(
            tx, viewer, checked_pk(input.id, "Contribution", "id"), input.reason))

    @strawberry.mutation(description="Withdraw your contribution; an accepted one stays as a "
                         "tombstone that keeps your credit, and its slot reopens.")
    async def withdraw_contribution(self, info: Info, input: Annotated[
            ContributionIdInput, strawberry.argument(description="The contribution.")],
    ) -> ContributionPayload:
        return await _contribution_change(info.context, lambda tx, viewer: contributions.withdraw(
            tx, viewer, checked_pk(input.id, "Contribution", "id")))


async def _move(info: Info, global_id: str, status: str) -> CollaborationPayload:
    return await collaboration_change(info.context, lambda tx, viewer: service.move(
        tx, viewer, checked_pk(global_id, "Collaboration", "id"), status))

