// A small recordhub client: the typed documents that GraphQL Code Generator writes to
// src/generated/graphql.ts (from schema/hub.graphql and schema/operations/) carry both the
// result type and the variables type, so `request` below checks each call's variables and
// types its result with no hand-written types. `npm run codegen && npx tsc --noEmit` proves it.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

import {
  FeedDocument,
  RecordLineageDocument,
  RecordPageDocument,
  SearchDocument,
  type FeedQuery,
} from "./generated/graphql.js";

/** One error of the GraphQL response's top-level `errors` (see the README's error model). */
export interface GraphQLResponseError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string } & Record<string, unknown>;
}

/** Thrown when the hub answers with top-level GraphQL errors and no data. */
export class HubError extends Error {
  constructor(readonly errors: ReadonlyArray<GraphQLResponseError>) {
    super(errors.map((error) => error.message).join("; "));
  }
}

export interface HubClientOptions {
  /** The hub's GraphQL endpoint, e.g. http://localhost:8000/graphql. */
  url: string;
  /** A bearer token for a signed-in member; anonymous when absent. */
  token?: string;
}

/** Sends one typed operation to the hub and returns its typed `data`. */
export async function request<TResult, TVariables extends Record<string, unknown>>(
  options: HubClientOptions,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/graphql-response+json",
  };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(options.url, {
    method: "POST",
    headers,
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TResult | null; errors?: GraphQLResponseError[] };
  if (body.data == null) throw new HubError(body.errors ?? [{ message: `HTTP ${response.status}` }]);
  return body.data;
}

type FeedRecord = FeedQuery["records"]["edges"][number]["node"];

/** A one-line summary of a feed entry; the `details` union is narrowed on `__typename`. */
export function describeFeedRecord(record: FeedRecord): string {
  const by = `${record.title} by @${record.author.handle}`;
  const details = record.details;
  // details is null when the record has none of its media type's details yet.
  if (details === null) return by;
  switch (details.__typename) {
    case "MusicDetails":
      return `${by} (music, ${details.durationSeconds ?? "?"} s, ${details.genre ?? "no genre"})`;
    case "FilmDetails":
      return `${by} (film, ${details.durationSeconds ?? "?"} s)`;
    case "WritingDetails":
      return `${by} (${details.form ?? "writing"}, ${details.wordCount} words)`;
    default:
      // A media type the Feed operation selects no details of (e.g. ImageDetails).
      return `${by} (${details.__typename})`;
  }
}

/** Reads the whole feed page by page, following `pageInfo.endCursor`. */
export async function* feed(options: HubClientOptions, pageSize = 20): AsyncGenerator<FeedRecord> {
  let after: string | null = null;
  do {
    const page: FeedQuery = await request(options, FeedDocument, { first: pageSize, after });
    for (const edge of page.records.edges) yield edge.node;
    after = page.records.pageInfo.hasNextPage ? page.records.pageInfo.endCursor : null;
  } while (after !== null);
}

/** A record's page and its lineage panel, or null when the record is not visible. */
export async function recordWithLineage(options: HubClientOptions, id: string) {
  const [page, lineage] = await Promise.all([
    request(options, RecordPageDocument, { id }),
    request(options, RecordLineageDocument, { id }),
  ]);
  if (page.record === null || lineage.record === null) return null;
  const sources = lineage.record.sources.edges.map((edge) =>
    // A deleted or hidden source is a tombstone: its node is null, its author still credited.
    edge.node === null ? `(removed, by @${edge.author.handle})` : edge.node.title,
  );
  return { title: page.record.title, version: page.record.version, sources };
}

/** Titles of the records that match a search, optionally of one media type. */
export async function searchTitles(
  options: HubClientOptions,
  text: string,
  mediaType?: string,
): Promise<string[]> {
  const result = await request(options, SearchDocument, { text, mediaType: mediaType ?? null });
  return result.records.nodes.map((node) => node.title);
}
