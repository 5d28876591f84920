"""Identity and profile mutations, and the service logic behind them.

Permission rules: anyone may sign up and log in; logOut ends the session whose token was
sent; updateProfile changes the viewer's own profile only; setRole is for ADMINs (and the
``recordhub set-role`` command). logOut and role changes emit events
(``member.session_revoked``, ``member.role_changed``) that reach the WebSockets open on every
hub instance (hub/realtime/sessions.py). A wrong handle and a wrong password give the same error, so
log-in attempts cannot discover which handles exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from hub.api.context import Context
from hub.api.errors import ERRORS_DESCRIPTION, UserError
from hub.api.federation import MAX_USER_ERRORS, sized_list
from hub.api.members.types import Member, Role
from hub.api.mutations import Outcome, announce, run_mutation
from hub.core.db import Executor
from hub.core.db.pool import WRITER
from hub.core.errors import ErrorCode, Forbidden, InputProblem
from hub.core.events import Event
from hub.core.relay import encode_id
from hub.core.validation import Problems, clean_labels, clean_text
from hub.domain.members import auth, store
from hub.realtime import outbox

MAX_DISPLAY_NAME = 80
MAX_BIO = 2_000


@strawberry.input(description="A new member account.")
class SignUpInput:
    handle: str = strawberry.field(description="3 to 30 letters, digits or underscores.")
    display_name: str = strawberry.field(description=f"At most {MAX_DISPLAY_NAME} characters.")
    password: str = strawberry.field(
        description=f"At least {auth.MIN_PASSWORD_LENGTH} characters, not a common password."
    )


@strawberry.input(description="Credentials to start a session.")
class LogInInput:
    handle: str = strawberry.field(description="Your handle (case-insensitive, without the @).")
    password: str = strawberry.field(description="Your password.")


@strawberry.input(description="Profile changes; omitted fields stay as they are.")
class UpdateProfileInput:
    display_name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The new display name (1 to {MAX_DISPLAY_NAME} characters); omitted or "
        "null keeps the current one.")
    bio: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The new bio (at most {MAX_BIO} characters; empty clears it); omitted or "
        "null keeps the current one.")
    skills: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The new skills, replacing the current ones (at most 30 labels of at most "
        "40 characters, stored lower-case); omitted or null keeps the current ones.")


@strawberry.input(description="Give a member a role (ADMIN only).")
class SetRoleInput:
    handle: str = strawberry.field(description="The member's handle.")
    role: Role = strawberry.field(description="The member's new role.")


@strawberry.type(description="A session token and its member, or the errors that stopped it.")
class AuthPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    token: str | None = strawberry.field(
        default=None, description="Send it as `Authorization: Bearer <token>`; null when `errors` "
        "is not empty."
    )
    member: Member | None = strawberry.field(
        default=None, description="The member now signed in; null when `errors` is not empty.")


@strawberry.type(description="Whether a session was ended.")
class LogOutPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    ok: bool = strawberry.field(
        default=False, description="True when the session was ended; false when it had already "
        "ended (expired or logged out before).")


@strawberry.type(description="The member after the change, or the errors that stopped it.")
class MemberPayload:
    errors: list[UserError] = strawberry.field(description=ERRORS_DESCRIPTION,
                                               directives=sized_list(MAX_USER_ERRORS))
    member: Member | None = strawberry.field(
        default=None, description="The member after the change; null when `errors` is not empty.")


async def _start_session(tx: Executor, context: Context, member_id: int) -> str:
    token = auth.new_token()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=context.settings.token_ttl_hours)
    await store.insert_session(tx, auth.token_hash(token), member_id, expires)
    # The member's first reads with this token see their account (read replicas: the
    # commit's LSN is noted for them, hub/core/db/replicas.py), though the request was anonymous.
    WRITER.set(member_id)
    return token


async def sign_up(context: Context, input: SignUpInput) -> AuthPayload:
    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        handle = problems.check(auth.check_handle, input.handle.strip())
        display_name = problems.check(
            clean_text, input.display_name, "displayName", max_length=MAX_DISPLAY_NAME,
            required=True,
        )
        problems.check(auth.check_password, input.password, handle)
        problems.raise_any()
        password_hash = await auth.hash_password(input.password)
        try:
            row = await store.insert_member(tx, handle, display_name, password_hash)
        except store.HandleTaken:
            raise InputProblem(
                ErrorCode.HANDLE_TAKEN, f"The handle {handle!r} is taken.", "handle"
            ) from None
        token = await _start_session(tx, context, row["id"])
        member_id = encode_id("Member", row["id"])
        return Outcome({"token": token, "member": Member.from_row(row)},
                       [Event("member.signed_up", member_id, member_id, {"handle": handle})])

    return await run_mutation(context, AuthPayload, work)


async def log_in(context: Context, input: LogInInput) -> AuthPayload:
    if context.rate_limits is not None:
        address = context.request.remote if context.request is not None else None
        await context.rate_limits.log_in(context.db, input.handle, str(address))

    async def work(tx: Executor) -> Outcome:
        row = None
        if len(input.handle) <= 100:
            row = await store.credentials_by_handle(tx, input.handle.strip())
        ok = await auth.verify_password(row["password_hash"] if row else None, input.password)
        if row is None or not ok:
            raise InputProblem(ErrorCode.INVALID_CREDENTIALS, "The handle or the password is wrong.")
        token = await _start_session(tx, context, row["id"])
        return Outcome({"token": token, "member": Member.from_row(row)})

    return await run_mutation(context, AuthPayload, work)


async def log_out(context: Context) -> LogOutPayload:
    member_id = context.require_viewer()
    assert context.token_hash is not None
    async with context.db.transaction() as tx:
        ended = await store.delete_session(tx, context.token_hash)
        if ended:
            # Every hub instance hears it and closes the WebSockets opened with this token.
            await outbox.write(tx, [session_revoked(member_id, context.token_hash)])
    return LogOutPayload(errors=[], ok=ended)


def session_revoked(member_id: int, token_hash: bytes) -> Event:
    """``member.session_revoked``: the session named in the payload ended (hub/realtime)."""
    member = encode_id("Member", member_id)
    return Event("member.session_revoked", member, member,
                 {"session": auth.session_ref(token_hash)})


async def change_role(
    tx: Executor, handle: str, role: str, actor: str | None,
) -> tuple[Any, list[Event]]:
    """Give the member ``handle`` a ``role``: (the member's row, or None when there is no such
    member; the ``member.role_changed`` event to write, when the role did change). For
    ``setRole`` and ``recordhub set-role``: open WebSockets of the member follow the change."""
    row = await store.set_role(tx, handle, role)
    if row is None or row["previous_role"] == role:
        return row, []
    member = encode_id("Member", row["id"])
    return row, [Event("member.role_changed", member, actor,
                       {"role": role, "previousRole": row["previous_role"]})]


async def update_profile(context: Context, input: UpdateProfileInput) -> MemberPayload:
    member_id = context.require_viewer()

    async def work(tx: Executor) -> Outcome:
        problems = Problems()
        display_name = bio = skills = None
        if input.display_name not in (None, strawberry.UNSET):
            display_name = problems.check(
                clean_text, input.display_name, "displayName", max_length=MAX_DISPLAY_NAME,
                required=True,
            )
        if input.bio not in (None, strawberry.UNSET):
            bio = problems.check(clean_text, input.bio, "bio", max_length=MAX_BIO)
        if input.skills not in (None, strawberry.UNSET):
            skills = problems.check(clean_labels, input.skills, "skills", max_items=30,
                                    max_length=40)
        problems.raise_any()
        member = encode_id("Member", member_id)
        # Public fields change: subscribers, plugins and response caches hear of it. Written
        # before the update, so the member's row is locked only from the update to the commit
        # (edits of one member queue on that lock).
        await announce(tx, [Event("member.profile_updated", member, member)])
        row = await store.update_profile(tx, member_id, display_name, bio, skills)
        return Outcome({"member": Member.from_row(row)})

    return await run_mutation(context, MemberPayload, work)


async def set_role(context: Context, input: SetRoleInput) -> MemberPayload:
    context.require_viewer()
    if not context.is_admin:
        raise Forbidden("Only an admin can change roles.")

    async def work(tx: Executor) -> Outcome:
        row, events = await change_role(tx, input.handle, input.role.name,
                                        context.viewer_global_id)
        if row is None:
            raise InputProblem(ErrorCode.NOT_FOUND, f"No member {input.handle!r}.", "handle")
        return Outcome({"member": Member.from_row(row)}, events)

    return await run_mutation(context, MemberPayload, work)


@strawberry.type
class MembersMutation:
    @strawberry.mutation(description="Create an account and start a session.")
    async def sign_up(
        self, info: Info,
        input: Annotated[SignUpInput, strawberry.argument(description="The new account.")],
    ) -> AuthPayload:
        return await sign_up(info.context, input)

    @strawberry.mutation(description="Start a session with a handle and password.")
    async def log_in(
        self, info: Info,
        input: Annotated[LogInInput, strawberry.argument(description="Your credentials.")],
    ) -> AuthPayload:
        return await log_in(info.context, input)

    @strawberry.mutation(description="End the session whose token this request carries.")
    async def log_out(self, info: Info) -> LogOutPayload:
        return await log_out(info.context)

    @strawberry.mutation(description="Change your display name, bio or skills.")
    async def update_profile(
        self, info: Info,
        input: Annotated[UpdateProfileInput,
                         strawberry.argument(description="The fields to change.")],
    ) -> MemberPayload:
        return await update_profile(info.context, input)

    @strawberry.mutation(description="Give a member a role (ADMIN only).")
    async def set_role(
        self, info: Info,
        input: Annotated[SetRoleInput, strawberry.argument(description="Who gets which role.")],
    ) -> MemberPayload:
        return await set_role(info.context, input)
