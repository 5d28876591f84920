// recordhub studio: the editors' app. Preact + htm (vendored, pinned: vendor/README.md), no
// build step. It speaks only the public GraphQL API, with the documents of
// schema/operations/studio/ (bundled as operations.json): whatever the studio does, any
// frontend can do.
import { h, render } from "./vendor/preact.mjs";
import { useCallback, useEffect, useRef, useState } from "./vendor/hooks.mjs";
import htm from "./vendor/htm.mjs";

const html = htm.bind(h);

// ---------------------------------------------------------------------------------------------
// The API: one POST per operation, by name, with the document text from operations.json (so a
// hub that runs trusted documents only accepts it). The token from logIn goes in the
// Authorization header — never a cookie, so another site cannot make the browser send it — and
// lives in sessionStorage: this tab and this origin only (the page's Content-Security-Policy
// admits no script from another origin and no inline script).

const TOKEN_KEY = "recordhub.studio.token";
let operations = null;

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

async function loadOperations() {
  const response = await fetch("operations.json", { credentials: "same-origin" });
  operations = await response.json();
}

async function gql(name, variables = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
    // Not needed for a JSON POST, but it makes every studio request one a browser only sends
    // after a CORS preflight (the hub's CSRF rule, hub/http/view.py).
    "GraphQL-Require-Preflight": "1",
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    credentials: "omit",
    body: JSON.stringify({ query: operations[name], operationName: name, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = (first.extensions || {}).code || "ERROR";
    // The session ended (expired, logged out elsewhere): back to the sign-in screen.
    if (code === "UNAUTHENTICATED" && token) {
      sessionStorage.removeItem(TOKEN_KEY);
      window.dispatchEvent(new Event("studio:signed-out"));
    }
    throw new ApiError(first.message, code);
  }
  return body.data;
}

// A mutation's payload errors (expected problems: wrong state, conflicts…) as one exception.
function payloadOf(data, field) {
  const payload = data[field];
  if (payload.errors && payload.errors.length) {
    const first = payload.errors[0];
    throw new ApiError(payload.errors.map((e) => e.message).join(" "), first.code);
  }
  return payload;
}

// A subscription over the graphql-transport-ws protocol, on this origin (the policy's
// connect-src 'self'); the token goes in connection_init. Returns a function that ends it.
function subscribe(name, variables, onData) {
  const url = new URL("/graphql", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify({
    type: "connection_init", payload: { token: sessionStorage.getItem(TOKEN_KEY) },
  }));
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: {
        query: operations[name], operationName: name, variables } }));
    } else if (frame.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (frame.type === "next" && frame.payload.data) {
      onData(frame.payload.data);
    }
  };
  return () => socket.close(1000);
}

// The builder's edit forms (updateCompilation, updateCompilationItem, deleteCompilation): each
// appears when its operation is among the studio's documents (schema/operations/studio/, then
// regenerate operations.json). The variables are the studio's contract:
//   StudioUpdateCompilation($id, $expectedVersion, $title, $description, $settings)
//   StudioUpdateItem($itemId, $expectedVersion, $weight, $note)
//   StudioDeleteCompilation($id)
// `expectedVersion` is the version the page shows: a stale write's CONFLICT answer lands in
// the builder's conflict message (STALE_CODES), and nothing is overwritten.
const PLANNED = {
  updateCompilation: ["StudioUpdateCompilation", "updateCompilation"],
  updateItem: ["StudioUpdateItem", "updateCompilationItem"],
  deleteCompilation: ["StudioDeleteCompilation", "deleteCompilation"],
};
const offers = (planned) => Boolean(operations && operations[PLANNED[planned][0]]);

async function runPlanned(planned, variables) {
  const [name, field] = PLANNED[planned];
  return payloadOf(await gql(name, variables), field);
}

// Codes that mean "someone else changed this compilation since you loaded it" (CONFLICT: the
// expectedVersion the page sent is no longer the compilation's).
const STALE_CODES = new Set(["CONFLICT", "NOT_FOUND", "INVALID_STATE", "INVALID_POSITION"]);

// ---------------------------------------------------------------------------------------------
// Small helpers

const STATUSES = ["DRAFT", "IN_REVIEW", "APPROVED", "PUBLISHED", "ARCHIVED"];
const STATUS_LABEL = {
  DRAFT: "Draft", IN_REVIEW: "In review", APPROVED: "Approved", PUBLISHED: "Published",
  ARCHIVED: "Archived",
};

// "1 source", "2 sources".
function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function bytes(size) {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

function go(path) {
  window.location.hash = path;
}

function useRoute() {
  const read = () => window.location.hash.replace(/^#/, "") || "/";
  const [route, setRoute] = useState(read());
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

// Loads `name` with `variables`; reload() runs it again. Errors are kept, not thrown.
function useQuery(name, variables, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  // Only the latest request's answer is shown: an earlier one that arrives later (the finder's
  // first, unfiltered search after a filtered one) must not replace it.
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const request = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await gql(name, variables);
      if (request === latest.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (request === latest.current) setState({ data: null, error, loading: false });
    }
  }, deps);
  useEffect(() => { reload(); }, [reload]);
  return { ...state, reload, setData: (data) => setState((s) => ({ ...s, data })) };
}

function Notice({ notice, onClose }) {
  if (!notice) return null;
  return html`<div class=${`notice ${notice.kind}`} role=${notice.kind === "info" ? "status" : "alert"}>
    <span>${notice.text}</span>
    ${onClose && html`<button class="btn small" onClick=${onClose}>Dismiss</button>`}
  </div>`;
}

function Badge({ status }) {
  return html`<span class=${`badge ${status}`}>${STATUS_LABEL[status] || status}</span>`;
}

// Moves focus to the page's heading when the screen changes, so a screen reader starts there.
function useFocusHeading(key) {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, [key]);
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Sign in

function SignIn({ onSignedIn }) {
  const [handle, setHandle] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const payload = payloadOf(await gql("StudioSignIn", { handle, password }), "logIn");
      sessionStorage.setItem(TOKEN_KEY, payload.token);
      onSignedIn(payload.member);
    } catch (e) {
      setError(e.message);
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <div class="card">
      <h1><img src="icon.svg" alt="" /> recordhub studio</h1>
      <p class="muted">Assemble, review and publish compilations. Sign in with your hub account.</p>
      <form onSubmit=${submit}>
        ${error && html`<div class="notice error" role="alert">${error}</div>`}
        <label>Handle
          <input name="handle" autocomplete="username" required value=${handle}
                 onInput=${(e) => setHandle(e.target.value)} />
        </label>
        <label>Password
          <input name="password" type="password" autocomplete="current-password" required
                 value=${password} onInput=${(e) => setPassword(e.target.value)} />
        </label>
        <button class="btn primary" type="submit" disabled=${busy}>
          ${busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  </main>`;
}

// ---------------------------------------------------------------------------------------------
// Dashboard: my compilations by state, the review queue, a new compilation

// Payout proposals still open for comments, the soonest to close first.
function PayoutWindows() {
  const { data } = useQuery("StudioPayoutWindows", {}, []);
  const open = data ? data.compilations.nodes.flatMap((c) => c.payoutProposals
    .filter((p) => p.status === "PROPOSED")
    .map((p) => ({ ...p, compilation: c })))
    .sort((a, b) => a.windowClosesAt.localeCompare(b.windowClosesAt)) : [];
  return html`<section class="card spaced" aria-labelledby="windows-heading">
    <h2 id="windows-heading">Payout windows closing soon</h2>
    ${!data ? html`<p class="muted">Loading…</p>` : open.length ? html`<ul class="queue">
      ${open.map((p) => html`<li key=${p.id}>
        <span><a href=${`#/c/${encodeURIComponent(p.compilation.id)}/payouts`}>${p.compilation.title}</a>
          <span class="muted"> · ${money(p.pool)} · ${new Date(p.windowClosesAt) > new Date()
            ? `comments close ${when(p.windowClosesAt)}` : "closed: ready to finalize"}</span></span>
        <a class="btn small" href=${`#/c/${encodeURIComponent(p.compilation.id)}/payouts`}>Open</a>
      </li>`)}
    </ul>` : html`<p class="empty">No payout waits for comments.</p>`}
  </section>`;
}

// The review queue assigned to me: compilations in review whose reviewer I was asked to be.
function AssignedToMe({ compilations, loading }) {
  return html`<section class="card spaced assigned" aria-labelledby="assigned-heading">
    <h2 id="assigned-heading">Assigned to me for review</h2>
    ${loading && !compilations.length ? html`<p class="muted">Loading…</p>` : compilations.length ? html`<ul class="queue">
      ${compilations.map((c) => html`<li key=${c.id}>
        <span><a href=${`#/c/${encodeURIComponent(c.id)}`}>${c.title}</a>
          <span class="muted"> · ${c.target} · waiting since ${when(c.updatedAt)}</span></span>
        <a class="btn small primary" href=${`#/c/${encodeURIComponent(c.id)}`}
           aria-label=${`Review “${c.title}”`}>Review</a>
      </li>`)}
    </ul>` : html`<p class="empty">No review is assigned to you.</p>`}
  </section>`;
}

function Dashboard({ viewer }) {
  const { data, error, loading } = useQuery("StudioDashboard", {}, []);
  const heading = useFocusHeading("dashboard");
  const [title, setTitle] = useState("");
  const [target, setTarget] = useState("");
  const [notice, setNotice] = useState(null);
  if (error) return html`<${Notice} notice=${{ kind: "error", text: error.message }} />`;
  const all = data ? data.compilations.nodes : [];
  const mine = all.filter((c) => c.editors.some((e) => e.id === viewer.id));
  const queue = all.filter((c) => c.status === "IN_REVIEW");
  const assigned = data && data.viewer ? data.viewer.reviewQueue.nodes : [];
  const targets = data ? data.publishingTargets : [];
  const create = async (event) => {
    event.preventDefault();
    try {
      const payload = payloadOf(await gql("StudioCreateCompilation", {
        title, target: target || targets[0].key,
      }), "createCompilation");
      go(`/c/${encodeURIComponent(payload.compilation.id)}`);
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  return html`
    <div class="page-head">
      <div>
        <h1 tabindex="-1" ref=${heading}>Good to see you, ${viewer.displayName}</h1>
        <p>${loading ? "Loading your compilations…"
          : `${mine.length} compilation${mine.length === 1 ? "" : "s"} on your desk, ${queue.length} waiting for review.`}</p>
      </div>
      <form class="row" onSubmit=${create} aria-label="New compilation">
        <label>Title<input required value=${title} onInput=${(e) => setTitle(e.target.value)}
          placeholder="Stories of the harbor" /></label>
        <label>Target
          <select value=${target || (targets[0] && targets[0].key)} onChange=${(e) => setTarget(e.target.value)}>
            ${targets.map((t) => html`<option value=${t.key}>${t.label}</option>`)}
          </select>
        </label>
        <button class="btn primary" type="submit">New compilation</button>
      </form>
    </div>
    <${Notice} notice=${notice} onClose=${() => setNotice(null)} />
    <section aria-labelledby="mine-heading" class="stack">
      <h2 id="mine-heading" class="visually-hidden">My compilations by state</h2>
      <div class="board">
        ${STATUSES.map((status) => {
          const here = mine.filter((c) => c.status === status);
          return html`<section class="column" aria-label=${STATUS_LABEL[status]}>
            <h2><span>${STATUS_LABEL[status]}</span><span>${here.length}</span></h2>
            <ul>
              ${here.map((c) => html`<li key=${c.id}><a class="mini" href=${`#/c/${encodeURIComponent(c.id)}`}>
                <strong>${c.title}</strong>
                <span>${c.target} · ${c.itemConnection.totalCount} items · ${when(c.updatedAt)}</span>
              </a></li>`)}
            </ul>
            ${!here.length && html`<p class="empty">None</p>`}
          </section>`;
        })}
      </div>
    </section>
    <${AssignedToMe} compilations=${assigned} loading=${loading} />
    <section class="card spaced" aria-labelledby="queue-heading">
      <h2 id="queue-heading">Review queue</h2>
      <p class="hint">Submitted compilations wait for an editor other than the one who submitted them.</p>
      ${queue.length ? html`<ul class="queue">
        ${queue.map((c) => html`<li key=${c.id}>
          <span><a href=${`#/c/${encodeURIComponent(c.id)}`}>${c.title}</a>
            <span class="muted"> · ${c.target} · submitted ${when(c.updatedAt)}</span></span>
          <a class="btn small" href=${`#/c/${encodeURIComponent(c.id)}`}>Review</a>
        </li>`)}
      </ul>` : html`<p class="empty">Nothing waits for review.</p>`}
    </section>
    <${PayoutWindows} />`;
}

// ---------------------------------------------------------------------------------------------
// Record finder: search, filter, lineage picture, add to a compilation

function Finder({ into }) {
  const heading = useFocusHeading("finder");
  const context = useQuery("StudioDashboard", {}, []);
  const filters = useQuery("StudioFinderFilters", {}, []);
  const [form, setForm] = useState({ search: "", mediaType: "", tag: "", author: "", collaboration: "" });
  const [query, setQuery] = useState({});
  const results = useQuery("StudioFindRecords", query, [query]);
  const [notice, setNotice] = useState(null);
  const drafts = context.data
    ? context.data.compilations.nodes.filter((c) => c.status === "DRAFT") : [];
  const [chosen, setChosen] = useState(into || "");
  const target = chosen || (drafts[0] && drafts[0].id) || "";
  // The author is typed as a handle and sent as the member's ID: an unknown handle is said so
  // rather than searched for (the filter would list nothing, which reads as "no records").
  const submit = async (event) => {
    event.preventDefault();
    const handle = form.author.trim().replace(/^@/, "");
    let author = null;
    if (handle) {
      try {
        const found = await gql("StudioFinderMember", { handle });
        if (!found.member) {
          setNotice({ kind: "error", text: `No member has the handle @${handle}.` });
          return;
        }
        author = found.member.id;
      } catch (e) {
        setNotice({ kind: "error", text: e.message });
        return;
      }
    }
    setQuery({
      search: form.search || null, mediaType: form.mediaType || null, tag: form.tag || null,
      author, collaboration: form.collaboration || null,
    });
  };
  const add = async (record) => {
    try {
      const payload = payloadOf(await gql("StudioAddItem", {
        compilationId: target, recordId: record.id,
      }), "addCompilationItem");
      setNotice({ kind: "info", text: `Added “${record.title}” to “${payload.compilation.title}” (item ${payload.item.position}).` });
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const records = results.data ? results.data.records.nodes : [];
  return html`
    <div class="page-head">
      <div>
        <h1 tabindex="-1" ref=${heading}>Find records</h1>
        <p>Published records of the community, with their lineage: whoever they build on is credited.</p>
      </div>
      <label>Add to
        <select value=${target} onChange=${(e) => setChosen(e.target.value)}>
          ${drafts.length ? drafts.map((c) => html`<option value=${c.id}>${c.title}</option>`)
            : html`<option value="">No draft compilation yet</option>`}
        </select>
      </label>
    </div>
    <form class="card row" role="search" onSubmit=${submit}>
      <label class="grow wide">Words<input type="search" name="search" value=${form.search}
        onInput=${set("search")} placeholder="harbor, lighthouse…" /></label>
      <label>Media type
        <select name="mediaType" value=${form.mediaType} onChange=${set("mediaType")}>
          <option value="">Any</option>
          ${context.data && context.data.mediaTypes.map((m) => html`<option value=${m.key}>${m.label}</option>`)}
        </select>
      </label>
      <label>Tag<input name="tag" value=${form.tag} onInput=${set("tag")} placeholder="sea" /></label>
      <label>Author<input name="author" value=${form.author} onInput=${set("author")}
        placeholder="@handle" autocomplete="off" /></label>
      <label>Collaboration
        <select name="collaboration" value=${form.collaboration} onChange=${set("collaboration")}>
          <option value="">Any</option>
          ${filters.data && filters.data.collaborations.nodes.map((c) => html`<option value=${c.id}>${c.title} (${c.status.toLowerCase()})</option>`)}
        </select>
      </label>
      <button class="btn primary" type="submit">Search</button>
    </form>
    <${Notice} notice=${notice} onClose=${() => setNotice(null)} />
    <p class="muted" aria-live="polite">${results.loading ? "Searching…"
      : results.data ? `${results.data.records.totalCount} records` : ""}</p>
    <ul class="results">
      ${records.map((r) => html`<li key=${r.id} class="card result" data-record=${r.id}>
        <h3>${r.title}</h3>
        <div class="meta">${r.mediaType} · by ${r.author.displayName} (@${r.author.handle})
          · ${count(r.sources.totalCount, "source")} · ${count(r.remixCount, "remix", "remixes")}</div>
        <${Credits} record=${r} />
        <div>${r.tags.map((t) => html`<span class="tag">${t}</span>`)}</div>
        ${r.sources.totalCount || r.remixCount ? html`<a class="lineage" target="_blank" rel="noopener"
            href=${`/records/${encodeURIComponent(r.id)}/lineage.svg`}>
          <img loading="lazy" src=${`/records/${encodeURIComponent(r.id)}/lineage.svg?maxDepth=2`}
               alt=${`Lineage of “${r.title}”: ${r.sources.totalCount} sources, ${r.remixCount} remixes (opens the full picture)`} />
        </a>` : html`<div class="lineage original"><span>An original: no sources, no remixes yet.</span></div>`}
        <div class="add">
          <button class="btn" disabled=${!target} onClick=${() => add(r)}
                  aria-label=${`Add to compilation: “${r.title}”`}>Add to compilation</button>
        </div>
      </li>`)}
    </ul>`;
}

// A result's credits: its author, then its direct sources' authors (a hidden source's author
// is credited too), each once; "and more" when it has more sources than were read.
function Credits({ record }) {
  const seen = new Set([record.author.handle]);
  const sources = record.sources.edges.map((e) => e.author)
    .filter((a) => !seen.has(a.handle) && seen.add(a.handle));
  const more = record.sources.totalCount > record.sources.edges.length;
  return html`<p class="credits">Credits: ${record.author.displayName} (@${record.author.handle})${
    sources.length ? html`; building on ${sources.map((a, i) => html`${i ? ", " : ""}${a.displayName} (@${a.handle})`)}` : ""}${
    more ? " and more" : ""}</p>`;
}

// ---------------------------------------------------------------------------------------------
// Own changes: the subscription reports every change, ours too. Each of our mutations answers
// the compilation's new `version`; an event carrying one of those is ours and not news. Events
// that arrive while one of our mutations is under way wait for its answer (its event may come
// first), then are sorted.

function useOwnChanges(onOthers) {
  const own = useRef({ versions: new Set(), inFlight: 0, queued: [] });
  const others = useRef(onOthers);
  others.current = onOthers;
  const settle = () => {
    const state = own.current;
    if (state.inFlight) return;
    const theirs = state.queued.filter((e) => e.version == null || !state.versions.has(e.version));
    state.queued = [];
    if (theirs.length) others.current(theirs);
  };
  // Runs one of our mutations: `run()` resolves to its payload, whose compilation's version
  // is remembered as ours.
  const mine = async (run) => {
    own.current.inFlight += 1;
    try {
      const payload = await run();
      const version = payload && payload.compilation && payload.compilation.version;
      if (version != null) own.current.versions.add(version);
      return payload;
    } finally {
      own.current.inFlight -= 1;
      settle();
    }
  };
  const heard = (event) => {
    own.current.queued.push(event);
    settle();
  };
  return { mine, heard };
}

// ---------------------------------------------------------------------------------------------
// Review (four eyes): who is asked to review, what changed since the last review, comments per
// item. The comments typed here are sent with the approval or the return (the workflow's
// buttons), or posted at once.

const CHANGE_TEXT = {
  ADDED: (c) => `Added “${c.title}”`,
  REMOVED: (c) => `Removed “${c.title}”`,
  MOVED: (c) => `Moved “${c.title}” from ${c.fromPosition} to ${c.toPosition}`,
  REWEIGHTED: (c) => `Weight of “${c.title}”: ${c.fromWeight} → ${c.toWeight}`,
  NOTE_CHANGED: (c) => `Note of “${c.title}” changed`,
};

// The comments typed in the review screen, as the API's ReviewCommentInput list.
function draftedComments(drafts) {
  return Object.entries(drafts).filter(([, body]) => body.trim())
    .map(([itemId, body]) => ({ itemId: itemId || null, body }));
}

function ChangesSinceReview({ changes }) {
  if (!changes) return null;
  const lines = changes.items.map((c) => CHANGE_TEXT[c.kind]({
    ...c, title: c.record ? c.record.title : "a record no longer visible" }));
  if (changes.settingsChanged.length) lines.push(`Settings changed: ${changes.settingsChanged.join(", ")}`);
  return html`<section class="stack" aria-labelledby="changes-heading">
    <h3 id="changes-heading">${changes.since ? "Changes since the last review" : "First review"}</h3>
    <p class="hint">${changes.since
      ? `${changes.review.__typename === "CompilationReturned" ? "Returned" : "Approved"} by @${changes.review.actor ? changes.review.actor.handle : "—"} ${when(changes.since)}${changes.review.comment ? `: “${changes.review.comment}”` : "."}`
      : "Never reviewed before: everything below is new."}</p>
    ${changes.since && (lines.length ? html`<ul class="changes">${lines.map((line) => html`<li>${line}</li>`)}</ul>`
      : html`<p class="empty">Nothing changed since.</p>`)}
  </section>`;
}

function AssigneePicker({ compilation, review, submitter, mine, onDone }) {
  const candidates = review.editors.filter((e) => e.id !== submitter);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState(null);
  const value = chosen || (review.assignee && review.assignee.id) || (candidates[0] && candidates[0].id) || "";
  const assign = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      await mine(async () => payloadOf(await gql("StudioAssignReviewer", {
        compilationId: compilation.id, memberId: value }), "assignReviewer"));
      onDone();
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<form class="row" onSubmit=${assign} aria-label="Assign a reviewer">
    <p class="grow">${review.assignee
      ? html`Asked to review: <strong>${review.assignee.displayName}</strong> <span class="muted">@${review.assignee.handle}</span>`
      : html`<span class="muted">No reviewer assigned yet.</span>`}</p>
    ${candidates.length ? html`<label>Reviewer
        <select value=${value} onChange=${(e) => setChosen(e.target.value)}>
          ${candidates.map((e) => html`<option value=${e.id}>${e.displayName} (@${e.handle})</option>`)}
        </select></label>
      <button class="btn" type="submit">Assign</button>`
      : html`<p class="hint">Add another editor to the team to ask them to review.</p>`}
    ${error && html`<div class="notice error" role="alert">${error}</div>`}
  </form>`;
}

function CommentList({ comments }) {
  if (!comments.length) return null;
  return html`<ul class="comments">${comments.map((c, n) => html`<li key=${n}>
    <strong>@${c.author.handle}</strong> ${c.body}
    <div class="when">${c.kind === "COMMENT" ? "" : `with the ${c.kind === "APPROVE" ? "approval" : "return"} · `}${when(c.createdAt)}</div>
  </li>`)}</ul>`;
}

function ReviewPanel({ compilation, items, review, drafts, setDrafts, mine, onChanged, announce }) {
  const [error, setError] = useState(null);
  if (!review) return null;
  const inReview = compilation.status === "IN_REVIEW";
  const comments = review.reviewComments ? review.reviewComments.nodes : null;
  if (!inReview && !(comments && comments.length)) return null;
  const submits = review.historyConnection.nodes.filter((e) => e.action === "submit");
  const submitter = submits.length && submits[submits.length - 1].actor
    ? submits[submits.length - 1].actor.id : null;
  const of = (itemId) => (comments || []).filter((c) => c.itemId === itemId);
  const set = (key) => (e) => setDrafts({ ...drafts, [key]: e.target.value });
  const typed = draftedComments(drafts);
  const post = async () => {
    setError(null);
    try {
      for (const comment of typed) {
        await mine(async () => payloadOf(await gql("StudioAddReviewComment", {
          compilationId: compilation.id, ...comment }), "addReviewComment"));
      }
      setDrafts({});
      announce(`Posted ${typed.length} review comment${typed.length === 1 ? "" : "s"}.`);
      onChanged();
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<section class="card stack review" aria-labelledby="review-heading">
    <h2 id="review-heading">Review</h2>
    ${inReview && html`<${AssigneePicker} compilation=${compilation} review=${review}
        submitter=${submitter} mine=${mine} onDone=${onChanged} />`}
    ${inReview && html`<${ChangesSinceReview} changes=${review.changesSinceReview} />`}
    ${comments === null ? html`<p class="hint">Review comments are for the compilation's editors team.</p>` : html`
      <section class="stack" aria-labelledby="comments-heading">
        <h3 id="comments-heading">Comments per item</h3>
        ${inReview && html`<p class="hint">Comments typed here go with your approval or return, or post them now.</p>`}
        <ol class="review-items">
          ${items.map((item) => {
            const label = item.record ? item.record.title : "Removed record";
            return html`<li key=${item.id}>
              <strong>${item.position}. ${label}</strong>
              <${CommentList} comments=${of(item.id)} />
              ${inReview && html`<label>Comment on “${label}”
                <textarea rows="2" value=${drafts[item.id] || ""} onInput=${set(item.id)}></textarea></label>`}
            </li>`;
          })}
        </ol>
        <div class="stack">
          <strong>The whole compilation</strong>
          <${CommentList} comments=${of(null)} />
          ${inReview && html`<label>Comment on the whole compilation
            <textarea rows="2" value=${drafts[""] || ""} onInput=${set("")}></textarea></label>`}
        </div>
        ${error && html`<div class="notice error" role="alert">${error}</div>`}
        ${inReview && html`<button class="btn" disabled=${!typed.length} onClick=${post}>
          Post comments now</button>`}
      </section>`}
  </section>`;
}

// ---------------------------------------------------------------------------------------------
// Compilation builder: items (reorder by drag or Alt+Arrow keys), problems, workflow, downloads

function Builder({ id, announce }) {
  const heading = useFocusHeading(id);
  const { data, error, reload: reloadItems, setData } = useQuery("StudioCompilation", { id }, [id]);
  // The target's side (settings, problems, downloads) is a second read: the executor answers
  // it, while the items above come from one compiled statement.
  const checks = useQuery("StudioCompilationTarget", { id }, [id]);
  const reload = () => Promise.all([reloadItems(), checks.reload(), reviewQuery && reviewQuery.reload()]);
  const [notice, setNotice] = useState(null);
  const [dragging, setDragging] = useState(null);
  const [over, setOver] = useState(null);
  const [reason, setReason] = useState("");
  const focusAfter = useRef(null);
  const list = useRef(null);
  // The review screen's side: assignee, comments, changes since the last review.
  const reviewQuery = useQuery("StudioReview", { id }, [id]);
  const [drafts, setDrafts] = useState({});  // review comments being typed, by item ID
  const [editing, setEditing] = useState(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [busy, setBusy] = useState(null);  // the workflow operation under way
  const [confirmArchive, setConfirmArchive] = useState(false);  // archiving cannot be undone

  // Live: another editor's change (a submit, an approval, an item…) shows here without a
  // reload, and says so; our own come back too, and are recognized by their version. A
  // reviewer assigned or a comment written only refreshes the page.
  const { mine, heard } = useOwnChanges((theirs) => {
    const news = theirs.filter((c) => c.change !== "REVIEW_CHANGED");
    const status = news.map((c) => c.previousStatus && c.status).filter(Boolean).pop();
    if (status) {
      setNotice({ kind: "info", text: `Another editor changed this compilation: it is now ${(STATUS_LABEL[status] || status).toLowerCase()}.` });
    } else if (news.length) {
      setNotice({ kind: "info", text: "Another editor changed this compilation: the latest version is shown." });
    }
    reloadItems();
    checks.reload();
    reviewQuery.reload();
  });
  useEffect(() => subscribe("StudioCompilationUpdated", { id },
    (event) => heard(event.compilationUpdated)), [id]);

  // After a keyboard move the list re-renders; the moved item keeps the focus.
  useEffect(() => {
    if (focusAfter.current && list.current) {
      const el = list.current.querySelector(`[data-item="${CSS.escape(focusAfter.current)}"]`);
      if (el) el.focus();
      focusAfter.current = null;
    }
  });

  if (error) return html`<${Notice} notice=${{ kind: "error", text: error.message }} />`;
  if (!data) return html`<p class="muted">Loading…</p>`;
  const compilation = data.compilation;
  if (!compilation) return html`<${Notice} notice=${{ kind: "error", text: "No such compilation, or it is not yours to see." }} />`;
  const items = compilation.itemConnection.nodes;
  const editable = compilation.status === "DRAFT";
  const target = checks.data && checks.data.compilation;
  const problems = target ? target.problems : [];
  const problemsOf = (itemId) => problems.filter((p) => p.itemId === itemId);

  const failed = async (e) => {
    if (STALE_CODES.has(e.code)) {
      setNotice({ kind: "conflict", text: `This compilation changed since you loaded it (${e.message}). The latest version is shown; your change was not applied.` });
      await reload();
    } else {
      setNotice({ kind: "error", text: e.message });
    }
  };

  // Optimistic: the list shows the new order at once; the answer (or a reload) settles it.
  const move = async (item, position) => {
    if (!editable || position < 1 || position > items.length || position === item.position) return;
    const reordered = items.filter((i) => i.id !== item.id);
    reordered.splice(position - 1, 0, item);
    setData({ compilation: { ...compilation, itemConnection: { ...compilation.itemConnection,
      nodes: reordered.map((i, n) => ({ ...i, position: n + 1 })) } } });
    try {
      const payload = await mine(async () => payloadOf(await gql("StudioMoveItem", {
        itemId: item.id, position }), "moveCompilationItem"));
      const order = new Map(payload.compilation.itemConnection.nodes.map((n) => [n.id, n.position]));
      const settled = reordered.map((i) => ({ ...i, position: order.get(i.id) }))
        .sort((a, b) => a.position - b.position);
      setData({ compilation: { ...compilation, updatedAt: payload.compilation.updatedAt,
        version: payload.compilation.version,
        itemConnection: { ...compilation.itemConnection, nodes: settled } } });
      if (target) checks.setData({ compilation: { ...target, problems: payload.compilation.problems } });
      announce(`Moved “${item.record ? item.record.title : "item"}” to position ${position} of ${items.length}.`);
    } catch (e) {
      await failed(e);
    }
  };

  const remove = async (item) => {
    try {
      await mine(async () => payloadOf(await gql("StudioRemoveItem", { itemId: item.id }),
        "removeCompilationItem"));
      announce(`Removed “${item.record ? item.record.title : "item"}”.`);
      await reload();
    } catch (e) {
      await failed(e);
    }
  };

  const transition = async (operation, field, variables, done) => {
    setBusy(operation);
    try {
      const payload = await mine(async () => payloadOf(await gql(operation, {
        id: compilation.id, ...variables }), field));
      if (operation === "StudioApprove" || operation === "StudioReturn") setDrafts({});
      setNotice({ kind: "info", text: done(payload) });
      await reload();
    } catch (e) {
      await failed(e);
    } finally {
      setBusy(null);
    }
  };

  const onKeyDown = (item) => (event) => {
    // The item itself has the focus (not a field of its weight-and-note form).
    if (event.target !== event.currentTarget) return;
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    focusAfter.current = item.id;
    move(item, item.position + (event.key === "ArrowUp" ? -1 : 1));
  };

  const drag = (item) => ({
    draggable: editable,
    onDragStart: (event) => {
      setDragging(item.id);
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.id);
    },
    onDragEnd: () => { setDragging(null); setOver(null); },
    onDragOver: (event) => { event.preventDefault(); setOver(item.id); },
    onDrop: (event) => {
      event.preventDefault();
      const moved = items.find((i) => i.id === dragging);
      setDragging(null);
      setOver(null);
      if (moved) move(moved, item.position);
    },
  });

  const saveItem = async (item, values) => {
    try {
      await mine(() => runPlanned("updateItem", {
        itemId: item.id, expectedVersion: compilation.version, ...values }));
      setEditing(null);
      announce(`Saved the weight and note of “${item.record ? item.record.title : "item"}”.`);
      await reload();
    } catch (e) {
      await failed(e);
    }
  };
  const saveSettings = async (values) => {
    try {
      await mine(() => runPlanned("updateCompilation", {
        id: compilation.id, expectedVersion: compilation.version, ...values }));
      setNotice({ kind: "info", text: "Settings saved." });
      await reload();
    } catch (e) {
      await failed(e);
    }
  };
  const deleteDraft = async () => {
    if (!confirmDelete) { setConfirmDelete(true); return; }
    try {
      await runPlanned("deleteCompilation", { id: compilation.id });
      go("/");
    } catch (e) {
      await failed(e);
    }
  };

  const settings = target && target.settings;
  const publications = target ? target.publicationConnection.nodes : [];
  return html`
    <div class="page-head">
      <div>
        <p><a href="#/">Dashboard</a> / ${compilation.target}</p>
        <h1 tabindex="-1" ref=${heading}>${compilation.title} <${Badge} status=${compilation.status} /></h1>
        <p>${compilation.description || "No description yet."}</p>
      </div>
      <div class="row">
        <a class="btn" href=${`#/c/${encodeURIComponent(compilation.id)}/preview`}>Preview</a>
        <a class="btn" href=${`#/c/${encodeURIComponent(compilation.id)}/history`}>History</a>
        ${(compilation.status === "PUBLISHED" || compilation.status === "ARCHIVED") && html`<a class="btn"
            href=${`#/c/${encodeURIComponent(compilation.id)}/payouts`}>Payouts</a>`}
        ${editable && html`<a class="btn primary" href=${`#/find?into=${encodeURIComponent(compilation.id)}`}>Add records</a>`}
      </div>
    </div>
    <${Notice} notice=${notice} onClose=${() => setNotice(null)} />
    <${ReviewPanel} compilation=${compilation} items=${items}
      review=${reviewQuery.data && reviewQuery.data.compilation} drafts=${drafts}
      setDrafts=${setDrafts} mine=${mine} onChanged=${() => reviewQuery.reload()} announce=${announce} />
    <div class="grid-2">
      <section class="card stack" aria-labelledby="items-heading">
        <div>
          <h2 id="items-heading">Items (${items.length})</h2>
          ${editable && html`<p class="hint" id="reorder-help">Drag an item, or focus it and press
            Alt+↑ / Alt+↓ to move it.</p>`}
        </div>
        ${items.length ? html`<ol class=${editable ? "items" : "items readonly"} ref=${list} aria-describedby=${editable ? "reorder-help" : null}>
          ${items.map((item) => {
            const problems = problemsOf(item.id);
            const classes = ["item", dragging === item.id && "dragging",
              over === item.id && dragging !== item.id && "drop-before",
              problems.length && "has-problem"].filter(Boolean).join(" ");
            const label = item.record ? item.record.title : "Removed record";
            return html`<li key=${item.id} class=${classes} tabindex="0" data-item=${item.id}
                aria-label=${`${item.position}. ${label}${problems.length ? `, ${problems.length} problem` : ""}`}
                onKeyDown=${onKeyDown(item)} ...${drag(item)}>
              ${editable && html`<span class="handle" aria-hidden="true">⋮⋮</span>`}
              <span class="pos">${item.position}</span>
              <span>
                <span class="title">${label}</span>
                <span class="sub"> · ${item.record ? `${item.record.mediaType} by @${item.record.author.handle}` : ""}
                  ${item.weight !== "1" ? ` · weight ${item.weight}` : ""}</span>
                ${problems.map((p) => html`<div class="sub">⚠ ${p.message}</div>`)}
              </span>
              ${editable && html`<span class="actions">
                ${offers("updateItem") && html`<button class="btn small" aria-label=${`Edit weight and note of “${label}”`}
                        onClick=${() => setEditing(editing === item.id ? null : item.id)}>Edit</button>`}
                <button class="btn small" aria-label=${`Move “${label}” up`} disabled=${item.position === 1}
                        onClick=${() => move(item, item.position - 1)}>↑</button>
                <button class="btn small" aria-label=${`Move “${label}” down`} disabled=${item.position === items.length}
                        onClick=${() => move(item, item.position + 1)}>↓</button>
                <button class="btn small danger" aria-label=${`Remove “${label}”`}
                        onClick=${() => remove(item)}>Remove</button>
              </span>`}
              ${editing === item.id && html`<${ItemForm} item=${item} label=${label}
                  onSave=${(values) => saveItem(item, values)} onCancel=${() => setEditing(null)} />`}
            </li>`;
          })}
        </ol>` : html`<p class="empty">No items yet: find records and add them.</p>`}
      </section>
      <aside class="stack" aria-label="Compilation details">
        <section class="card" aria-labelledby="problems-heading">
          <h2 id="problems-heading">Target check</h2>
          ${!target ? html`<p class="muted">Checking…</p>` : problems.length ? html`<ul class="problems">
            ${problems.map((p) => html`<li><code>${p.code}</code> ${p.message}</li>`)}
          </ul>` : html`<p class="ok">Ready for ${compilation.target}: no problems.</p>`}
        </section>
        <section class="card stack" aria-labelledby="workflow-heading">
          <h2 id="workflow-heading">Workflow</h2>
          <div class="row">
          ${compilation.status === "DRAFT" && html`<button class="btn primary" disabled=${busy}
              onClick=${() => transition("StudioSubmit", "submitCompilation", {}, () => "Submitted for review.")}>
              Submit for review</button>`}
          ${compilation.status === "IN_REVIEW" && html`<button class="btn primary" disabled=${busy}
              onClick=${() => transition("StudioApprove", "approveCompilation",
                { comments: draftedComments(drafts) }, () => "Approved: ready to publish.")}>
              Approve</button>`}
          ${(compilation.status === "APPROVED" || compilation.status === "PUBLISHED") && html`<button
              class="btn primary" disabled=${busy} aria-busy=${busy === "StudioPublish" ? "true" : null}
              onClick=${() => transition("StudioPublish", "publishCompilation", {},
                (p) => `Published version ${p.publication.version}: the files are below.`)}>
              ${busy === "StudioPublish" ? `Rendering the ${compilation.target}…`
                : compilation.status === "PUBLISHED" ? "Publish a new version" : "Publish"}</button>`}
          ${compilation.status !== "ARCHIVED" && html`<button class="btn danger" disabled=${busy}
              onClick=${() => (confirmArchive
                ? transition("StudioArchive", "archiveCompilation", {}, () => "Archived: no more changes.")
                : setConfirmArchive(true))}>
              ${confirmArchive ? "Archive for good? Click again" : "Archive"}</button>`}
          </div>
          ${(compilation.status === "IN_REVIEW" || compilation.status === "APPROVED") && html`<div class="stack">
            <label>Reason to return
              <textarea rows="2" value=${reason} onInput=${(e) => setReason(e.target.value)}></textarea></label>
            <button class="btn" disabled=${busy || !reason.trim()}
              onClick=${() => transition("StudioReturn", "returnCompilation",
                { reason, comments: draftedComments(drafts) }, () => "Returned to its editors.")}>
              Return to draft</button>
          </div>`}
          ${editable && offers("deleteCompilation") && html`<button class="btn danger"
              onClick=${deleteDraft}>${confirmDelete ? "Click again to delete this draft" : "Delete draft"}</button>`}
          ${editable && offers("updateCompilation") && html`<${SettingsForm}
              compilation=${compilation} settings=${settings} onSave=${saveSettings} />`}
          <dl class="kv">
            <dt>Target</dt><dd>${compilation.target}</dd>
            ${settings && settings.__typename === "BookSettings" && html`
              <dt>Language</dt><dd>${settings.language}</dd>
              ${settings.authorLine && html`<dt>Author line</dt><dd>${settings.authorLine}</dd>`}`}
            ${settings && settings.__typename === "TvSettings" && html`
              <dt>Runtime</dt><dd>${settings.targetRuntimeSeconds ? `${settings.targetRuntimeSeconds} s ± ${settings.toleranceSeconds} s` : "free"}</dd>`}
            <dt>Editors</dt><dd>${compilation.editors.map((e) => `@${e.handle}`).join(", ")}</dd>
            <dt>Lineage share</dt><dd>${compilation.lineageShare} (depth ${compilation.maxDepth})</dd>
            <dt>Updated</dt><dd>${when(compilation.updatedAt)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="downloads-heading">
          <h2 id="downloads-heading">Downloads</h2>
          ${busy === "StudioPublish" && html`<p class="rendering" role="status">
            <progress aria-label=${`Rendering the ${compilation.target}`}></progress>
            Rendering the ${compilation.target}: its files appear here when they are stored.</p>`}
          ${publications.length ? publications.map((p) => html`<div class="stack">
            <p class="muted">Version ${p.version}, ${when(p.publishedAt)}${p.publishedBy ? ` by @${p.publishedBy.handle}` : ""}</p>
            <ul class="files">${p.files.map((f) => html`<li>
              <a href=${f.url} download=${f.name}>${f.name}</a> <span class="muted">${bytes(f.size)}</span></li>`)}</ul>
          </div>`) : html`<p class="empty">Not published yet.</p>`}
        </section>
      </aside>
    </div>`;
}

function ItemForm({ item, label, onSave, onCancel }) {
  const [weight, setWeight] = useState(item.weight);
  const [note, setNote] = useState(item.note);
  const save = (event) => { event.preventDefault(); onSave({ weight, note }); };
  return html`<form class="row item-form" onSubmit=${save} aria-label=${`Weight and note of “${label}”`}>
    <label>Weight<input inputmode="decimal" value=${weight} onInput=${(e) => setWeight(e.target.value)} /></label>
    <label class="grow">Note<input value=${note} onInput=${(e) => setNote(e.target.value)} /></label>
    <button class="btn primary small" type="submit">Save</button>
    <button class="btn small" type="button" onClick=${onCancel}>Cancel</button>
  </form>`;
}

// The target settings the form edits, by settings type: [input field, label, kind].
const SETTING_FIELDS = {
  BookSettings: ["book", [["subtitle", "Subtitle", "text"], ["authorLine", "Author line", "text"],
    ["language", "Language (BCP 47)", "text"], ["maxWords", "Word limit", "number"],
    // The record ID of one of the book's image items (a problem names it otherwise).
    ["coverRecord", "Cover (image record ID)", "text"]]],
  TvSettings: ["tv", [["episodeTitle", "Episode title", "text"],
    ["targetRuntimeSeconds", "Target runtime (s)", "number"],
    ["toleranceSeconds", "Tolerance (s)", "number"],
    // A select: the plugin refuses any other rate.
    ["frameRate", "Frame rate (fps)", "number",
      ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"]]]],
};

function SettingsForm({ compilation, settings, onSave }) {
  const [title, setTitle] = useState(compilation.title);
  const [description, setDescription] = useState(compilation.description);
  const [values, setValues] = useState({});
  const [member, fields] = (settings && SETTING_FIELDS[settings.__typename]) || [null, []];
  const current = (name) => (name in values ? values[name] : (settings && settings[name] != null ? String(settings[name]) : ""));
  const save = (event) => {
    event.preventDefault();
    const changes = { title, description };
    // Settings replace the current ones whole: every field is sent, empty ones as null.
    if (member && Object.keys(values).length) {
      changes.settings = { [member]: Object.fromEntries(fields.map(([name, , kind]) => {
        const text = current(name).trim();
        return [name, text === "" ? null : kind === "number" ? Number(text) : text];
      })) };
    }
    onSave(changes);
  };
  return html`<form class="stack settings" onSubmit=${save} aria-label="Settings">
    <h3>Settings</h3>
    <label>Title<input required value=${title} onInput=${(e) => setTitle(e.target.value)} /></label>
    <label>Description<textarea rows="3" value=${description}
      onInput=${(e) => setDescription(e.target.value)}></textarea></label>
    ${fields.map(([name, label, kind, options]) => options
      ? html`<label>${label}<select name=${name} value=${current(name)}
          onChange=${(e) => setValues({ ...values, [name]: e.target.value })}>
          ${options.map((option) => html`<option value=${option}>${option}</option>`)}
        </select></label>`
      : html`<label>${label}<input name=${name}
          inputmode=${kind === "number" ? "numeric" : null} value=${current(name)}
          onInput=${(e) => setValues({ ...values, [name]: e.target.value })} /></label>`)}
    <button class="btn" type="submit">Save settings</button>
  </form>`;
}

// ---------------------------------------------------------------------------------------------
// Payouts: proposals of a published compilation, the split with the lineage that earned each
// line, the comment window, finalization by a second editor.

function money(m) {
  return `${m.amount} ${m.currency}`;
}

function ProposalDetail({ id }) {
  const { data, error } = useQuery("StudioPayoutProposal", { id }, [id]);
  if (error) return html`<${Notice} notice=${{ kind: "error", text: error.message }} />`;
  if (!data || !data.node) return html`<p class="muted">Loading the split…</p>`;
  const proposal = data.node;
  return html`<table class="split">
    <caption>Split of ${money(proposal.pool)}</caption>
    <thead><tr><th scope="col">Contributor</th><th scope="col">Share</th>
      <th scope="col">Amount</th><th scope="col">Earned through</th></tr></thead>
    <tbody>${proposal.lines.map((line) => html`<tr key=${line.member.handle}>
      <th scope="row">${line.member.displayName} <span class="muted">@${line.member.handle}</span></th>
      <td class="num">${(Number(line.share) * 100).toFixed(2)} %</td>
      <td class="num">${money(line.amount)}</td>
      <td>${line.breakdown.map((part) => html`<div class="sub">${part.role}${part.depth ? ` · ${part.depth} up` : ""}
        ${part.recordTitle ? ` · “${part.recordTitle}”` : ""} · ${part.amount}</div>`)}</td>
    </tr>`)}</tbody>
  </table>`;
}

function Payouts({ id, viewer }) {
  const heading = useFocusHeading(`payouts-${id}`);
  const { data, error, reload } = useQuery("StudioPayouts", { id }, [id]);
  const [selected, setSelected] = useState(null);
  const [pool, setPool] = useState({ amount: "1000.00", currency: "USD" });
  const [comment, setComment] = useState("");
  const [notice, setNotice] = useState(null);
  if (error) return html`<${Notice} notice=${{ kind: "error", text: error.message }} />`;
  if (!data) return html`<p class="muted">Loading…</p>`;
  const compilation = data.compilation;
  if (!compilation) return html`<${Notice} notice=${{ kind: "error", text: "No such compilation." }} />`;
  const proposals = compilation.payoutProposals;
  const current = proposals.find((p) => p.id === selected) || proposals[0];
  const act = async (operation, field, variables, done) => {
    try {
      payloadOf(await gql(operation, variables), field);
      setNotice({ kind: "info", text: done });
      await reload();
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  const propose = (event) => {
    event.preventDefault();
    act("StudioProposePayout", "proposePayout", { compilationId: id, ...pool },
      `Proposed: the comment window is open for ${compilation.payoutWindowDays} days.`);
  };
  const sendComment = (event) => {
    event.preventDefault();
    act("StudioCommentOnPayout", "commentOnPayout", { proposalId: current.id, body: comment },
      "Comment added.").then(() => setComment(""));
  };
  const windowOpen = current && new Date(current.windowClosesAt) > new Date();
  return html`
    <div class="page-head">
      <div>
        <p><a href=${`#/c/${encodeURIComponent(id)}`}>${compilation.title}</a> / payouts</p>
        <h1 tabindex="-1" ref=${heading}>Payouts <${Badge} status=${compilation.status} /></h1>
        <p>Who is paid what from a pool, through the records and the lineage they built on.</p>
      </div>
      <form class="row" onSubmit=${propose} aria-label="Propose a payout">
        <label>Pool<input inputmode="decimal" required value=${pool.amount}
          onInput=${(e) => setPool({ ...pool, amount: e.target.value })} /></label>
        <label>Currency<input required size="4" value=${pool.currency}
          onInput=${(e) => setPool({ ...pool, currency: e.target.value.toUpperCase() })} /></label>
        <button class="btn primary" type="submit">Propose payout</button>
      </form>
    </div>
    <${Notice} notice=${notice} onClose=${() => setNotice(null)} />
    ${!current ? html`<p class="empty card">No payout proposed yet.</p>` : html`<div class="grid-2">
      <section class="card" aria-labelledby="split-heading">
        <h2 id="split-heading">Proposal of ${when(current.createdAt)} <span class=${`badge ${current.status === "FINALIZED" ? "APPROVED" : "IN_REVIEW"}`}>${current.status.toLowerCase()}</span></h2>
        <${ProposalDetail} id=${current.id} />
      </section>
      <aside class="stack" aria-label="Proposal details">
        <${CsvExport} proposal=${current} title=${compilation.title} />
        <section class="card stack" aria-labelledby="window-heading">
          <h2 id="window-heading">Comment window</h2>
          <p>${current.status === "FINALIZED" ? `Finalized ${when(current.finalizedAt)}.`
            : windowOpen ? `Open until ${when(current.windowClosesAt)}.`
            : `Closed ${when(current.windowClosesAt)}: an editor other than the proposer may finalize it.`}</p>
          ${current.status === "PROPOSED" && !windowOpen && html`<button class="btn primary"
            onClick=${() => act("StudioFinalizePayout", "finalizePayout", { proposalId: current.id }, "Finalized.")}>
            Finalize</button>`}
          <ul class="comments">${current.comments.map((c, n) => html`<li key=${n}>
            <strong>@${c.author ? c.author.handle : "—"}</strong> ${c.body}
            <div class="when">${when(c.createdAt)}</div></li>`)}</ul>
          ${current.status === "PROPOSED" && windowOpen && html`<form class="stack" onSubmit=${sendComment}>
            <label>Comment<textarea rows="2" required value=${comment}
              onInput=${(e) => setComment(e.target.value)}></textarea></label>
            <button class="btn" type="submit">Add comment</button>
          </form>`}
        </section>
        ${proposals.length > 1 && html`<section class="card" aria-labelledby="proposals-heading">
          <h2 id="proposals-heading">All proposals</h2>
          <ul class="files">${proposals.map((p) => html`<li key=${p.id}>
            <button class="btn small" aria-pressed=${p.id === current.id ? "true" : "false"}
              onClick=${() => setSelected(p.id)}>${when(p.createdAt)} · ${money(p.pool)} · ${p.status.toLowerCase()}</button></li>`)}</ul>
        </section>`}
      </aside>
    </div>`}`;
}

// ---------------------------------------------------------------------------------------------
// History: what happened, who, when — each entry typed by kind (HistoryEntry.event).

const eventRecord = (e) => (e.record ? `“${e.record.title}”${e.record.author ? ` by @${e.record.author.handle}` : ""}`
  : "a record no longer visible");
const eventMember = (e) => (e.member ? `${e.member.displayName} (@${e.member.handle})` : "a former member");
// Per kind: its label, and the sentence of its facts (none for the kinds that have none).
const EVENT_TEXT = {
  CompilationCreated: ["Created"],
  CompilationItemAdded: ["Item added", eventRecord],
  CompilationItemRemoved: ["Item removed", eventRecord],
  CompilationItemMoved: ["Item moved", (e) => `${e.recordId ? eventRecord(e) : "An item"}: from place ${e.fromPosition} to ${e.toPosition}`],
  CompilationItemReweighted: ["Item reweighted", (e) => `${eventRecord(e)}: weight ${e.fromWeight} → ${e.toWeight}`],
  CompilationItemNoteChanged: ["Item note changed", eventRecord],
  CompilationSettingsChanged: ["Settings changed", (e) => e.fields.join(", ")],
  CompilationSubmitted: ["Submitted for review"],
  CompilationReturned: ["Returned", (e) => `“${e.comment}”`],
  CompilationApproved: ["Approved", () => "Every item's record version pinned."],
  CompilationReopened: ["Sent back to review", (e) => e.reason],
  CompilationPublished: ["Published", (e) => `Version ${e.version} (${e.target})`],
  CompilationArchived: ["Archived"],
  CompilationEditorAdded: ["Editor added", eventMember],
  CompilationEditorRemoved: ["Editor removed", eventMember],
  CompilationReviewerAssigned: ["Reviewer assigned", eventMember],
  CompilationReviewCommented: ["Review comment", (e) => (e.record ? `On “${e.record.title}”` : "On the whole compilation")],
  CompilationPayoutProposed: ["Payout proposed", (e) => `Pool ${e.pool}`],
  CompilationPayoutFinalized: ["Payout finalized"],
};

function HistoryEvent({ entry }) {
  const event = entry.event;
  const [label, facts] = EVENT_TEXT[event.__typename]
    || [event.action || event.__typename, () => event.text || ""];
  const said = facts ? facts(event) : "";
  return html`<li data-kind=${event.__typename}>
    <strong>${label}</strong>
    ${entry.fromStatus !== entry.toStatus && entry.toStatus && html` <span class="muted">${STATUS_LABEL[entry.fromStatus] || "—"} → ${STATUS_LABEL[entry.toStatus]}</span>`}
    ${said && html`<div>${said}</div>`}
    <div class="when">${entry.actor ? `${entry.actor.displayName} (@${entry.actor.handle})` : "—"} · ${when(entry.at)}</div>
  </li>`;
}

function History({ id }) {
  const heading = useFocusHeading(`history-${id}`);
  const { data, error } = useQuery("StudioHistory", { id }, [id]);
  if (error) return html`<${Notice} notice=${{ kind: "error", text: error.message }} />`;
  if (!data) return html`<p class="muted">Loading…</p>`;
  const compilation = data.compilation;
  if (!compilation) return html`<${Notice} notice=${{ kind: "error", text: "No such compilation." }} />`;
  const entries = compilation.historyConnection.nodes;
  return html`
    <div class="page-head">
      <div>
        <p><a href=${`#/c/${encodeURIComponent(id)}`}>${compilation.title}</a> / history</p>
        <h1 tabindex="-1" ref=${heading}>History <${Badge} status=${compilation.status} /></h1>
        <p>${compilation.historyConnection.totalCount} entries, oldest first.</p>
      </div>
    </div>
    <section class="card">
      <ol class="timeline">
        ${entries.map((entry, n) => html`<${HistoryEvent} key=${n} entry=${entry} />`)}
      </ol>
    </section>`;
}

// ---------------------------------------------------------------------------------------------
// Preview before publishing: what the target plugin would publish now (Compilation.preview) —
// a book's pages with their credits, or a TV cut as a timeline strip. The team's only.

function clock(seconds) {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function CreditList({ credits }) {
  if (!credits.length) return null;
  return html`<section class="card preview-credits" aria-labelledby="page-credits-heading">
    <h2 id="page-credits-heading">Credits of this piece</h2>
    <ul class="credit-list">${credits.map((c) => html`<li key=${c.handle}>
      <strong>${c.displayName}</strong> <span class="muted">@${c.handle}</span>
      <span class="sub">${c.depth === 0 ? `author of “${c.recordTitle}”`
        : `source “${c.recordTitle}”, ${c.depth} step${c.depth === 1 ? "" : "s"} up the lineage`}</span>
    </li>`)}</ul>
  </section>`;
}

// The book as its reader would page through it: a contents list and one page at a time. The
// page's HTML is the hub's sanitized markup (text only; no script could run under the
// studio's policy either), its headings one level down: the screen's own h1 stays the one.
const demoted = (markup) => markup.replace(/<(\/?)h([1-5])(?=[\s>])/g,
  (_, slash, level) => `<${slash}h${Number(level) + 1}`);

function BookReader({ chapters }) {
  const [page, setPage] = useState(0);
  const reader = useRef(null);
  const chapter = chapters[Math.min(page, chapters.length - 1)];
  const open = (n) => {
    setPage(n);
    if (reader.current) reader.current.focus();
  };
  const onKeyDown = (event) => {
    if (event.key === "ArrowRight" && page < chapters.length - 1) { event.preventDefault(); open(page + 1); }
    if (event.key === "ArrowLeft" && page > 0) { event.preventDefault(); open(page - 1); }
  };
  return html`<div class="reader-layout">
    <nav class="card toc" aria-label="Pages of the book">
      <h2>Pages</h2>
      <ol>${chapters.map((c, n) => html`<li key=${n}>
        <button class="toc-entry" aria-current=${n === page ? "page" : null} onClick=${() => open(n)}>
          <span class="toc-n">${n + 1}</span> ${c.title}</button></li>`)}</ol>
    </nav>
    <div class="stack">
      <article class="card reader" tabindex="0" ref=${reader} onKeyDown=${onKeyDown}
          aria-label=${`Page ${page + 1} of ${chapters.length}: ${chapter.title}`}
          aria-describedby="reader-help">
        <div class="page" dangerouslySetInnerHTML=${{ __html: demoted(chapter.html) }}></div>
      </article>
      <div class="row pager">
        <button class="btn" disabled=${page === 0} onClick=${() => open(page - 1)}>← Previous page</button>
        <span class="muted" id="reader-help">Page ${page + 1} of ${chapters.length} · ← and → turn pages</span>
        <button class="btn" disabled=${page === chapters.length - 1} onClick=${() => open(page + 1)}>Next page →</button>
      </div>
      <${CreditList} credits=${chapter.credits} />
    </div>
  </div>`;
}

// The cut as a strip: one lane per track, each clip as wide as it runs; markers and the target
// runtime on the same scale. Every clip is focusable and labelled; the table below says the
// same for anyone not looking at the strip.
function TimelineStrip({ timeline }) {
  const tracks = [...new Set(timeline.clips.map((c) => c.track))];
  const ends = timeline.clips.map((c) => c.startSeconds + c.durationSeconds);
  const span = Math.max(timeline.totalSeconds, ...ends,
    timeline.targetSeconds ? timeline.targetSeconds + (timeline.toleranceSeconds || 0) : 0, 1);
  const pct = (seconds) => `${(100 * seconds) / span}%`;
  const ticks = [];
  // About ten ticks, on round times.
  const step = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].find((t) => span / t <= 10) || 7200;
  for (let t = 0; t <= span; t += step) ticks.push(t);
  const target = timeline.targetSeconds;
  const off = target ? timeline.totalSeconds - target : 0;
  return html`<div class="stack">
    <section class="card" aria-labelledby="strip-heading">
      <div class="strip-head">
        <h2 id="strip-heading">Timeline</h2>
        <p class="muted">Runs ${clock(timeline.totalSeconds)}${target ? html` · target ${clock(target)} ± ${timeline.toleranceSeconds} s ·${" "}
          <span class=${Math.abs(off) <= (timeline.toleranceSeconds || 0) ? "ok" : "off"}>${off === 0 ? "on target"
            : `${clock(Math.abs(off))} ${off > 0 ? "over" : "under"}`}</span>` : " · no target runtime"}</p>
      </div>
      <div class="strip" role="group" aria-label=${`Timeline, ${clock(timeline.totalSeconds)} long`}>
        <div class="ruler" aria-hidden="true">${ticks.map((t) => html`<span key=${t} style=${{ left: pct(t) }}>${clock(t)}</span>`)}</div>
        ${timeline.markers.length > 0 && html`<ol class="lane markers" aria-label="Markers">
          ${timeline.markers.map((m, n) => html`<li key=${n} class="marker" style=${{ left: pct(m.atSeconds) }}
              tabindex="0" aria-label=${`Marker “${m.title}” at ${clock(m.atSeconds)}`}>
            <span class="flag">${m.title}</span></li>`)}
        </ol>`}
        ${tracks.map((track) => html`<div class="lane-row" key=${track}>
          <span class="lane-label">${track}</span>
          <ol class=${`lane track-${track.toLowerCase()}`} aria-label=${`${track} track`}>
            ${timeline.clips.filter((c) => c.track === track).map((c, n) => html`<li key=${n}
                class="clip" tabindex="0" style=${{ left: pct(c.startSeconds), width: pct(c.durationSeconds) }}
                aria-label=${`“${c.title}”, from ${clock(c.startSeconds)}, runs ${clock(c.durationSeconds)}`}
                title=${c.title}>
              <span class="clip-title">${c.title}</span><span class="clip-time">${clock(c.durationSeconds)}</span>
            </li>`)}
          </ol>
        </div>`)}
        ${target && html`<div class="target-line" style=${{ left: pct(target) }} aria-hidden="true"><span>target</span></div>`}
      </div>
    </section>
    <section class="card" aria-labelledby="clips-heading">
      <h2 id="clips-heading">Clips</h2>
      <table class="split">
        <caption>Every clip with its place in the cut and the media an editing program loads</caption>
        <thead><tr><th scope="col">Track</th><th scope="col">Title</th><th scope="col" class="num">Starts</th>
          <th scope="col" class="num">Runs</th><th scope="col">Media</th></tr></thead>
        <tbody>${timeline.clips.map((c, n) => html`<tr key=${n}>
          <td>${c.track}</td><th scope="row">${c.title}</th>
          <td class="num">${clock(c.startSeconds)}</td><td class="num">${clock(c.durationSeconds)}</td>
          <td>${c.mediaUrl ? html`<a href=${c.mediaUrl} aria-label=${`Media of “${c.title}”`}>download</a>`
            : html`<span class="muted">no file</span>`}</td>
        </tr>`)}</tbody>
      </table>
    </section>
  </div>`;
}

function Preview({ id }) {
  const heading = useFocusHeading(`preview-${id}`);
  const { data, error } = useQuery("StudioPreview", { id }, [id]);
  if (error) return html`<${Notice} notice=${{ kind: "error", text: error.message }} />`;
  if (!data) return html`<p class="muted">Rendering the preview…</p>`;
  const compilation = data.compilation;
  if (!compilation) return html`<${Notice} notice=${{ kind: "error", text: "No such compilation, or it is not yours to see." }} />`;
  const preview = compilation.preview;
  return html`
    <div class="page-head">
      <div>
        <p><a href=${`#/c/${encodeURIComponent(id)}`}>${compilation.title}</a> / preview</p>
        <h1 tabindex="-1" ref=${heading}>Preview <${Badge} status=${compilation.status} /></h1>
        <p>What publishing it now would produce (target: ${compilation.target}), pages and clips as its readers and editors will get them.</p>
      </div>
    </div>
    ${!preview ? html`<p class="empty card">No preview: only the compilation's editors see one, and its target may offer none.</p>`
      : preview.__typename === "BookPreview" ? html`<${BookReader} key=${id} chapters=${preview.chapters} />`
      : html`<${TimelineStrip} timeline=${preview} />`}`;
}

// Payouts: the proposal as CSV, saved by the page (a Blob): the token stays in the request's
// Authorization header, never in a link another page could follow.
function CsvExport({ proposal, title }) {
  const [notice, setNotice] = useState(null);
  const save = async () => {
    try {
      const data = await gql("StudioPayoutCsv", { id: proposal.id });
      const blob = new Blob([data.node.csv], { type: "text/csv;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "payout";
      link.download = `payout-${slug}-${data.node.createdAt.slice(0, 10)}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      setNotice(null);
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  return html`<div class="stack">
    <button class="btn" onClick=${save}>Export CSV</button>
    <${Notice} notice=${notice} onClose=${() => setNotice(null)} />
  </div>`;
}

// ---------------------------------------------------------------------------------------------
// The shell: top bar, routes, the live region

function TopBar({ viewer, route, onSignOut }) {
  const current = (prefix) => (route === prefix || (prefix !== "/" && route.startsWith(prefix)) ? "page" : null);
  return html`<header class="topbar">
    <a class="brand" href="#/"><img src="icon.svg" alt="" /> recordhub <small>studio</small></a>
    <nav aria-label="Studio">
      <a href="#/" aria-current=${current("/")}>Dashboard</a>
      <a href="#/find" aria-current=${current("/find")}>Find records</a>
    </nav>
    <div class="who">
      <span>@${viewer.handle} · ${viewer.role.toLowerCase()}</span>
      <button class="btn small" onClick=${onSignOut}>Sign out</button>
    </div>
  </header>`;
}

function App() {
  const route = useRoute();
  const [viewer, setViewer] = useState(undefined);
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (!sessionStorage.getItem(TOKEN_KEY)) { setViewer(null); return; }
    gql("StudioDashboard", { first: 0 })
      .then((data) => setViewer(data.viewer))
      .catch(() => setViewer(null));
  }, []);
  useEffect(() => {
    const ended = () => setViewer(null);
    window.addEventListener("studio:signed-out", ended);
    return () => window.removeEventListener("studio:signed-out", ended);
  }, []);
  const signOut = async () => {
    try { await gql("StudioSignOut"); } catch (e) { /* the session may have ended already */ }
    sessionStorage.removeItem(TOKEN_KEY);
    setViewer(null);
    go("/");
  };
  if (viewer === undefined) return html`<p class="boot">Loading the studio…</p>`;
  if (!viewer) return html`<${SignIn} onSignedIn=${setViewer} />`;
  const [path, search] = route.split("?");
  const params = new URLSearchParams(search || "");
  let screen;
  let match;
  if ((match = path.match(/^\/c\/([^/]+)\/preview$/))) {
    screen = html`<${Preview} id=${decodeURIComponent(match[1])} />`;
  } else if ((match = path.match(/^\/c\/([^/]+)\/payouts$/))) {
    screen = html`<${Payouts} id=${decodeURIComponent(match[1])} viewer=${viewer} />`;
  } else if ((match = path.match(/^\/c\/([^/]+)\/history$/))) {
    screen = html`<${History} id=${decodeURIComponent(match[1])} />`;
  } else if ((match = path.match(/^\/c\/([^/]+)$/))) {
    screen = html`<${Builder} id=${decodeURIComponent(match[1])} announce=${setMessage} />`;
  } else if (path === "/find") {
    screen = html`<${Finder} into=${params.get("into")} />`;
  } else {
    screen = html`<${Dashboard} viewer=${viewer} />`;
  }
  return html`
    <${TopBar} viewer=${viewer} route=${path} onSignOut=${signOut} />
    <main>${screen}</main>
    <div class="visually-hidden" aria-live="assertive" id="announcer">${message}</div>`;
}

loadOperations().then(() => render(html`<${App} />`, document.getElementById("app")));
