// Runs graphql-http's GraphQL-over-HTTP conformance audit against a hub and prints one JSON
// line: {"ok": n, "warn": n, "error": n, "results": [{id, name, status, reason}]}.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs <graphql url>");
  process.exit(2);
}

// The hub refuses GET and multipart requests without a preflight-forcing header (CSRF
// prevention, as Apollo Server does); real clients send one, and so does this one.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("GraphQL-Require-Preflight", "1");
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const summary = { ok: 0, warn: 0, error: 0, results: [] };
for (const result of results) {
  summary[result.status] += 1;
  summary.results.push({
    id: result.id, name: result.name, status: result.status,
    reason: result.status === "ok" ? undefined : result.reason,
  });
}
console.log(JSON.stringify(summary));
