"""``GET /records/{id}/lineage.svg``: a picture of a record's lineage that opens in a browser.

The layout is a plain layered drawing (no graphviz needed): every source sits in a row above
each of its remixes (longest-path layering, so edges always point down), rows are ordered by
a few barycentre sweeps to cut crossings, and arrows run from a source to its remix. The
record itself is highlighted; tombstones are grey and dashed, say "[removed]" and keep their
author's @handle. Every text is XML-escaped. Each visible node links to its own picture.

The endpoint applies the GraphQL API's visibility: the same bearer token, 404 for unknown
records and for drafts of others. Query parameters: ``direction`` (ANCESTORS, DESCENDANTS,
BOTH; default BOTH) and ``maxDepth`` (0–50, default 10).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from hub.api.context import Context
from hub.api.lineage.types import LineageDirection, LineageGraph, load_graph
from hub.core.errors import BadRequest
from hub.core.loaders import load_all
from hub.core.relay import try_decode_id
from hub.domain.lineage.rules import DEFAULT_DEPTH
from hub.domain.members import auth
from hub.domain.members import store as member_store
from hub.domain.members.loaders import MemberByIdLoader

if TYPE_CHECKING:
    from hub.http.app import Hub

BOX_W, BOX_H = 240, 58
GAP_X, GAP_Y = 28, 70
MARGIN, HEADER = 24, 84
TITLE_CHARS = 25
ROW_LIMIT = 12


@dataclass
class Box:
    """A node placed on the canvas."""

    id: str
    title: str | None
    handle: str
    media_type: str
    tombstone: bool
    is_root: bool
    x: float = 0
    y: float = 0


def _layers(graph: LineageGraph) -> list[list[str]]:
    """Rows of node ids: a node's row is one below its lowest source (longest path), so every
    arrow points down even where a record is reached by paths of different lengths."""
    sources: dict[str, list[str]] = {node.id: [] for node in graph.nodes}
    for edge in graph.edges:
        sources[edge.remix].append(edge.source)
    row: dict[str, int] = {}
    for node in graph.nodes:
        _assign_rows(node.id, sources, row)
    layers: list[list[str]] = [[] for _ in range(max(row.values(), default=0) + 1)]
    for node in graph.nodes:  # nearest first: a stable starting order
        layers[row[node.id]].append(node.id)
    return layers


def _assign_rows(start: str, sources: dict[str, list[str]], row: dict[str, int]) -> None:
    """Give ``start`` and every record above it their rows, depth first without recursion (a
    chain of hundreds of remixes is deeper than Python's recursion limit)."""
    if start in row:
        return
    row[start] = 0  # until its sources are placed; the graph is acyclic, this guards the walk
    stack = [(start, iter(sources[start]))]
    while stack:
        node_id, unvisited = stack[-1]
        source = next((s for s in unvisited if s not in row), None)
        if source is not None:
            row[source] = 0
            stack.append((source, iter(sources[source])))
            continue
        stack.pop()
        row[node_id] = max((row[s] + 1 for s in sources[node_id]), default=0)


def _order(layers: list[list[str]], graph: LineageGraph) -> None:
    """Barycentre sweeps (down, then up): each node moves towards the mean position of its
    neighbours in the row it is compared with."""
    neighbours: dict[str, list[str]] = {}
    for edge in graph.edges:
        neighbours.setdefault(edge.remix, []).append(edge.source)
        neighbours.setdefault(edge.source, []).append(edge.remix)
    for _ in range(4):
        for sweep in (range(1, len(layers)), range(len(layers) - 2, -1, -1)):
            for i in sweep:
                ref = layers[i - 1] if sweep.step == 1 else layers[i + 1]
                where = {node_id: pos for pos, node_id in enumerate(ref)}

                def centre(node_id: str, current: int, where: dict[str, int] = where) -> float:
                    linked = [where[n] for n in neighbours.get(node_id, []) if n in where]
                    return sum(linked) / len(linked) if linked else current

                layers[i] = [n for _, n in sorted(
                    ((centre(n, pos), n) for pos, n in enumerate(layers[i])), key=lambda t: t[0]
                )]


def _place(layers: list[list[str]], boxes: dict[str, Box]) -> tuple[float, float]:
    """Centre each row, wrapping a generation wider than :data:`ROW_LIMIT` boxes onto more
    rows (a record with hundreds of remixes stays a picture, not a ribbon); returns the
    canvas size."""
    rows = [layer[i:i + ROW_LIMIT] for layer in layers for i in range(0, len(layer), ROW_LIMIT)]
    widest = max(len(row) for row in rows)
    width = max(2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X, 560)
    for depth, row in enumerate(rows):
        row_width = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = (width - row_width) / 2
        for pos, node_id in enumerate(row):
            boxes[node_id].x = left + pos * (BOX_W + GAP_X)
            boxes[node_id].y = HEADER + MARGIN + depth * (BOX_H + GAP_Y)
    height = HEADER + 2 * MARGIN + len(rows) * BOX_H + (len(rows) - 1) * GAP_Y + 24
    return width, height


def _short(text: str, limit: int = TITLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node_svg(box: Box) -> str:
    style = "tomb" if box.tombstone else "root" if box.is_root else "node"
    title = "[removed]" if box.tombstone or box.title is None else box.title
    byline = f"@{box.handle} · {box.media_type}"
    tooltip = f"{title} by @{box.handle}" + (" (removed: its author keeps the credit)"
                                              if box.tombstone else "")
    shape = (
        f'<g class="{style}"><title>{escape(tooltip)}</title>'
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="9"/>'
        f'<text class="t" x="{box.x + 14:.0f}" y="{box.y + 24:.0f}">{escape(_short(title))}</text>'
        f'<text class="a" x="{box.x + 14:.0f}" y="{box.y + 44:.0f}">'
        f'{escape(_short(byline, 32))}</text></g>'
    )
    if box.tombstone:
        return shape
    return f'<a href={quoteattr(f"/records/{box.id}/lineage.svg")}>{shape}</a>'


def _edge_svg(source: Box, remix: Box) -> str:
    x1, y1 = source.x + BOX_W / 2, source.y + BOX_H
    x2, y2 = remix.x + BOX_W / 2, remix.y - 3
    bend = (y2 - y1) / 2
    return (f'<path class="e" d="M{x1:.0f},{y1:.0f} C{x1:.0f},{y1 + bend:.0f} '
            f'{x2:.0f},{y2 - bend:.0f} {x2:.0f},{y2:.0f}" marker-end="url(#arrow)"/>')


STYLE = """
  .bg { fill: #fbfaf7; }
  text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  .h { font-size: 18px; font-weight: 600; fill: #1f2328; }
  .sub { font-size: 12px; fill: #656d76; }
  .node rect { fill: #ffffff; stroke: #8c959f; stroke-width: 1.2; }
  .root rect { fill: #fff4d6; stroke: #d4a72c; stroke-width: 2.4; }
  .tomb rect { fill: #f3f4f6; stroke: #9ca3af; stroke-width: 1.2; stroke-dasharray: 6 4; }
  .t { font-size: 14px; font-weight: 600; fill: #1f2328; }
  .tomb .t { fill: #8b949e; font-style: italic; font-weight: 500; }
  .a { font-size: 12px; fill: #57606a; }
  a:hover rect { stroke: #0969da; }
  .e { fill: none; stroke: #8c959f; stroke-width: 1.4; }
"""


def _legend() -> str:
    """Two swatches under the heading: the record itself, and a tombstone."""
    x, y = MARGIN, MARGIN + 46
    return (
        f'<g class="root"><rect x="{x}" y="{y}" width="22" height="14" rx="3"/></g>'
        f'<text class="sub" x="{x + 30}" y="{y + 12}">this record</text>'
        f'<g class="tomb"><rect x="{x + 120}" y="{y}" width="22" height="14" rx="3"/></g>'
        f'<text class="sub" x="{x + 150}" y="{y + 12}">removed or not public (author keeps the '
        "credit)</text>"
    )


def render_svg(graph: LineageGraph, handles: dict[str, str], root_title: str) -> str:
    """The picture of ``graph``; ``handles`` maps node ids to their author's handle."""
    boxes: dict[str, Box] = {
        node.id: Box(node.id, node.title, handles[node.id], node.media_type, node.tombstone,
                     is_root=node.generation == 0)
        for node in graph.nodes
    }
    layers = _layers(graph)
    _order(layers, graph)
    width, height = _place(layers, boxes)
    count = f"{len(graph.nodes)} record{'s' if len(graph.nodes) != 1 else ''}"
    note = (f"{count}, sources above their remixes; arrows run from a source to its remix"
            + (" — truncated: the farthest records are left out" if graph.truncated else ""))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label={quoteattr(f"Remix lineage of {root_title}")}>',
        f"<style>{STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#8c959f"/></marker></defs>',
        f'<rect class="bg" width="{width:.0f}" height="{height:.0f}"/>',
        f'<text class="h" x="{MARGIN}" y="{MARGIN + 14}">Remix lineage of '
        f'“{escape(_short(root_title, 60))}”</text>',
        f'<text class="sub" x="{MARGIN}" y="{MARGIN + 34}">{escape(note)}</text>',
        _legend(),
    ]
    parts += [_edge_svg(boxes[e.source], boxes[e.remix]) for e in graph.edges]
    parts += [_node_svg(box) for box in boxes.values()]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- the endpoint --------------------------------------------------------------------------------


async def _viewer(request: web.Request, context: Context) -> None:
    """Authenticate like /graphql: no header is anonymous, a bad token is 401."""
    token = auth.bearer_token(request.headers.get("Authorization"))
    if token is None:
        return
    row = await member_store.member_by_session(context.db, auth.token_hash(token)) if token else None
    if row is None:
        raise web.HTTPUnauthorized(text="The token is invalid or has expired.",
                                   headers={"WWW-Authenticate": 'Bearer realm="recordhub"'})
    context.viewer_row = row


def _arguments(request: web.Request) -> tuple[LineageDirection, int]:
    try:
        direction = LineageDirection(request.query.get("direction", "BOTH").upper())
        max_depth = int(request.query.get("maxDepth", DEFAULT_DEPTH))
    except ValueError:
        raise web.HTTPBadRequest(
            text="direction must be ANCESTORS, DESCENDANTS or BOTH; maxDepth a whole number."
        ) from None
    return direction, max_depth


def lineage_svg_view(hub: Hub) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The handler for ``GET /records/{id}/lineage.svg`` serving ``hub``."""

    async def lineage_svg(request: web.Request) -> web.Response:
        from hub.api.records.types import load_record

        context = Context(db=hub.db, plugins=hub.plugins, settings=hub.settings, request=request)
        await _viewer(request, context)
        record_id = try_decode_id(request.match_info["id"], "Record")
        record = await load_record(context, record_id) if record_id else None
        if record is None:
            raise web.HTTPNotFound(text="No such record (or it is not visible to you).")
        direction, max_depth = _arguments(request)
        try:
            graph = await load_graph(context, record.pk, direction, max_depth)
        except BadRequest as error:
            raise web.HTTPBadRequest(text=error.message) from None
        handles = await _handles(context, graph)
        return web.Response(
            text=render_svg(graph, handles, record.title), content_type="image/svg+xml",
            headers={"Cache-Control": "private, max-age=60"},
        )

    return lineage_svg


async def _handles(context: Context, graph: LineageGraph) -> dict[str, str]:
    author_pks = list({node.author_pk for node in graph.nodes})
    rows = await load_all(context.loader(MemberByIdLoader), author_pks)
    handle_of = {pk: row["handle"] for pk, row in zip(author_pks, rows, strict=True)}
    return {node.id: handle_of[node.author_pk] for node in graph.nodes}

