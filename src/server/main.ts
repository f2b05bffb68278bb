import { ConfigError, loadConfig, redactedSummary } from './config';
import { createApp } from './app';

/** Entry point: parse config once, build the app, serve. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const app = createApp(config);
  const port = await app.listen();
  console.log(`[countersign] ${redactedSummary(config)}`);
  console.log(`[countersign] listening on http://localhost:${port} (bot: POST /api/messages, health: GET /healthz)`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
