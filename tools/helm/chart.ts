// Renders a Helm chart as `helm template` does, with the renderer of template.ts: values.yaml
// coalesced with the caller's values (maps merge, lists replace, null deletes), the result
// checked against values.schema.json, every file under templates/ parsed together (files whose
// name starts with "_" only define templates), and each output split into YAML documents.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import YAML from 'yaml';
import { GoStruct, TemplateSet } from './template.js';

export type Values = Record<string, unknown>;

export interface Chart {
  dir: string;
  metadata: Values;
  values: Values;
  schema?: Values;
  templates: TemplateSet;
  /** Template files that produce manifests (not partials, not NOTES.txt), sorted. */
  manifestFiles: string[];
  hasNotes: boolean;
}

export interface Manifest {
  /** The template file it came from, e.g. `templates/deployment.yaml`. */
  source: string;
  object: Values;
}

export interface RenderOptions {
  values?: Values;
  releaseName?: string;
  namespace?: string;
  isUpgrade?: boolean;
}

export interface Rendered {
  values: Values;
  files: Map<string, string>;
  manifests: Manifest[];
  notes?: string;
}

export class ValuesError extends Error {
  constructor(readonly errors: string[]) {
    super(`values don't meet the specifications of the schema(s):\n- ${errors.join('\n- ')}`);
  }
}

function isMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Helm's coalescing of user values over chart defaults. */
export function coalesce(defaults: Values, overrides: Values): Values {
  const out: Values = structuredClone(defaults);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = coalesce(out[k], v);
    else out[k] = structuredClone(v);
  }
  return out;
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

/** Chart.yaml keys as the fields of Helm's chart.Metadata. */
const CHART_FIELDS: Record<string, string> = {
  apiVersion: 'APIVersion',
  name: 'Name',
  version: 'Version',
  appVersion: 'AppVersion',
  description: 'Description',
  type: 'Type',
  kubeVersion: 'KubeVersion',
  keywords: 'Keywords',
  home: 'Home',
  sources: 'Sources',
  icon: 'Icon',
  annotations: 'Annotations',
  maintainers: 'Maintainers',
  deprecated: 'Deprecated',
};

export function loadChart(dir: string): Chart {
  const metadata = YAML.parse(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'), {
    version: '1.1',
  }) as Values;
  for (const k of Object.keys(metadata))
    if (!(k in CHART_FIELDS)) throw new Error(`Chart.yaml: unknown field ${k}`);
  if (metadata.apiVersion !== 'v2') throw new Error('Chart.yaml: apiVersion must be v2');
  if ('dependencies' in metadata) throw new Error('chart dependencies are outside this renderer');
  const values = (YAML.parse(readFileSync(path.join(dir, 'values.yaml'), 'utf8'), {
    version: '1.1',
  }) ?? {}) as Values;
  let schema: Values | undefined;
  try {
    schema = JSON.parse(readFileSync(path.join(dir, 'values.schema.json'), 'utf8')) as Values;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const templates = new TemplateSet();
  const manifestFiles: string[] = [];
  let hasNotes = false;
  for (const rel of listFiles(path.join(dir, 'templates'))) {
    const file = `templates/${rel}`;
    const base = path.posix.basename(rel);
    if (!/\.(ya?ml|tpl|txt)$/.test(base))
      throw new Error(`${file}: only .yaml, .tpl and NOTES.txt are expected in templates/`);
    templates.add(file, readFileSync(path.join(dir, 'templates', rel), 'utf8'));
    if (base === 'NOTES.txt') hasNotes = true;
    else if (!base.startsWith('_') && !base.endsWith('.txt')) manifestFiles.push(file);
  }
  return { dir, metadata, values, schema, templates, manifestFiles, hasNotes };
}

/** Checks values against the chart's JSON schema as `helm install` does before rendering. */
export function validateValues(chart: Chart, values: Values): void {
  if (!chart.schema) return;
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(chart.schema);
  if (!validate(values)) {
    const describe = (e: ErrorObject) =>
      `${e.instancePath || '(root)'}: ${e.message ?? e.keyword}${
        e.keyword === 'additionalProperties'
          ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})`
          : e.keyword === 'enum'
            ? ` (${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)})`
            : ''
      }`;
    throw new ValuesError((validate.errors ?? []).map(describe));
  }
}

/** Splits rendered output into YAML documents as Helm does, dropping empty ones. */
export function splitManifests(source: string, text: string): Manifest[] {
  const out: Manifest[] = [];
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (!doc.trim()) continue;
    let parsed: unknown;
    try {
      parsed = YAML.parse(doc, { version: '1.1', uniqueKeys: true, prettyErrors: true });
    } catch (e) {
      throw new Error(
        `${source}: rendered YAML does not parse: ${e instanceof Error ? e.message : String(e)}\n${doc}`,
      );
    }
    if (parsed === null || parsed === undefined) continue;
    if (!isMap(parsed)) throw new Error(`${source}: a rendered document is not an object:\n${doc}`);
    out.push({ source, object: parsed });
  }
  return out;
}

export function renderChart(chart: Chart, opts: RenderOptions = {}): Rendered {
  const values = coalesce(chart.values, opts.values ?? {});
  validateValues(chart, values);
  const chartStruct = new GoStruct(
    '*chart.Metadata',
    Object.fromEntries(
      Object.entries(CHART_FIELDS).map(([k, field]) => [field, chart.metadata[k] ?? '']),
    ),
  );
  const release = new GoStruct('chartutil.ReleaseOptions', {
    Name: opts.releaseName ?? 'hub-migration',
    Namespace: opts.namespace ?? 'hub-migration',
    Service: 'Helm',
    IsInstall: !opts.isUpgrade,
    IsUpgrade: !!opts.isUpgrade,
    Revision: opts.isUpgrade ? 2n : 1n,
  });
  const name = String(chart.metadata.name);
  const top = (file: string) =>
    new GoStruct('chartutil.Values', {
      Values: values,
      Release: release,
      Chart: chartStruct,
      Template: new GoStruct('chartutil.Template', {
        Name: `${name}/${file}`,
        BasePath: `${name}/templates`,
      }),
    });
  const files = new Map<string, string>();
  const manifests: Manifest[] = [];
  for (const file of chart.manifestFiles) {
    const text = chart.templates.render(file, top(file));
    files.set(file, text);
    manifests.push(...splitManifests(file, text));
  }
  const notes = chart.hasNotes
    ? chart.templates.render('templates/NOTES.txt', top('templates/NOTES.txt'))
    : undefined;
  return { values, files, manifests, notes };
}
