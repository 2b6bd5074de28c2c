// Starts the standalone harness's dev server (webpack.harness.ts) for `npm start`, and resolves
// with the URL to open once it serves. The dev server mirrors the console's proxy paths to the
// BFF at `bffUrl`, sending `token` as the user's bearer token.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

const answers = (url) =>
  new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });

/**
 * @param {{ bffUrl: string, token?: string, port?: number }} options
 * @returns {{ child: import('node:child_process').ChildProcess, ready: Promise<string> }}
 */
export function startHarness({ bffUrl, token = 'demo-admin-token', port = 9000 }) {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/webpack-cli/bin/cli.js'),
      'serve',
      '--config',
      'webpack.harness.ts',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        HARNESS_BFF_URL: bffUrl,
        HARNESS_TOKEN: token,
        HARNESS_PORT: String(port),
        HARNESS_HOST: '127.0.0.1',
      },
      // webpack's progress is noise here; its errors still show.
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const ready = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the harness dev server exited (${code})`)));
    const poll = async () => {
      if (await answers(`${base}/`)) resolve(`${base}/hub-migration`);
      else setTimeout(poll, 1000);
    };
    void poll();
  });
  return { child, ready };
}
