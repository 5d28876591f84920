// An Apollo Gateway over a supergraph produced by compose.mjs, so tests can
// run real cross-subgraph queries (hub + billing) through a query planner.
//
//   node gateway.mjs --supergraph FILE [--port N]  -> prints "READY http://127.0.0.1:N/"
//
// Subgraph URLs come from the supergraph SDL (join__graph(url: ...)), i.e. from
// the "url" given to compose.mjs.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { serve, portFrom, fail, stderrLogger } from './serve.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    supergraph: { type: 'string' },
  },
});
if (!args.supergraph) fail('gateway.mjs: --supergraph FILE is required');

let supergraphSdl;
try {
  supergraphSdl = readFileSync(args.supergraph, 'utf8');
} catch (err) {
  fail(`gateway.mjs: cannot read --supergraph ${args.supergraph}: ${err.message}`);
}

// The hub authenticates each request by "Authorization: Bearer <token>", and
// the gateway does not pass client headers on by itself.
class ForwardAuth extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.authorization) {
      request.http.headers.set('authorization', context.authorization);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl,
  logger: stderrLogger,
  buildService: ({ url }) => new ForwardAuth({ url }),
});

await serve({ gateway }, {
  port: portFrom(args.port),
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
