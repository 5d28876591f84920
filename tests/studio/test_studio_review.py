"""The studio's review screen in a real browser (the fixtures and helpers of
tests/studio/test_studio.py: Debian's Chromium driven by Playwright, axe-core injected).

A book was returned once; eddie reworks it in the builder (his own changes raise no "changed
by someone else" notice: the page knows their versions), resubmits it and asks ada to review.
ada finds it in her dashboard's "Assigned to me for review", sees what changed since the
return, writes a comment on one item and approves; eddie's page sees the approval live, with
her comment. axe finds no serious or critical violation on the review screen.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp.test_utils import TestClient

from hub.seed.demo import seed_demo
from tests.api import Api, Member
from tests.compilations.test_compilations_review import RETURN
from tests.compilations_api import ADD_EDITOR, SUBMIT, add, create, step, story
from tests.studio.test_studio import (  # noqa: F401 - `browser` is a fixture
    SIGN_IN,
    Browser,
    axe_violations,
    browser,
    expect,
    new_page,
    screen,
    sign_in,
    studio_url,
)

REVIEW = """query ($id: ID!) { compilation(id: $id) { status assignee { handle }
  reviewComments { nodes { body kind record { title } author { handle } } } } }"""


async def member(api: Api, handle: str) -> Member:
    token = (await api.gql(SIGN_IN, {"handle": handle}))["logIn"]["token"]
    viewer = (await api.gql("query { viewer { id } }", token=token))["viewer"]
    return Member(viewer["id"], handle, token)


async def test_a_second_editor_reviews_with_a_per_item_comment_and_approves(
    api: Api, client: TestClient, browser: Browser,  # noqa: F811 - the fixture
) -> None:
    await seed_demo(api.hub.db, api.hub.plugins, settings=api.hub.settings)
    eddie, ada = await member(api, "eddie"), await member(api, "ada")
    base = studio_url(client)

    # Through the API: eddie's book of two stories, ada on its team, submitted and returned.
    book = await create(api, eddie, title="Tide tables")
    for title in ("Ebb", "Flood"):
        await add(api, eddie, book, await story(api, eddie, title))
    await api.gql(ADD_EDITOR, {"input": {"compilationId": book["id"], "memberId": ada.id}},
                  token=eddie.token)
    assert (await step(api, SUBMIT, eddie, book["id"]))["errors"] == []
    returned = await api.gql(RETURN, {"id": book["id"], "reason": "Flood should open it."},
                             token=ada.token)
    assert returned["returnCompilation"]["errors"] == []

    # eddie reworks it: Flood moves first, by keyboard. His own changes are no news to his
    # page (no "another editor" notice), though the subscription reports them too.
    page = await new_page(browser)
    await sign_in(page, base, "eddie")
    await page.goto(f"{base}#/c/{quote(book['id'], safe='')}")
    items = page.locator("ol.items > li")
    await expect(items).to_have_count(2)
    await items.nth(1).focus()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page.locator("#announcer")).to_have_text("Moved “Flood” to position 1 of 2.")
    await page.get_by_role("button", name="Submit for review").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("In review")
    # He asks ada to review: the picker offers the team's editors but the submitter.
    review = page.get_by_role("region", name="Review", exact=True)
    await expect(review.get_by_role("combobox", name="Reviewer")).to_contain_text("@ada")
    await review.get_by_role("button", name="Assign").click()
    await expect(review).to_contain_text("Asked to review: Ada")
    await expect(page.get_by_text("Another editor changed")).to_have_count(0)

    # ada, in her own browser context, finds it assigned to her on the dashboard.
    reviewer = await new_page(browser)
    await sign_in(reviewer, base, "ada")
    assigned = reviewer.get_by_role("region", name="Assigned to me for review")
    await expect(assigned.get_by_role("link", name="Tide tables", exact=True)).to_be_visible()
    assert await axe_violations(reviewer) == []
    await assigned.get_by_role("link", name="Tide tables", exact=True).click()

    # The review screen: what changed since her return, and a comment field per item.
    panel = reviewer.get_by_role("region", name="Review", exact=True)
    changes = panel.get_by_role("region", name="Changes since the last review")
    await expect(changes).to_contain_text("Returned by @ada")
    await expect(changes).to_contain_text("Moved “Flood” from 2 to 1")
    await panel.get_by_label("Comment on “Flood”").fill("A strong opening now.")
    await screen(reviewer, "review")
    await reviewer.get_by_role("button", name="Approve").click()
    await expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Approved")
    # The comment stays on the item, sent with the approval.
    await expect(panel).to_contain_text("A strong opening now.")
    await expect(panel).to_contain_text("with the approval")

    # eddie's page, open all along, saw the approval live, with ada's comment.
    await expect(page.get_by_role("status")).to_contain_text(
        "Another editor changed this compilation: it is now approved.")
    await expect(page.get_by_role("region", name="Review", exact=True)).to_contain_text(
        "A strong opening now.")

    stored = (await api.gql(REVIEW, {"id": book["id"]}, token=eddie.token))["compilation"]
    assert stored == {"status": "APPROVED", "assignee": {"handle": "ada"}, "reviewComments": {
        "nodes": [{"body": "A strong opening now.", "kind": "APPROVE",
                   "record": {"title": "Flood"}, "author": {"handle": "ada"}}]}}

    # Approved, it left ada's queue; the history tells the review's story by kind.
    await reviewer.get_by_role("link", name="Dashboard").first.click()
    await expect(reviewer.get_by_role("region", name="Assigned to me for review")).to_contain_text(
        "No review is assigned to you.")
    await page.get_by_role("link", name="History").click()
    timeline = page.locator(".timeline")
    # The approval, then the comment sent with it.
    await expect(timeline.locator("li").nth(-2)).to_contain_text("Approved")
    await expect(timeline.locator("li").last).to_contain_text("Review comment")
    for text in ("Returned", "“Flood should open it.”", "Item moved", "Reviewer assigned",
                 "Ada", "Review comment", "On “Flood”"):
        await expect(timeline).to_contain_text(text)


async def test_an_editor_edits_weights_notes_and_settings_then_deletes_the_draft(
    api: Api, client: TestClient, browser: Browser,  # noqa: F811 - the fixture
) -> None:
    await seed_demo(api.hub.db, api.hub.plugins, settings=api.hub.settings)
    eddie = await member(api, "eddie")
    base = studio_url(client)
    book = await create(api, eddie, title="Harbor notes")
    for title in ("Ebb", "Flood"):
        await add(api, eddie, book, await story(api, eddie, title))

    page = await new_page(browser)
    await sign_in(page, base, "eddie")
    await page.goto(f"{base}#/c/{quote(book['id'], safe='')}")
    # An item's weight in the credit split and its note (updateCompilationItem, guarded by the
    # version the page shows).
    await page.get_by_role("button", name="Edit weight and note of “Ebb”").click()
    form = page.get_by_role("form", name="Weight and note of “Ebb”")
    await form.get_by_label("Weight").fill("2.5")
    await form.get_by_label("Note").fill("Opens the book.")
    assert await axe_violations(page) == []
    await form.get_by_role("button", name="Save").click()
    await expect(page.locator("#announcer")).to_have_text("Saved the weight and note of “Ebb”.")
    await expect(page.locator("ol.items > li").first).to_contain_text("weight 2.5")

    # The title and the book's settings (updateCompilation).
    settings = page.get_by_role("form", name="Settings")
    await settings.get_by_label("Title", exact=True).fill("Harbor notes, revised")
    await settings.get_by_label("Subtitle").fill("Tides and tales")
    await settings.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Harbor notes, revised")
    # All of it was this page's own doing: no "another editor" notice.
    await expect(page.get_by_text("Another editor changed")).to_have_count(0)

    stored = (await api.gql("""query ($id: ID!) { compilation(id: $id) { title version
      settings { ... on BookSettings { subtitle language } }
      items { weight note record { title } } } }""", {"id": book["id"]},
                            token=eddie.token))["compilation"]
    assert stored["title"] == "Harbor notes, revised"
    assert stored["settings"] == {"subtitle": "Tides and tales", "language": "en"}
    assert stored["items"][0] == {"weight": "2.5", "note": "Opens the book.",
                                  "record": {"title": "Ebb"}}

    # Deleting the draft asks twice, then leaves for the dashboard.
    await page.get_by_role("button", name="Delete draft").click()
    await page.get_by_role("button", name="Click again to delete this draft").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    gone = await api.gql("query ($id: ID!) { compilation(id: $id) { id } }", {"id": book["id"]},
                         token=eddie.token)
    assert gone["compilation"] is None
