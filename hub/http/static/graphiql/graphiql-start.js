// Starts GraphiQL against the /graphql endpoint that served this page (queries over HTTP,
// subscriptions over its WebSocket). Every request carries the CSRF preflight header, so the
// explorer's GET and multipart requests pass the hub's CSRF rule like its JSON POSTs do; the
// headers editor adds yours (e.g. Authorization: Bearer <token>).
(function () {
  "use strict";

  var PREFLIGHT = { "GraphQL-Require-Preflight": "1" };
  var url = new URL(window.location.href);
  url.search = "";
  url.hash = "";
  var socket = new URL(url.toString());
  socket.protocol = url.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({
    url: url.toString(),
    subscriptionUrl: socket.toString(),
    headers: PREFLIGHT,
  });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
    })
  );
})();
