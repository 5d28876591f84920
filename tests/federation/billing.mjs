// "billing": a federation v2 subgraph that no hub code serves. It extends the
// hub's Member and Record entities so tests can prove the hub composes with,
// and resolves entity references for, a foreign subgraph.
//
//   node billing.mjs [--port N] [--data FILE]   -> prints "READY http://127.0.0.1:N/"
//   node billing.mjs --print-sdl                -> prints the subgraph SDL, exits 0
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { serve, portFrom, fail } from './serve.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    'print-sdl': { type: 'boolean', default: false },
  },
});

const typeDefs = parse(/* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Member @key(fields: "id") {
    id: ID!
    invoices: [Invoice!]!
  }

  type Invoice {
    id: ID!
    amountCents: Int!
    currency: String!
    member: Member!
  }

  type Record @key(fields: "id") {
    id: ID!
    sales: [Sale!]!
  }

  type Sale {
    id: ID!
    quantity: Int!
    amountCents: Int!
    record: Record!
  }

  type Query {
    invoices: [Invoice!]!
  }
`);

// The fixture is re-read for every request (it is tiny), so a test may
// rewrite it between queries without restarting the process. Hub IDs are
// opaque strings and are only ever compared for equality.
const dataFile = args.data ?? process.env.BILLING_DATA;
function loadData() {
  if (!dataFile) return { invoices: [], sales: [] };
  const raw = JSON.parse(readFileSync(dataFile, 'utf8'));
  return { invoices: raw.invoices ?? [], sales: raw.sales ?? [] };
}

const resolvers = {
  Query: {
    invoices: (_root, _args, { data }) => data.invoices,
  },
  Member: {
    // Billing knows nothing about members but their id; the gateway asks the
    // hub for everything else.
    __resolveReference: ({ id }) => ({ id }),
    invoices: ({ id }, _args, { data }) => data.invoices.filter((i) => i.memberId === id),
  },
  Record: {
    __resolveReference: ({ id }) => ({ id }),
    sales: ({ id }, _args, { data }) => data.sales.filter((s) => s.recordId === id),
  },
  // Returning a bare reference makes the gateway fetch the entity from the hub.
  Invoice: {
    member: (invoice) => ({ __typename: 'Member', id: invoice.memberId }),
  },
  Sale: {
    record: (sale) => ({ __typename: 'Record', id: sale.recordId }),
  },
};

const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);

if (args['print-sdl']) {
  process.stdout.write(printSubgraphSchema(schema) + '\n');
  process.exit(0);
}

// Fail at start-up rather than on the first query if the fixture is broken.
try {
  loadData();
} catch (err) {
  fail(`billing: cannot read --data ${dataFile}: ${err.message}`);
}

await serve({ schema }, {
  port: portFrom(args.port),
  context: async () => ({ data: loadData() }),
});
