"""The editorial studio (``/studio``) in a real browser: Debian's headless Chromium, driven by
Playwright for Python, against the real HTTP app serving the demo data.

An editor signs in, starts a compilation, finds records and adds them, reorders them from the
keyboard alone and by drag (each move announced and persisted: read back through GraphQL), meets
a stale write's conflict message, submits it; a second editor in another browser context
approves it and the first sees that live; he publishes it, gets the EPUB download link, proposes
a payout and comments on it. axe-core (tests/vendor/axe.min.js, injected by the test) finds no serious or
critical violation on any screen. With ``STUDIO_SCREENSHOTS=docs/studio`` the test also saves
a screenshot of each screen there (the README shows them). A second editor's session previews
the demo book page by page and the demo TV cut as a timeline strip, and saves a payout as CSV.

Without Chromium (``apt-get install chromium``) or the ``playwright`` package the tests skip,
saying why. The browser is never downloaded: Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
import shutil
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from aiohttp.test_utils import TestClient

from hub.core.relay import decode_id, encode_id
from hub.seed.demo import DEMO_PASSWORD, seed_demo
from tests.api import Api, Member
from tests.compilations_api import SUBMIT, add, create, film, step, story
from tests.paths import TESTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = TESTS / "vendor" / "axe.min.js"

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed (Debian: apt-get install chromium); the studio's "
                "browser tests need it", allow_module_level=True)
try:
    from playwright.async_api import Browser, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the [test] extra installs it
    pytest.skip("the playwright package is missing: pip install -e '.[test]'",
                allow_module_level=True)

SHOTS = os.environ.get("STUDIO_SCREENSHOTS")
COMPILATION = """query ($id: ID!) { compilation(id: $id) {
  status itemConnection(first: 50) { nodes { position record { title } } } } }"""
SIGN_IN = """mutation ($handle: String!) { logIn(input: {handle: $handle,
  password: "recordhub-demo"}) { token } }"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # As root (CI) Chromium's sandbox cannot start; the pages are our own app.
        launched = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                    args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


def studio_url(client: TestClient) -> str:
    return str(client.make_url("/studio/"))


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    await page.add_script_tag(content=AXE.read_text())
    results = await page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' '))}));
    }""")
    return [v for v in results if v["impact"] in ("serious", "critical")]


async def screen(page: Page, name: str, *, full_page: bool = True) -> None:
    """The screen passes axe; saved as docs/studio/<name>.png when asked."""
    assert await axe_violations(page) == [], name
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full_page)


async def sign_in(page: Page, base: str, handle: str) -> None:
    await page.goto(base)
    await page.get_by_label("Handle").fill(handle)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


async def new_page(browser: Browser) -> Page:
    # axe is injected as an inline script, which the studio's policy forbids: the test's own
    # context bypasses CSP for that one tag (the app itself runs under the policy).
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1360, "height": 900})
    return await context.new_page()


async def test_an_editor_builds_reorders_and_publishes_a_book_in_the_browser(
    api: Api, client: TestClient, browser: Browser,
) -> None:
    # With the settings, the demo also holds a published book and TV episode.
    await seed_demo(api.hub.db, api.hub.plugins, settings=api.hub.settings)
    base = studio_url(client)
    page = await new_page(browser)
    sent: list[int] = []
    page.on("response", lambda response: sent.append(int(response.headers.get(
        "content-length", "0"))))

    await page.goto(base)
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    interactive_ms = await page.evaluate(
        "performance.getEntriesByType('navigation')[0].domInteractive")
    print(f"\nstudio sign-in screen: {sum(sent)} bytes transferred, "
          f"interactive after {interactive_ms:.0f} ms")
    await screen(page, "sign-in")

    await sign_in(page, base, "eddie")
    await expect(page.get_by_role("region", name="Published").get_by_role("link")).to_have_count(2)
    assert await axe_violations(page) == []

    # A new book, from the dashboard.
    await page.get_by_label("Title").fill("Harbor stories")
    await page.get_by_label("Target").select_option("book")
    await page.get_by_role("button", name="New compilation").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Harbor stories")
    compilation_id = unquote(page.url.split("#/c/")[1])

    # The finder: writing only, three records added to the new book.
    await page.get_by_role("link", name="Add records").click()
    await page.get_by_label("Media type").select_option("writing")
    await page.get_by_role("button", name="Search").click()
    results = page.locator(".result")
    await expect(page.get_by_text("Searching…")).to_have_count(0)
    await expect(results.first).to_contain_text("writing")
    # Every card a writing one: the filtered answer has replaced the first list.
    await expect(results.locator(".meta").filter(has_not_text="writing")).to_have_count(0)
    # Each card's record and title read together, at once: the list may re-render.
    picked = await results.evaluate_all(
        "cards => cards.slice(0, 3).map(c => [c.dataset.record, c.querySelector('h3').textContent])")
    titles = [title for _, title in picked]
    for n, (record, _) in enumerate(picked):
        await page.locator(f'.result[data-record="{record}"]').get_by_role("button").click()
        await expect(page.get_by_role("status")).to_contain_text(f"(item {n + 1})")

    # A remix shows its lineage picture (the hub's SVG); an original says it is one.
    remix = await api.hub.db.fetchval(
        """select r.title from records r where r.media_type = 'writing'
           and r.status = 'PUBLISHED' and exists (
             select 1 from record_sources s where s.remix_id = r.id) order by r.id limit 1""")
    await page.get_by_label("Words").fill(remix)
    await page.get_by_role("button", name="Search").click()
    card = results.filter(has=page.get_by_role("heading", name=remix, exact=True)).first
    picture = card.get_by_role("img", name=f"Lineage of “{remix}”", exact=False)
    await expect(picture).to_have_js_property("complete", True)
    assert await picture.evaluate("image => image.naturalWidth") > 0
    await screen(page, "finder", full_page=False)

    # By author: a handle, resolved to the member; each result credits its sources' authors.
    author, source_author = await api.hub.db.fetchrow(
        """select m.handle, sm.handle from records r join members m on m.id = r.author_id
           join record_sources s on s.remix_id = r.id join records sr on sr.id = s.source_id
           join members sm on sm.id = sr.author_id where r.title = $1 order by s.position
           limit 1""", remix)
    await page.get_by_label("Words").fill("")
    await page.get_by_label("Author").fill(f"@{author}")
    await page.get_by_role("button", name="Search").click()
    await expect(card.locator(".credits")).to_contain_text(f"@{source_author}")
    await expect(results.locator(".meta").filter(has_not_text=f"@{author})")).to_have_count(0)
    await page.get_by_label("Author").fill("nobody-at-all")
    await page.get_by_role("button", name="Search").click()
    await expect(page.get_by_role("alert")).to_contain_text("@nobody-at-all")
    await page.get_by_role("button", name="Dismiss").click()
    await page.get_by_label("Author").fill("")

    # The builder: the third item moves up with Alt+ArrowUp, announced and persisted.
    await page.goto(f"{base}#/c/{quote(compilation_id, safe='')}")
    items = page.locator("ol.items > li")
    await expect(items).to_have_count(3)
    await items.nth(2).focus()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page.locator("#announcer")).to_have_text(
        f"Moved “{titles[2]}” to position 2 of 3.")
    await expect(items.nth(1)).to_be_focused()
    await screen(page, "builder")
    eddie = (await api.gql(SIGN_IN, {"handle": "eddie"}))["logIn"]["token"]

    async def stored_order() -> list[str]:
        stored = (await api.gql(COMPILATION, {"id": compilation_id}, token=eddie))["compilation"]
        return [n["record"]["title"] for n in stored["itemConnection"]["nodes"]]

    async def stored(expected: list[str]) -> None:
        # The page announces a move as it sends it; the write lands a moment later.
        for _ in range(50):
            if await stored_order() == expected:
                return
            await asyncio.sleep(0.1)
        assert await stored_order() == expected

    await stored([titles[0], titles[2], titles[1]])

    # And by mouse: the first item dragged onto the last takes its place.
    await items.nth(0).drag_to(items.nth(2))
    await expect(items.nth(2)).to_contain_text(titles[0])
    await expect(page.locator("#announcer")).to_have_text(
        f"Moved “{titles[0]}” to position 3 of 3.")
    await stored([titles[2], titles[1], titles[0]])

    # A stale write: the last item is gone while this page still shows it. (Removed through
    # the API, compilationUpdated would tell the page at once; deleted behind the API's back,
    # nothing does, as when the page's socket lags.) Moving it says so, and shows the
    # compilation as it now is.
    last = await items.nth(2).get_attribute("data-item")
    assert last is not None
    await api.hub.db.execute("delete from compilation_items where id = $1",
                             decode_id(last, "CompilationItem"))
    await items.nth(2).focus()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page.locator(".notice.conflict")).to_contain_text("changed since you loaded it")
    await expect(items).to_have_count(2)
    await page.get_by_role("button", name="Dismiss").click()

    await page.get_by_role("button", name="Submit for review").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("In review")

    # Four eyes: ada, in her own browser context, approves from her review queue.
    reviewer = await new_page(browser)
    await sign_in(reviewer, base, "ada")
    queue = reviewer.get_by_role("region", name="Review queue")
    await queue.get_by_role("link", name="Harbor stories").click()
    await expect(reviewer.get_by_role("button", name="Approve")).to_be_visible()
    # (docs/studio/review.png is the fuller review of tests/studio/test_studio_review.py)
    assert await axe_violations(reviewer) == []
    await reviewer.get_by_role("button", name="Approve").click()
    await expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Approved")

    # eddie's page, open all along, saw the approval live (the compilationUpdated
    # subscription), and he publishes and gets the book's download link.
    await expect(page.get_by_role("status")).to_contain_text(
        "Another editor changed this compilation: it is now approved.")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    await page.get_by_role("button", name="Publish").click()
    epub = page.get_by_role("link", name="book.epub")
    await expect(epub).to_be_visible()
    href = await epub.get_attribute("href") or ""
    url = href if href.startswith("http") else str(client.make_url(href))
    async with client.session.get(url) as download:
        assert download.status == 200
        assert (await download.read())[:2] == b"PK"  # a ZIP container: the EPUB
    await screen(page, "published")

    # Payouts: a pool proposed; the split names each contributor with the lineage that earned
    # the line; a comment while the window is open (finalizing waits for it to close).
    await page.get_by_role("link", name="Payouts").click()
    await page.get_by_label("Pool").fill("1000.00")
    await page.get_by_role("button", name="Propose payout").click()
    split = page.get_by_role("table")
    await expect(split).to_contain_text("Split of 1000")
    await expect(split.locator("tbody tr").first).to_contain_text("@")
    assert await split.locator("tbody tr").count() == 2  # the two items' authors
    await page.get_by_role("textbox", name="Comment").fill("The editors' share looks right.")
    await page.get_by_role("button", name="Add comment").click()
    await expect(page.locator(".comments")).to_contain_text("The editors' share looks right.")
    await screen(page, "payouts")
    await page.get_by_role("link", name="Harbor stories").click()

    await page.get_by_role("link", name="History").click()
    timeline = page.locator(".timeline > li")
    await expect(timeline.last).to_contain_text("Payout proposed")
    await expect(timeline.nth(-2)).to_contain_text("Published")
    # Item entries name their record by title (looked up from the ID the entry holds).
    await expect(timeline.nth(1)).to_contain_text(f"“{titles[0]}”")
    assert "Item moved" in await page.locator(".timeline").inner_text()
    await screen(page, "history")

    # Back on the dashboard, with more work on the desks: eddie's new draft, and ada's book
    # submitted for review (in eddie's queue: he is not its submitter).
    ada = Member("", "ada", (await api.gql(SIGN_IN, {"handle": "ada"}))["logIn"]["token"])
    await create(api, Member("", "eddie", eddie), title="Lighthouse letters")
    rows = await api.hub.db.fetch("""select id from records where media_type = 'writing'
                                     and status = 'PUBLISHED' order by id limit 2""")
    submitted = await create(api, ada, title="Salt and signals")
    for row in rows:
        await add(api, ada, submitted, {"id": encode_id("Record", row["id"])})
    assert (await step(api, SUBMIT, ada, submitted["id"]))["errors"] == []
    await page.get_by_role("link", name="Dashboard").first.click()
    queue = page.get_by_role("region", name="Review queue")
    await expect(queue.get_by_role("link", name="Salt and signals")).to_be_visible()
    await expect(page.get_by_role("region", name="Draft")).to_contain_text("Lighthouse letters")
    published = page.get_by_role("region", name="Published")
    await expect(published.get_by_role("link", name="Harbor stories")).to_be_visible()
    windows = page.get_by_role("region", name="Payout windows closing soon")
    await expect(windows).to_contain_text("Harbor stories")
    await screen(page, "dashboard")


async def test_the_studio_runs_under_its_content_security_policy(
    api: Api, client: TestClient, browser: Browser,
) -> None:
    # No bypass here: the app runs under its own policy — sign-in, dashboard, finder with a
    # lineage picture, builder with its live subscription — and the browser reports no
    # violation of it.
    context = await browser.new_context()
    await context.add_init_script("""document.addEventListener('securitypolicyviolation',
        (e) => (window.violations = window.violations || []).push(e.violatedDirective));""")
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(studio_url(client))
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    await page.get_by_label("Handle").fill("nobody")
    await page.get_by_label("Password").fill("wrong password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    assert await page.evaluate("sessionStorage.length") == 0

    # An ended session (a token the hub no longer knows) leads back to signing in, forgotten.
    await page.evaluate("sessionStorage.setItem('recordhub.studio.token', 'ended')")
    await page.reload()
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert await page.evaluate("sessionStorage.length") == 0

    eddie = await api.sign_up("eddie", "EDITOR")
    source = await story(api, eddie, "The harbor")
    await story(api, eddie, "The harbor, retold", sources=[source["id"]])
    compilation = await create(api, eddie, title="Harbor stories")
    await page.get_by_label("Handle").fill("eddie")
    await page.get_by_label("Password").fill("correct horse battery")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("region", name="Draft")).to_contain_text("Harbor stories")
    await page.get_by_role("link", name="Find records").click()
    picture = page.get_by_role("img", name="Lineage of “The harbor, retold”", exact=False)
    await expect(picture).to_have_js_property("complete", True)
    assert await picture.evaluate("image => image.naturalWidth") > 0
    await page.goto(f"{studio_url(client)}#/c/{quote(compilation['id'], safe='')}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Harbor stories")
    await expect(page.get_by_role("heading", name="Target check")).to_be_visible()
    # The preview sets its clips' widths and places through the DOM (no inline style).
    cut = await create(api, eddie, title="Night Signals", target="tv")
    for seconds in (30, 90):
        await add(api, eddie, cut, await film(api, eddie, f"Shot of {seconds} s", seconds))
    await add(api, eddie, compilation, source)
    await page.goto(f"{studio_url(client)}#/c/{quote(cut['id'], safe='')}/preview")
    clips = page.locator(".track-video .clip")
    await expect(clips).to_have_count(2)
    short, long = [(await clips.nth(n).bounding_box() or {"width": 0})["width"] for n in (0, 1)]
    assert 2.9 < long / short < 3.1  # 90 s against 30 s
    await page.goto(f"{studio_url(client)}#/c/{quote(compilation['id'], safe='')}/preview")
    await expect(page.locator("article.reader")).to_contain_text("Harbor stories")
    assert await page.evaluate("window.violations || []") == []
    # The 401 of the ended token is the one console error (the browser logs failed requests).
    assert [p for p in problems if "401" not in p] == []


DEMO_COMPILATIONS = """{ compilations(first: 20) { nodes { id title target status
  preview { ... on BookPreview { chapters { title } }
            ... on TimelinePreview { clips { track durationSeconds } markers { title } } }
  payoutProposals { pool { amount } } } } }"""


async def test_an_editor_previews_a_book_and_a_cut_and_exports_a_payout_as_csv(
    api: Api, client: TestClient, browser: Browser,
) -> None:
    await seed_demo(api.hub.db, api.hub.plugins, settings=api.hub.settings)
    base = studio_url(client)
    eddie = (await api.gql(SIGN_IN, {"handle": "eddie"}))["logIn"]["token"]
    api.allow_cost(1_000_000)
    nodes = (await api.gql(DEMO_COMPILATIONS, token=eddie))["compilations"]["nodes"]
    [book] = [n for n in nodes if n["target"] == "book" and n["status"] == "APPROVED"]
    [cut] = [n for n in nodes if n["target"] == "tv" and n["status"] == "PUBLISHED"]
    page = await new_page(browser)
    await sign_in(page, base, "eddie")
    # The demo data has work in every column of the dashboard.
    for column in ("Draft", "In review", "Approved", "Published", "Archived"):
        await expect(page.get_by_role("region", name=column, exact=True)
                     .get_by_role("link").first).to_be_visible()

    # The book, from its builder: the title page, then page by page from the keyboard.
    await page.goto(f"{base}#/c/{quote(book['id'], safe='')}")
    await page.get_by_role("link", name="Preview").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Preview")
    reader = page.locator("article.reader")
    await expect(reader).to_contain_text(book["title"])
    await reader.focus()
    await page.keyboard.press("ArrowRight")
    first = book["preview"]["chapters"][1]["title"]
    await expect(reader.get_by_role("heading", level=2)).to_have_text(first)
    await expect(reader).to_have_attribute("aria-label", f"Page 2 of "
                                           f"{len(book['preview']['chapters'])}: {first}")
    credits = page.get_by_role("region", name="Credits of this piece")
    await expect(credits).to_contain_text("author of")
    await screen(page, "preview-book")
    await page.get_by_role("navigation", name="Pages of the book").get_by_role(
        "button", name="Credits").click()
    await expect(reader).to_contain_text("Everyone whose work is in this book")
    await expect(credits).to_have_count(0)  # the credits page credits no one piece

    # The cut: a clip per film as wide as it runs, the script as a marker, the target line.
    await page.goto(f"{base}#/c/{quote(cut['id'], safe='')}/preview")
    video = page.locator(".track-video .clip")
    durations = [c["durationSeconds"] for c in cut["preview"]["clips"] if c["track"] == "Video"]
    await expect(video).to_have_count(len(durations))
    widths = [(await video.nth(n).bounding_box() or {"width": 0})["width"]
              for n in range(len(durations))]
    scale = max(widths) / max(durations)  # pixels per second
    for width, seconds in zip(widths, durations, strict=True):
        assert abs(width - seconds * scale) < 1.5, (widths, durations)
    await expect(page.locator(".marker")).to_have_count(len(cut["preview"]["markers"]))
    await expect(video.first).to_have_attribute("aria-label", re.compile(r"runs \d+:\d\d"))
    await screen(page, "preview-tv")

    # Its finalized payout as CSV: saved by the page, the amounts adding up to the pool.
    await page.goto(f"{base}#/c/{quote(cut['id'], safe='')}/payouts")
    async with page.expect_download() as saved:
        await page.get_by_role("button", name="Export CSV").click()
    download = await saved.value
    assert download.suggested_filename.startswith("payout-") and \
        download.suggested_filename.endswith(".csv")
    text = Path(await download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(row["lineage_path"] for row in rows)
    pool = Decimal(cut["payoutProposals"][0]["pool"]["amount"])
    assert sum(Decimal(row["amount"]) for row in rows) == pool
