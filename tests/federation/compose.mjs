// Composes subgraph SDLs into a supergraph, the way Rover/GraphOS would, so a
// test can assert the hub's SDL composes (and with which hints).
//
//   stdin:  {"subgraphs": [{"name": "hub", "url": "http://...", "sdl": "..."}, ...]}
//   stdout: {"errors": [string...], "hints": [{"code", "message"}...], "supergraphSdl": string|null}
//
// Always exits 0 once it has printed a result, composition errors included:
// the caller decides what they mean. Exits 2 only if stdin itself is unusable.
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';

function usage(message) {
  console.error(`compose.mjs: ${message}`);
  process.exit(2);
}

let input;
try {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
} catch (err) {
  usage(`stdin is not JSON: ${err.message}`);
}
if (!Array.isArray(input?.subgraphs)) usage('expected {"subgraphs": [...]}');

// An SDL that does not even parse is a composition failure of that subgraph,
// reported like any other error rather than as a crash.
const errors = [];
const services = [];
for (const { name, url, sdl } of input.subgraphs) {
  try {
    services.push({ name, url, typeDefs: parse(sdl) });
  } catch (err) {
    errors.push(`[${name}] SDL does not parse: ${err.message}`);
  }
}

let result = { errors: [], hints: [] };
if (errors.length === 0) {
  try {
    result = composeServices(services);
  } catch (err) {
    // composeServices reports most problems as errors, but some malformed
    // inputs still throw; keep the JSON contract either way.
    errors.push(`composition threw: ${err.stack ?? err}`);
  }
}

const out = {
  errors: [...errors, ...(result.errors ?? []).map((e) => e.message)],
  hints: (result.hints ?? []).map((h) => ({ code: h.definition.code, message: h.message })),
  supergraphSdl: result.supergraphSdl ?? null,
};
process.stdout.write(JSON.stringify(out) + '\n');
