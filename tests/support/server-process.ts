import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/**
 * The real server in a process of its own, started as `npm start` starts it (embedded mode, the given
 * data folder and connector), so a test can kill it with SIGKILL mid-work and start it again on the same
 * data. Resolves once it listens, with its port; rejects with its output if it exits first.
 */
export function startServerProcess(o: { dataDir: string; connectorUrl: string; rateScale: number }): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: '0', DATA_DIR: o.dataDir, CONNECTOR_SERVICE_URL: o.connectorUrl, CONNECTOR_RATE_SCALE: String(o.rateScale) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/localhost:(\d+)/);
      if (m) ok({ child, port: Number(m[1]) });
    });
    child.on('exit', (code, signal) => fail(new Error(`server exited ${code ?? signal}: ${out}`)));
  });
}
