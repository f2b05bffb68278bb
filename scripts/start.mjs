#!/usr/bin/env node
// Starts Countersign in its embedded mode: no tenant, no configuration.
// Installs what it needs, builds the tab, then runs the app server and the
// Microsoft 365 Agents Playground (a local Teams-like chat) pointed at the bot.
import { spawn } from 'node:child_process';
import { buildTab, ensureDependencies } from './lib/ensure.mjs';

// npm start runs the embedded mode only: auth off, the demo school, `as <name>`. Asked for any
// other mode, it stops here (before installing anything) rather than quietly running the demo.
const requested = process.env.COUNTERSIGN_MODE;
if (requested && requested !== 'embedded') {
  console.error(
    `npm start runs only the embedded mode, but COUNTERSIGN_MODE is ${JSON.stringify(requested.slice(0, 40))}: unset it for the demo, or run the app with npm run serve.`,
  );
  process.exit(1);
}

ensureDependencies();
buildTab();

const PORT = process.env.PORT || '3978';
const PLAYGROUND_PORT = process.env.PLAYGROUND_PORT || '56150';
const children = [];
const start = (name, cmd, args, env = {}) => {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const prefix = (line) => `[${name}] ${line}`;
  child.stdout.on('data', (d) => process.stdout.write(d.toString().split('\n').filter(Boolean).map(prefix).join('\n') + '\n'));
  child.stderr.on('data', (d) => process.stderr.write(d.toString().split('\n').filter(Boolean).map(prefix).join('\n') + '\n'));
  child.on('exit', (code) => {
    console.log(prefix(`exited with code ${code}`));
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
};
let stopping = false;
function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill('SIGTERM');
  // The app finishes or hands back its jobs before it exits (at most 10 s): wait for it rather than leave it behind.
  const timer = setTimeout(() => process.exit(code), 11_000);
  void Promise.all(running.map((c) => new Promise((ok) => (c.exitCode !== null || c.signalCode !== null ? ok() : c.once('exit', ok))))).then(() => {
    clearTimeout(timer);
    process.exit(code);
  });
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

start('app', process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { COUNTERSIGN_MODE: 'embedded', PORT });

// The Playground runs offline; it needs the bot's auth off, which embedded mode does.
start('playground', 'npx', ['agentsplayground', '-p', PLAYGROUND_PORT, '-e', `http://localhost:${PORT}/api/messages`, '-c', 'msteams', '--disable-telemetry'], {
  TEAMSAPPTESTER_BROWSER: 'none',
  // Statsbeat off: otherwise the Playground's telemetry client probes the Azure metadata address at start.
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
});

setTimeout(() => {
  console.log(`
────────────────────────────────────────────────────────────────────
 Countersign is running in embedded mode (demo school: Larkfield Primary).

   Chat:   http://localhost:${PLAYGROUND_PORT}     (Microsoft 365 Agents Playground)
   Tab:    http://localhost:${PORT}/tab/
   Health: http://localhost:${PORT}/healthz

 You start as Ben Carter, a Year 4 teacher. In the chat:
   request        fill in the form and submit it
   as Gareth      act as Gareth Lloyd, the Computing/ICT subject leader
   status         open the request and approve it (type your name to sign)
   as Priya       act as Priya Raman, the head teacher, and approve it too
   as Ben         back to the requester: status shows it approved
 Data lives in data/countersign.db (delete it to start afresh). Ctrl+C stops.
────────────────────────────────────────────────────────────────────`);
}, 4000);
