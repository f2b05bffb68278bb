// Installs what the two commands need, so a fresh clone works with nothing done by hand.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd, opts = {}) => {
  console.log(`> ${cmd}`);
  execSync(cmd, { stdio: 'inherit', ...opts });
};

/** npm ci when node_modules is missing or older than the lockfile. */
export function ensureDependencies() {
  const marker = 'node_modules/.package-lock.json';
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  // better-sqlite3 compiles from source here (about a minute); its prebuilt binary can't be downloaded.
  run('npm ci --no-audit --no-fund');
}

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Debian's Chromium, for the browser tests. Playwright's own browser download does not work here. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const root = process.getuid?.() === 0;
  const sudo = root ? '' : spawnSync('which', ['sudo']).status === 0 ? 'sudo ' : null;
  if (sudo === null) throw new Error(`Chromium is missing at ${CHROMIUM} and this user cannot install it: run "apt-get install -y chromium" as root.`);
  run(`${sudo}apt-get update -qq`, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(`${sudo}apt-get install -y -qq chromium`, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return CHROMIUM;
}

export function buildTab() {
  run('npx vite build --config tab/vite.config.ts --logLevel warn');
}
