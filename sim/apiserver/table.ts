// The Table format (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`) that `kubectl get`
// prints: built-in kinds with the columns a real server gives them, custom resources with their
// CRD's additionalPrinterColumns.
import { compileJsonPath } from './jsonpath.js';
import type { PrinterColumn, ResourceType } from './resources.js';
import type { JsonObject, KubeObject } from './types.js';
import { isObject, text } from './types.js';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

interface BuiltinColumns {
  columns: ColumnDefinition[];
  cells: (o: KubeObject) => Cell[];
}

const col = (name: string, type = 'string', priority = 0, format = ''): ColumnDefinition => ({
  name,
  type,
  format,
  description: '',
  priority,
});
const nameCol = col('Name', 'string', 0, 'name');

/** Kubernetes' duration.HumanDuration, as kubectl shows ages. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8)
    return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / (24 * 365));
  if (h < 24 * 365 * 8) return `${y}y${Math.floor((h / 24) % 365)}d`;
  return `${y}y`;
}

const age = (o: KubeObject): string =>
  humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp ?? ''));
const count = (v: unknown): number =>
  isObject(v) ? Object.keys(v).length : Array.isArray(v) ? v.length : 0;
const str = text;

const BUILTIN: Record<string, BuiltinColumns> = {
  '/namespaces': {
    columns: [nameCol, col('Status'), col('Age')],
    cells: (o) => [o.metadata.name!, str((o.status as JsonObject | undefined)?.phase), age(o)],
  },
  '/secrets': {
    columns: [nameCol, col('Type'), col('Data', 'string'), col('Age')],
    cells: (o) => [o.metadata.name!, str(o.type), count(o.data), age(o)],
  },
  '/configmaps': {
    columns: [nameCol, col('Data', 'string'), col('Age')],
    cells: (o) => [o.metadata.name!, count(o.data) + count(o.binaryData), age(o)],
  },
  '/serviceaccounts': {
    columns: [nameCol, col('Secrets', 'string'), col('Age')],
    cells: (o) => [o.metadata.name!, count(o.secrets), age(o)],
  },
  '/events': {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
    cells: (o) => {
      const inv = isObject(o.involvedObject) ? o.involvedObject : {};
      const last = str(o.lastTimestamp) || str(o.eventTime) || str(o.metadata.creationTimestamp);
      return [
        humanDuration(Date.now() - Date.parse(last)),
        str(o.type),
        str(o.reason),
        `${str(inv.kind).toLowerCase()}/${str(inv.name)}`,
        str(o.message),
      ];
    },
  },
  'coordination.k8s.io/leases': {
    columns: [nameCol, col('Holder'), col('Age')],
    cells: (o) => [
      o.metadata.name!,
      str((o.spec as JsonObject | undefined)?.holderIdentity),
      age(o),
    ],
  },
  'rbac.authorization.k8s.io/roles': {
    columns: [nameCol, col('Created At')],
    cells: (o) => [o.metadata.name!, str(o.metadata.creationTimestamp)],
  },
  'rbac.authorization.k8s.io/clusterroles': {
    columns: [nameCol, col('Created At')],
    cells: (o) => [o.metadata.name!, str(o.metadata.creationTimestamp)],
  },
  'rbac.authorization.k8s.io/rolebindings': {
    columns: [nameCol, col('Role'), col('Age')],
    cells: (o) => [
      o.metadata.name!,
      `${str((o.roleRef as JsonObject).kind)}/${str((o.roleRef as JsonObject).name)}`,
      age(o),
    ],
  },
  'rbac.authorization.k8s.io/clusterrolebindings': {
    columns: [nameCol, col('Role'), col('Age')],
    cells: (o) => [
      o.metadata.name!,
      `${str((o.roleRef as JsonObject).kind)}/${str((o.roleRef as JsonObject).name)}`,
      age(o),
    ],
  },
  'apiextensions.k8s.io/customresourcedefinitions': {
    columns: [nameCol, col('Created At', 'date')],
    cells: (o) => [o.metadata.name!, str(o.metadata.creationTimestamp)],
  },
};

const DEFAULT_COLUMNS: BuiltinColumns = {
  columns: [nameCol, col('Age', 'date')],
  cells: (o) => [o.metadata.name!, age(o)],
};

function crdColumns(columns: PrinterColumn[]): BuiltinColumns {
  const paths = columns.map((c) => (c.jsonPath ? compileJsonPath(c.jsonPath) : () => []));
  return {
    columns: [
      { ...nameCol, description: 'Name must be unique within a namespace.' },
      ...columns.map((c) => col(c.name, c.type, c.priority ?? 0, c.format ?? '')),
    ],
    cells: (o) => [
      o.metadata.name!,
      ...columns.map((c, i): Cell => {
        const values = paths[i](o);
        if (values.length === 0) return null;
        if (c.type === 'date') {
          const t = Date.parse(str(values[0]));
          return Number.isNaN(t) ? '<invalid>' : humanDuration(Date.now() - t);
        }
        if (values.length === 1) {
          const v = values[0];
          if (typeof v === 'boolean' || typeof v === 'number') return v;
          return isObject(v) || Array.isArray(v) ? JSON.stringify(v) : str(v);
        }
        return values
          .map((v) => (isObject(v) || Array.isArray(v) ? JSON.stringify(v) : str(v)))
          .join(',');
      }),
    ],
  };
}

function columnsFor(rt: ResourceType): BuiltinColumns {
  if (!rt.builtin)
    return rt.printerColumns?.length ? crdColumns(rt.printerColumns) : DEFAULT_COLUMNS;
  return BUILTIN[`${rt.group === 'events.k8s.io' ? '' : rt.group}/${rt.plural}`] ?? DEFAULT_COLUMNS;
}

export function toTable(
  rt: ResourceType,
  objects: KubeObject[],
  listMeta: JsonObject,
  includeObject: string,
): JsonObject {
  const def = columnsFor(rt);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: def.columns,
    rows: objects.map((o) => ({
      cells: def.cells(o),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
