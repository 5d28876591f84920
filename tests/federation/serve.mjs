// Shared plumbing for billing.mjs and gateway.mjs: both are Apollo Servers
// that pytest starts as subprocesses and synchronises with by reading one
// "READY <url>" line from stdout.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';

// stdout carries the READY protocol and nothing else, so every log line
// (Apollo's default logger writes info to stdout) goes to stderr.
const say = (level) => (...args) => console.error(`[${level}]`, ...args);
export const stderrLogger = {
  debug: () => {},
  info: say('info'),
  warn: say('warn'),
  error: say('error'),
};

// `--port N` wins over $PORT; 0 (the default) lets the OS choose a free port,
// which avoids port races between parallel test runs. The chosen port is
// reported on the READY line.
export function portFrom(value) {
  const port = Number(value ?? process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad port: ${value}`);
  return port;
}

export function fail(message) {
  console.error(message);
  process.exit(1);
}

// Any start-up failure (port taken, supergraph the query planner rejects...)
// becomes one stderr message and exit 1, so the caller waiting for READY sees
// EOF instead of hanging.
export async function serve(config, { port, context }) {
  try {
    return await start(config, port, context);
  } catch (err) {
    fail(`${process.argv[1]}: failed to start: ${err.stack ?? err}`);
  }
}

async function start(config, port, context) {
  const server = new ApolloServer({
    ...config,
    logger: stderrLogger,
    // Plain JSON POSTs from tests (curl/httpx) must work without the
    // apollo-require-preflight header; loopback only, so no CSRF exposure.
    csrfPrevention: false,
    // Stop cleanly on SIGTERM/SIGINT even if pytest runs us with NODE_ENV=test
    // (Apollo turns signal handling off by default in that case).
    stopOnTerminationSignals: true,
    plugins: [ApolloServerPluginLandingPageDisabled(), ...(config.plugins ?? [])],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port },
    context,
  });
  const actualPort = new URL(url).port;
  process.stdout.write(`READY http://127.0.0.1:${actualPort}/\n`);
  return server;
}
