"""No N+1: an operation's SQL statement count depends on its shape, not on its page size.

Operations whose fields all have SQL twins are answered in one statement (hub/compiled); the
executor's counts are measured with ``api.executor_only()``, since it answers every operation
that selects anything else."""

from __future__ import annotations

from tests.api import Api

FEED_WITH_AUTHORS = """
query Feed($first: Int!) {
  records(first: $first) {
    totalCount
    nodes {
      title author { handle displayName }
      details { ... on MusicDetails { genre } ... on WritingDetails { wordCount } }
    }
  }
}
"""
MEMBERS_WITH_RECORDS = """
query Members($first: Int!) {
  members(first: $first) {
    nodes { handle records(first: 3) { totalCount nodes { title author { handle } } } }
  }
}
"""


async def seed_records(api: Api, authors: int, records: int) -> None:
    for i in range(authors):
        await api.sign_up(f"author{i}")
    author_ids = [row["id"] for row in await api.hub.db.fetch("select id from members")]
    rows = [
        (author_ids[i % authors], "writing" if i % 2 else "music", f"Record {i}", "CC_BY_4_0",
         "PUBLISHED",
         {"form": "POEM", "text": "a b", "word_count": 2} if i % 2 else {"genre": "soul"})
        for i in range(records)
    ]
    await api.hub.db.executemany(
        "insert into records (author_id, media_type, title, license, status, details) "
        "values ($1, $2, $3, $4, $5, $6)", rows,
    )


async def count_statements(api: Api, query: str, variables: dict) -> int:
    before = api.statements()
    await api.gql(query, variables)
    return api.statements() - before


async def test_feed_statements_do_not_grow_with_page_size(api: Api) -> None:
    await seed_records(api, authors=20, records=60)
    small = await count_statements(api, FEED_WITH_AUTHORS, {"first": 5})
    large = await count_statements(api, FEED_WITH_AUTHORS, {"first": 50})
    assert small == large == 1  # compiled
    with api.executor_only():
        small = await count_statements(api, FEED_WITH_AUTHORS, {"first": 5})
        large = await count_statements(api, FEED_WITH_AUTHORS, {"first": 50})
    assert small == large == 3  # the page, the count, the authors


async def test_nested_connections_are_batched(api: Api) -> None:
    await seed_records(api, authors=12, records=40)
    assert await count_statements(api, MEMBERS_WITH_RECORDS, {"first": 12}) == 1  # compiled
    with api.executor_only():
        small = await count_statements(api, MEMBERS_WITH_RECORDS, {"first": 2})
        large = await count_statements(api, MEMBERS_WITH_RECORDS, {"first": 12})
    # members page; records per member (one LATERAL statement); counts per member (one
    # grouped statement); authors.
    assert small == large == 4


async def test_authors_selected_through_fragments_are_loaded_with_the_page(api: Api) -> None:
    await seed_records(api, authors=4, records=12)
    query = """
      fragment Byline on Record { author { handle } }
      query { records(first: 12) { edges { node { title ...Byline } } } }
    """
    assert await count_statements(api, query, {}) == 1  # compiled
    with api.executor_only():
        before = api.statements()
        data = await api.gql(query)
        # The page and its authors: the author field answers from the preloaded page.
        assert api.statements() - before == 2
        assert {e["node"]["author"]["handle"] for e in data["records"]["edges"]} == {
            "author0", "author1", "author2", "author3"}
        without_author = await count_statements(
            api, "{ records(first: 12) { nodes { title } } }", {}
        )
    assert without_author == 1  # nothing preloaded when nothing asks for it


UPDATE_PROFILE = """
mutation BenchUpdateProfile($bio: String!) {
  updateProfile(input: {bio: $bio}) { errors { field message code } member { id handle bio } }
}
"""


async def test_a_profile_edit_is_four_statements_and_writes_its_event(api: Api) -> None:
    ada = await api.sign_up("ada")
    before = api.statements()
    data = await api.gql(UPDATE_PROFILE, {"bio": "Sings."}, token=ada.token)
    assert data["updateProfile"] == {"errors": [], "member": {
        "id": ada.id, "handle": "ada", "bio": "Sings."}}
    # The session; the member's mutation count (the shared rate limit); the update returning
    # the member; the event in the outbox, one insert (its id comes at commit, from a trigger).
    assert api.statements() - before == 4
    event = await api.hub.db.fetchrow(
        "select id, subject from events where kind = 'member.profile_updated'")
    assert event is not None and event["subject"] == ada.id and event["id"] > 0
