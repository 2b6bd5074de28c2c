// Extracts the English catalogue (locales/en/plugin__hub-migration.json) from the code:
// every `t('literal', …)` call in frontend/src (plural keys `_one`/`_other` when the options
// have `count`) and every `%plugin__hub-migration~Text%` in console-extensions.json.
// Existing English values are kept (so `_one` forms can be worded by hand); new keys get the
// key as value. `--check` changes nothing and fails when the catalogue is out of sync or a
// `t()` call has a key that cannot be extracted.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '../..');
const NS = 'plugin__hub-migration';
const catalogue = path.join(root, 'locales/en', `${NS}.json`);
const check = process.argv.includes('--check');

type Found = { key: string; plural: boolean; where: string };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function extractFromSource(file: string, found: Found[], problems: string[]) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const where = (node: ts.Node) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    return `${path.relative(root, file)}:${line + 1}`;
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isT =
        (ts.isIdentifier(callee) && callee.text === 't') ||
        (ts.isPropertyAccessExpression(callee) && callee.name.text === 't');
      if (isT && node.arguments.length > 0) {
        const [first, options] = node.arguments;
        if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) {
          const plural =
            !!options &&
            ts.isObjectLiteralExpression(options) &&
            options.properties.some(
              (p) =>
                (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
                p.name.getText(source) === 'count',
            );
          found.push({ key: first.text, plural, where: where(node) });
        } else {
          problems.push(`${where(node)}: t() needs a literal key to be translatable`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function extractFromExtensions(found: Found[]) {
  const text = readFileSync(path.join(root, 'console-extensions.json'), 'utf8');
  for (const match of text.matchAll(new RegExp(`%${NS}~([^%]+)%`, 'g'))) {
    found.push({ key: match[1], plural: false, where: 'console-extensions.json' });
  }
}

const found: Found[] = [];
const problems: string[] = [];
for (const file of sourceFiles(path.join(root, 'frontend/src')))
  extractFromSource(file, found, problems);
extractFromExtensions(found);

let existing: Record<string, string> = {};
try {
  existing = JSON.parse(readFileSync(catalogue, 'utf8')) as Record<string, string>;
} catch {
  existing = {};
}

// A first English singular for new `_one` keys ("{{count}} clusters" → "{{count}} cluster");
// the catalogue can then be worded by hand, and extraction keeps what is there.
const SINGULAR: Record<string, string> = {
  clusters: 'cluster',
  batches: 'batch',
  names: 'name',
  migrations: 'migration',
  hubs: 'hub',
  warnings: 'warning',
  errors: 'error',
  duplicates: 'duplicate',
  steps: 'step',
};
const singular = (key: string) =>
  key.replace(
    /(\{\{count\}\} (?:failed |blocked |unknown |selected )?)(\w+)/,
    (all, head: string, word: string) => (SINGULAR[word] ? `${head}${SINGULAR[word]}` : all),
  );

const next: Record<string, string> = {};
for (const { key, plural } of found) {
  if (plural) {
    next[`${key}_one`] = existing[`${key}_one`] ?? singular(key);
    next[`${key}_other`] = existing[`${key}_other`] ?? key;
  } else next[key] = existing[key] ?? key;
}
const sorted = Object.fromEntries(
  Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);
const output = `${JSON.stringify(sorted, null, 2)}\n`;

if (check) {
  const current = (() => {
    try {
      return readFileSync(catalogue, 'utf8');
    } catch {
      return '';
    }
  })();
  const missing = Object.keys(sorted).filter((k) => !(k in existing));
  const stale = Object.keys(existing).filter((k) => !(k in sorted));
  for (const p of problems) console.error(p);
  for (const k of missing) console.error(`missing from ${path.relative(root, catalogue)}: ${k}`);
  for (const k of stale) console.error(`no longer used: ${k}`);
  if (problems.length || current !== output) {
    console.error('The English catalogue is out of sync with the code: run `npm run i18n`.');
    process.exit(1);
  }
  console.log(`i18n: ${Object.keys(sorted).length} strings, catalogue in sync.`);
} else {
  writeFileSync(catalogue, output);
  for (const p of problems) console.error(p);
  console.log(
    `i18n: wrote ${Object.keys(sorted).length} strings to ${path.relative(root, catalogue)}`,
  );
  if (problems.length) process.exit(1);
}
