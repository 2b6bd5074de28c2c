// The built plugin's assets under /plugin/: correct content types, the manifest and entry never
// cached (the console must see a new version at once), content-hashed chunks cached for a year,
// and no path outside the assets folder reachable (any such attempt is a plain 404).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler } from 'express';

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name with a content hash (e.g. `exposed-Page-chunk-3f2a9c1d.min.js`) never changes. */
const HASHED = /[.-][0-9a-f]{8,}(\.min)?\.[a-z0-9]+$/i;

export function pluginAssets(root: string): RequestHandler {
  const base = path.resolve(root);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const notFound = () => {
      res.status(404).type('text/plain').send('Not found\n');
    };
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      notFound();
      return;
    }
    if (rel.includes('\0') || rel.includes('\\')) {
      notFound();
      return;
    }
    const file = path.resolve(base, `.${path.posix.normalize(`/${rel}`)}`);
    if (file !== base && !file.startsWith(base + path.sep)) {
      notFound();
      return;
    }
    void stat(file).then(
      (st) => {
        if (!st.isFile()) {
          notFound();
          return;
        }
        const ext = path.extname(file).toLowerCase();
        res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(st.size));
        res.setHeader(
          'Cache-Control',
          HASHED.test(path.basename(file)) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
        res.setHeader('Last-Modified', st.mtime.toUTCString());
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        createReadStream(file)
          .on('error', () => res.destroy())
          .pipe(res);
      },
      () => notFound(),
    );
  };
}
