"""Identity and profiles: signUp, logIn, logOut, viewer, member(s), updateProfile, roles."""

from __future__ import annotations

from tests.api import SIGN_UP, Api

LOG_IN = """
mutation LogIn($handle: String!, $password: String!) {
  logIn(input: {handle: $handle, password: $password}) {
    token member { handle } errors { field message code }
  }
}
"""
VIEWER = "{ viewer { handle displayName role } }"
LOG_OUT = "mutation { logOut { ok errors { code } } }"
UPDATE_PROFILE = """
mutation Update($input: UpdateProfileInput!) {
  updateProfile(input: $input) { member { displayName bio skills } errors { field message code } }
}
"""


def sign_up_vars(handle: str, password: str = "correct horse battery", name: str = "Ada") -> dict:
    return {"input": {"handle": handle, "displayName": name, "password": password}}


async def member_count(api: Api) -> int:
    return await api.hub.db.fetchval("select count(*) from members")


async def test_sign_up_returns_a_working_token(api: Api) -> None:
    data = await api.gql(SIGN_UP, sign_up_vars("ada_l"))
    payload = data["signUp"]
    assert payload["errors"] == []
    assert payload["member"]["handle"] == "ada_l"
    assert payload["member"]["role"] == "MEMBER"
    assert payload["token"].startswith("rh_")
    viewer = await api.gql(VIEWER, token=payload["token"])
    assert viewer == {"viewer": {"handle": "ada_l", "displayName": "Ada", "role": "MEMBER"}}


async def test_tokens_are_stored_hashed(api: Api) -> None:
    member = await api.sign_up("hashy")
    stored = await api.hub.db.fetch("select token_hash from sessions")
    assert len(stored) == 1
    assert member.token.encode() not in stored[0]["token_hash"]
    assert len(stored[0]["token_hash"]) == 32


async def test_anonymous_viewer_is_null(api: Api) -> None:
    assert await api.gql(VIEWER) == {"viewer": None}


async def test_handle_taken_case_insensitively(api: Api) -> None:
    await api.sign_up("Grace")
    data = await api.gql(SIGN_UP, sign_up_vars("grace"))
    assert data["signUp"] == {"token": None, "member": None, "errors": [
        {"field": "handle", "message": "The handle 'grace' is taken.", "code": "HANDLE_TAKEN"}]}
    assert await member_count(api) == 1


async def test_bad_handles_are_refused_and_nothing_is_written(api: Api) -> None:
    for handle in ["ab", "x" * 31, "has space", "semi;colon", "dot.dot", "", "émile"]:
        data = await api.gql(SIGN_UP, sign_up_vars(handle))
        assert data["signUp"]["errors"][0]["code"] == "INVALID_HANDLE", handle
        assert data["signUp"]["errors"][0]["field"] == "handle"
    assert await member_count(api) == 0


async def test_weak_passwords_are_refused(api: Api) -> None:
    for password in ["", "short", "password123", "aaaaaaaaaaaaa", "my-handle-kim99", "x" * 300]:
        data = await api.gql(SIGN_UP, sign_up_vars("kim99", password))
        assert data["signUp"]["errors"][0]["code"] in ("WEAK_PASSWORD", "TOO_LONG"), password
        assert data["signUp"]["errors"][0]["field"] == "password"
    assert await member_count(api) == 0


async def test_empty_display_name_is_refused(api: Api) -> None:
    data = await api.gql(SIGN_UP, sign_up_vars("nameless", name="   "))
    assert data["signUp"]["errors"] == [
        {"field": "displayName", "message": "displayName must not be empty.",
         "code": "INVALID_INPUT"}]


async def test_log_in_and_wrong_credentials_give_no_hint(api: Api) -> None:
    await api.sign_up("linus")
    ok = await api.gql(LOG_IN, {"handle": "LINUS", "password": "correct horse battery"})
    assert ok["logIn"]["errors"] == [] and ok["logIn"]["member"]["handle"] == "linus"

    wrong_password = await api.gql(LOG_IN, {"handle": "linus", "password": "wrong horse battery"})
    unknown_handle = await api.gql(LOG_IN, {"handle": "nobody", "password": "wrong horse battery"})
    assert wrong_password == unknown_handle == {"logIn": {"token": None, "member": None, "errors": [
        {"field": None, "message": "The handle or the password is wrong.",
         "code": "INVALID_CREDENTIALS"}]}}


async def test_log_out_ends_the_session(api: Api) -> None:
    member = await api.sign_up("leaver")
    assert await api.gql(LOG_OUT, token=member.token) == {"logOut": {"ok": True, "errors": []}}
    status, body = await api.post(VIEWER, token=member.token)
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_log_out_needs_a_session(api: Api) -> None:
    errors = await api.errors(LOG_OUT)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_expired_and_malformed_tokens_are_rejected(api: Api) -> None:
    member = await api.sign_up("expiring")
    await api.hub.db.execute("update sessions set expires_at = now() - interval '1 second'")
    for headers in ({"Authorization": f"Bearer {member.token}"},
                    {"Authorization": "Bearer not-a-token"},
                    {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = await api.client.post("/graphql", json={"query": VIEWER}, headers=headers)
        assert response.status == 401
        body = await response.json()
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "expired" in body["errors"][0]["message"]


async def test_update_profile(api: Api) -> None:
    member = await api.sign_up("profiler")
    data = await api.gql(UPDATE_PROFILE, {"input": {
        "displayName": "  Pro Filer ", "bio": "Makes beats.", "skills": ["Drums", "drums", "Mixing"],
    }}, token=member.token)
    assert data["updateProfile"] == {"errors": [], "member": {
        "displayName": "Pro Filer", "bio": "Makes beats.", "skills": ["drums", "mixing"]}}


async def test_update_profile_refuses_too_long_bio_and_keeps_the_old_one(api: Api) -> None:
    member = await api.sign_up("verbose")
    await api.gql(UPDATE_PROFILE, {"input": {"bio": "short"}}, token=member.token)
    data = await api.gql(UPDATE_PROFILE, {"input": {"displayName": "New", "bio": "x" * 2001}},
                         token=member.token)
    assert data["updateProfile"]["errors"][0]["code"] == "TOO_LONG"
    row = await api.hub.db.fetchrow("select display_name, bio from members where handle = 'verbose'")
    assert (row["display_name"], row["bio"]) == ("Verbose", "short")


async def test_update_profile_needs_a_session(api: Api) -> None:
    errors = await api.errors(UPDATE_PROFILE, {"input": {"bio": "x"}})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_member_by_handle_and_members_filter(api: Api) -> None:
    one = await api.sign_up("singer_one")
    await api.sign_up("painter_two")
    await api.gql(UPDATE_PROFILE, {"input": {"skills": ["vocals"], "bio": "Sings soul ballads."}},
                  token=one.token)
    data = await api.gql("""{
      member(handle: "SINGER_ONE") { handle skills }
      bySkill: members(filter: {skill: "Vocals"}) { totalCount nodes { handle } }
      bySearch: members(filter: {search: "ballads"}) { nodes { handle } }
      all: members(first: 1) { totalCount nodes { handle } pageInfo { hasNextPage } }
      missing: member(handle: "nobody") { handle }
    }""")
    assert data == {
        "member": {"handle": "singer_one", "skills": ["vocals"]},
        "bySkill": {"totalCount": 1, "nodes": [{"handle": "singer_one"}]},
        "bySearch": {"nodes": [{"handle": "singer_one"}]},
        "all": {"totalCount": 2, "nodes": [{"handle": "painter_two"}],
                "pageInfo": {"hasNextPage": True}},
        "missing": None,
    }


SET_ROLE = """
mutation SetRole($handle: String!, $role: Role!) {
  setRole(input: {handle: $handle, role: $role}) { member { handle role } errors { code } }
}
"""


async def test_only_admins_set_roles(api: Api) -> None:
    admin = await api.sign_up("root_admin", role="ADMIN")
    member = await api.sign_up("climber")
    errors = await api.errors(SET_ROLE, {"handle": "climber", "role": "ADMIN"}, token=member.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await api.hub.db.fetchval("select role from members where handle = 'climber'") == "MEMBER"
    data = await api.gql(SET_ROLE, {"handle": "climber", "role": "EDITOR"}, token=admin.token)
    assert data["setRole"] == {"member": {"handle": "climber", "role": "EDITOR"}, "errors": []}
    missing = await api.gql(SET_ROLE, {"handle": "ghost", "role": "EDITOR"}, token=admin.token)
    assert missing["setRole"]["errors"] == [{"code": "NOT_FOUND"}]


async def test_sign_up_reports_every_problem_of_its_input_at_once(api: Api) -> None:
    data = await api.gql(SIGN_UP, {"input": {"handle": "", "displayName": " ", "password": "x"}})
    assert data["signUp"]["errors"] == [
        {"field": "handle", "code": "INVALID_HANDLE",
         "message": "A handle is 3 to 30 letters, digits or underscores."},
        {"field": "displayName", "code": "INVALID_INPUT",
         "message": "displayName must not be empty."},
        {"field": "password", "code": "WEAK_PASSWORD",
         "message": "A password needs at least 10 characters."},
    ]
    two = await api.gql(SIGN_UP, sign_up_vars("ok_handle", "aaaaaaaaaa", name=""))
    assert [(e["field"], e["code"]) for e in two["signUp"]["errors"]] == [
        ("displayName", "INVALID_INPUT"), ("password", "WEAK_PASSWORD")]
    assert await member_count(api) == 0


async def test_update_profile_reports_every_problem_at_once_and_changes_nothing(api: Api) -> None:
    member = await api.sign_up("careful")
    data = await api.gql(UPDATE_PROFILE, {"input": {
        "displayName": "", "bio": "b" * 2001, "skills": [f"s{i}" for i in range(31)]}},
        token=member.token)
    assert [(e["field"], e["code"]) for e in data["updateProfile"]["errors"]] == [
        ("displayName", "INVALID_INPUT"), ("bio", "TOO_LONG"), ("skills", "TOO_LONG")]
    row = await api.hub.db.fetchrow("select display_name, bio, skills from members "
                                    "where handle = 'careful'")
    assert (row["display_name"], row["bio"], row["skills"]) == ("Careful", "", [])
