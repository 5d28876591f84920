"""GraphiQL at /graphql works without internet: the page names no other origin, every asset
it names is served from the package, and its requests carry the CSRF preflight header."""

from __future__ import annotations

import re

from tests.api import Api

ATTRIBUTE = re.compile(r'(?:src|href)="([^"]*)"')


async def page(api: Api) -> tuple[int, dict[str, str], str]:
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})
    return response.status, dict(response.headers), await response.text()


async def test_the_page_names_no_other_origin_and_allows_none(api: Api) -> None:
    status, headers, html = await page(api)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "GraphiQL" in html
    assert "//" not in html  # no http://, https:// or protocol-relative URL at all
    assert "<script>" not in html and "<style>" not in html  # nothing inline
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "default-src 'none'" in policy
    assert "http" not in policy


async def test_every_asset_the_page_names_is_served_from_the_package(api: Api) -> None:
    _, _, html = await page(api)
    urls = ATTRIBUTE.findall(html)
    assert len(urls) == 6, urls  # React, ReactDOM, GraphiQL, its CSS, the start script, CSS
    for url in urls:
        assert url.startswith("/graphiql/"), url
        response = await api.client.get(url)
        assert response.status == 200, url
        body = await response.read()
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        assert response.headers["Content-Type"].startswith(kind), url
        assert len(body) > 100, url
        assert b"unpkg.com" not in body and b"cdn.jsdelivr" not in body, url
    graphiql = await (await api.client.get("/graphiql/graphiql.min.js")).read()
    assert len(graphiql) > 1_000_000  # the whole of GraphiQL, not a loader of it


async def test_only_the_listed_assets_are_served(api: Api) -> None:
    for path in ("/graphiql/README.md", "/graphiql/graphiql.html", "/graphiql/LICENSE.react",
                 "/graphiql/..%2F..%2Fview.py", "/graphiql/"):
        assert (await api.client.get(path)).status == 404, path


async def test_the_explorers_requests_carry_the_preflight_header_that_passes_csrf(
    api: Api,
) -> None:
    start = await (await api.client.get("/graphiql/graphiql-start.js")).text()
    header = re.search(r'"(GraphQL-Require-Preflight)": "1"', start)
    assert header is not None
    # A GET with an operation (as GraphiQL may send) passes with the header, and is refused
    # as possible CSRF without it.
    with_header = await api.client.get("/graphql", params={"query": "{ __typename }"},
                                       headers={header.group(1): "1"})
    assert with_header.status == 200
    assert (await with_header.json())["data"] == {"__typename": "Query"}
    without = await api.client.get("/graphql", params={"query": "{ __typename }"})
    assert without.status == 400
