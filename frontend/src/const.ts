import type { API_BASE } from '../../backend/src/api/contract';

export const PLUGIN_NAME = 'hub-migration';
export const I18N_NAMESPACE = `plugin__${PLUGIN_NAME}`;

/** Bridge forwards this prefix to the BFF (ConsolePlugin proxy alias `backend`, UserToken). */
export const PROXY_BASE = `/api/proxy/plugin/${PLUGIN_NAME}/backend`;
// Typed as the contract's literal, so a change of the BFF's base path breaks the build here.
const apiBase: typeof API_BASE = '/api/v1';
export const API_ROOT = `${PROXY_BASE}${apiBase}`;

/** Label that groups the batches of one plan. */
export const PLAN_LABEL = 'hub-migration.openshift.io/plan';

export const ROUTES = {
  list: '/hub-migration',
  create: '/hub-migration/new',
  details: (namespace: string, name: string): string =>
    `/hub-migration/ns/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`,
};
