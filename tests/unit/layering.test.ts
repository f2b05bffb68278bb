import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = resolve(__dirname, '../..');
const depcruise = (cwd: string) =>
  spawnSync(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', 'src', 'bot'], {
    cwd,
    encoding: 'utf8',
  });

const scratch = mkdtempSync(join(tmpdir(), 'countersign-layering-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('the real tree keeps the layering rules', () => {
  const res = depcruise(root);
  expect(res.stdout + res.stderr).toMatch(/no dependency violations found/);
  expect(res.status).toBe(0);
});

test('the rules bite: a core module that imports SQLite or an adapter fails', () => {
  cpSync(join(root, '.dependency-cruiser.cjs'), join(scratch, '.dependency-cruiser.cjs'));
  cpSync(join(root, 'tsconfig.json'), join(scratch, 'tsconfig.json'));
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  for (const d of ['src/domain', 'src/services', 'src/adapters', 'bot']) mkdirSync(join(scratch, d), { recursive: true });
  writeFileSync(join(scratch, 'src/adapters/store.ts'), 'export const store = 1;\n');
  writeFileSync(join(scratch, 'src/domain/impure.ts'), "import Database from 'better-sqlite3';\nexport const d = Database;\n");
  writeFileSync(join(scratch, 'src/services/leaky.ts'), "import { store } from '../adapters/store';\nimport express from 'express';\nexport const s = [store, express];\n");
  writeFileSync(join(scratch, 'bot/ok.ts'), 'export const ok = 1;\n');
  const res = depcruise(scratch);
  const out = res.stdout + res.stderr;
  expect(res.status).not.toBe(0);
  expect(out).toMatch(/domain-is-pure: src\/domain\/impure\.ts/);
  expect(out).toMatch(/services-depend-on-ports: src\/services\/leaky\.ts → src\/adapters\/store\.ts/);
  expect(out).toMatch(/core-imports-no-io: src\/services\/leaky\.ts → \S*node_modules\/express/);
});
