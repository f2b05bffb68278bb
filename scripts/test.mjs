#!/usr/bin/env node
// The whole test suite: installs what it needs, then typecheck, layering rules, and every test.
import { execSync } from 'node:child_process';
import { buildTab, ensureChromium, ensureDependencies } from './lib/ensure.mjs';

ensureDependencies();
process.env.CHROMIUM_PATH = ensureChromium();
const run = (cmd) => {
  console.log(`> ${cmd}`);
  execSync(cmd, { stdio: 'inherit' });
};
run('npx tsc --noEmit -p tsconfig.json');
run('npx depcruise --config .dependency-cruiser.cjs src bot tab/src');
buildTab();
// The production bundle: the startup tests run it as App Service would.
run('npm run build:server');
run(`npx vitest run ${process.argv.slice(2).join(' ')}`.trim());
