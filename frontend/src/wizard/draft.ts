import type {
  CreateMigrationRequest,
  CreatePlanRequest,
  ValidateRequest,
  ValidationResult,
} from '../api/types';
import { PLAN_LABEL } from '../const';
import type { YamlValue } from '../utils/yaml';

export type TimeoutUnit = 'm' | 'h';

export type Draft = {
  from?: string;
  to?: string;
  /** A static list of clusters, or an existing Placement on the source hub. */
  mode: 'list' | 'placement';
  clusters: string[];
  placement?: string;
  name: string;
  batchSize: number;
  approval: boolean;
  /** Empty: the engine's defaults. */
  timeout: string;
  timeoutUnit: TimeoutUnit;
  validation?: ValidationResult;
  /** What `validation` was computed for (see validationKey). */
  validatedFor?: string;
};

export const MAX_CLUSTERS = 5000;
export const DEFAULT_BATCH = 50;

export const emptyDraft = (): Draft => ({
  mode: 'list',
  clusters: [],
  name: '',
  batchSize: DEFAULT_BATCH,
  approval: false,
  timeout: '',
  timeoutUnit: 'm',
});

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const isDnsName = (s: string) => s.length > 0 && s.length <= 53 && DNS1123.test(s);

/** Splits pasted text on new lines, commas, semicolons and spaces. */
export const splitNames = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

export const stageTimeout = (d: Pick<Draft, 'timeout' | 'timeoutUnit'>): string | undefined => {
  const n = Number(d.timeout);
  if (!d.timeout || !Number.isFinite(n) || n <= 0) return undefined;
  return `${Math.round(n)}${d.timeoutUnit}`;
};

/** undefined: valid (or empty: default). Otherwise why not. */
export const timeoutProblem = (
  d: Pick<Draft, 'timeout' | 'timeoutUnit'>,
): 'format' | 'min' | 'max' | undefined => {
  if (!d.timeout) return undefined;
  const n = Number(d.timeout);
  if (!Number.isInteger(n) || n <= 0) return 'format';
  const minutes = d.timeoutUnit === 'h' ? n * 60 : n;
  if (minutes < 1) return 'min';
  if (minutes > 24 * 60) return 'max';
  return undefined;
};

export const batchesOf = (d: Pick<Draft, 'clusters' | 'batchSize' | 'mode'>): string[][] => {
  if (d.mode !== 'list' || d.clusters.length === 0) return [];
  const size = Math.max(1, d.batchSize);
  const out: string[][] = [];
  for (let i = 0; i < d.clusters.length; i += size) out.push(d.clusters.slice(i, i + size));
  return out;
};

export const validateRequest = (d: Draft): ValidateRequest | undefined => {
  if (!d.from || !d.to) return undefined;
  return d.mode === 'placement'
    ? { from: d.from, to: d.to, placement: d.placement }
    : { from: d.from, to: d.to, clusters: d.clusters };
};

/** Identifies the inputs a validation result belongs to. */
export const validationKey = (d: Draft): string =>
  JSON.stringify([d.from, d.to, d.mode, d.mode === 'placement' ? d.placement : d.clusters]);

export const hubsValid = (d: Draft) => !!d.from && !!d.to && d.from !== d.to;
export const clustersValid = (d: Draft) =>
  d.mode === 'placement'
    ? !!d.placement
    : d.clusters.length > 0 && d.clusters.length <= MAX_CLUSTERS;
export const batchesValid = (d: Draft) =>
  isDnsName(d.name) &&
  timeoutProblem(d) === undefined &&
  (d.mode === 'placement' ||
    (Number.isInteger(d.batchSize) && d.batchSize >= 1 && d.batchSize <= MAX_CLUSTERS));
export const validationCurrent = (d: Draft) =>
  !!d.validation && d.validatedFor === validationKey(d);
export const validationPassed = (d: Draft) =>
  validationCurrent(d) &&
  !!d.validation &&
  d.validation.errors.length === 0 &&
  d.validation.hubs.every((h) => h.ok) &&
  d.validation.clusters.every((c) => c.ok);

/** What the wizard will ask the BFF to create. */
export type Submission =
  | { kind: 'plan'; request: CreatePlanRequest }
  | { kind: 'migration'; request: CreateMigrationRequest };

export const submissionOf = (d: Draft): Submission | undefined => {
  if (!d.from || !d.to) return undefined;
  const timeout = stageTimeout(d);
  if (d.mode === 'placement') {
    return {
      kind: 'migration',
      request: {
        name: d.name,
        from: d.from,
        to: d.to,
        placement: d.placement,
        stageTimeout: timeout,
      },
    };
  }
  if (d.clusters.length <= d.batchSize && !d.approval) {
    return {
      kind: 'migration',
      request: {
        name: d.name,
        from: d.from,
        to: d.to,
        clusters: d.clusters,
        stageTimeout: timeout,
      },
    };
  }
  return {
    kind: 'plan',
    request: {
      name: d.name,
      from: d.from,
      to: d.to,
      clusters: d.clusters,
      batchSize: d.batchSize,
      approvalBetweenBatches: d.approval,
      stageTimeout: timeout,
    },
  };
};

/** The ManagedClusterMigration objects the submission stands for (one per batch), for review. */
export const resourcesOf = (d: Draft, namespace: string): YamlValue[] => {
  const sub = submissionOf(d);
  if (!sub) return [];
  const timeout = stageTimeout(d);
  const cr = (
    name: string,
    spec: Record<string, YamlValue>,
    labels?: Record<string, string>,
  ): YamlValue => ({
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name, namespace, labels },
    spec: {
      from: d.from,
      to: d.to,
      ...spec,
      supportedConfigs: timeout ? { stageTimeout: timeout } : undefined,
    },
  });
  if (sub.kind === 'migration') {
    return [
      cr(
        d.name,
        d.mode === 'placement'
          ? { includedManagedClustersPlacementRef: d.placement }
          : { includedManagedClusters: d.clusters },
      ),
    ];
  }
  return batchesOf(d).map((batch, i) =>
    cr(`${d.name}-${i + 1}`, { includedManagedClusters: batch }, { [PLAN_LABEL]: d.name }),
  );
};

const DRAFT_KEY = 'hub-migration:create-draft';

export const saveDraft = (d: Draft) => {
  try {
    sessionStorage.setItem(
      DRAFT_KEY,
      JSON.stringify({ ...d, validation: undefined, validatedFor: undefined }),
    );
  } catch {
    // Storage full or unavailable: the draft just is not kept across reloads.
  }
};
export const loadDraft = (): Draft | undefined => {
  try {
    const raw = sessionStorage.getItem(DRAFT_KEY);
    return raw ? { ...emptyDraft(), ...(JSON.parse(raw) as Partial<Draft>) } : undefined;
  } catch {
    return undefined;
  }
};
export const clearDraft = () => {
  try {
    sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    // Nothing to clear.
  }
};
