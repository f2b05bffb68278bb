import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/**
 * Starts the Microsoft 365 Agents Playground (offline) pointed at a bot
 * endpoint, from the repo root so it reads .m365agentsplayground.yml.
 */
export async function startPlayground(port: number, botEndpoint: string): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [resolve(root, 'node_modules/@microsoft/m365agentsplayground/cli.js'), '-p', String(port), '-e', botEndpoint, '-c', 'msteams', '--disable-telemetry'],
    // Statsbeat off: otherwise its Application Insights client probes the Azure metadata address at start.
    { cwd: root, env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`Playground did not start: ${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes(`Listening on ${port}`)) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`Playground exited ${code}: ${output}`)));
  });
  return { url: `http://localhost:${port}`, stop: () => child.kill('SIGTERM') };
}
