// backend/openapi.yaml documents exactly the routes the app registers, with their path
// parameters, and every operation documents its errors. (api.test.ts checks every answer of a
// full run against the document's schemas.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { ApiDeps } from './app.js';
import { apiRoutes } from './app.js';
import { openApiPath } from './routes.js';

interface Operation {
  responses?: Record<string, unknown>;
  parameters?: unknown[];
}
type PathItem = Record<string, Operation | unknown[]>;

const doc = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, PathItem>;
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

// The table is built without running anything: handlers only touch their dependencies when called.
const routes = apiRoutes({} as ApiDeps);

test('every route is documented and every documented operation is a route', () => {
  const served = routes.map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`).sort();
  const documented = Object.entries(doc.paths)
    .flatMap(([p, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${p}`),
    )
    .sort();
  assert.deepEqual(documented, served);
  assert.equal(new Set(served).size, served.length, 'no route registered twice');
});

test('path parameters are declared and every operation documents 401 and a success', () => {
  for (const [p, item] of Object.entries(doc.paths)) {
    const params = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const text = JSON.stringify(item);
    for (const name of params)
      assert.ok(
        text.includes(`"name":"${name}"`) || text.includes(`#/components/parameters/${name}"`),
        `${p} declares {${name}}`,
      );
    for (const m of METHODS) {
      const op = item[m] as Operation | undefined;
      if (!op) continue;
      const codes = Object.keys(op.responses ?? {});
      assert.ok(codes.includes('401'), `${m} ${p} documents 401`);
      assert.ok(
        codes.some((c) => c.startsWith('2')),
        `${m} ${p} documents its success`,
      );
    }
  }
});
