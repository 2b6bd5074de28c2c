// Reads the plugin's declarations the way the console does: console-extensions.json and the
// exposed modules of package.json's `consolePlugin`.
import extensionsJson from '../../../console-extensions.json';
import pkg from '../../../package.json';
import { I18N_NAMESPACE } from '../const';

type CodeRef = { $codeRef: string };
export type RouteExtension = {
  type: 'console.page/route';
  properties: {
    path: string | string[];
    exact?: boolean;
    component: CodeRef;
    perspective?: string;
  };
};
export type HrefExtension = {
  type: 'console.navigation/href';
  properties: {
    id: string;
    name: string;
    href: string;
    perspective?: string;
    section?: string;
    startsWith?: string[];
  };
};
type AnyExtension = { type: string; properties: Record<string, unknown> };

export const extensions = extensionsJson as AnyExtension[];
export const exposedModules: Record<string, string> = pkg.consolePlugin.exposedModules;

export const routes = extensions.filter(
  (e): e is RouteExtension => e.type === 'console.page/route',
);
export const navItems = extensions.filter(
  (e): e is HrefExtension => e.type === 'console.navigation/href',
);

/** `%plugin__hub-migration~Text%` → the key `Text` in this plugin's namespace. */
export const labelKey = (label: string): string => {
  const match = /^%(.+?)~(.+)%$/.exec(label);
  return match && match[1] === I18N_NAMESPACE ? match[2] : label;
};

/** Resolves `Module` (default export) or `Module.export` against the exposed modules. */
export const resolveCodeRef = async (ref: string): Promise<unknown> => {
  const [moduleName, exportName = 'default'] = ref.split('.');
  const modulePath = exposedModules[moduleName];
  if (!modulePath) throw new Error(`${moduleName} is not an exposed module`);
  const relative = modulePath.replace(/^\.\//, '');
  const loaded = (await import(
    /* webpackInclude: /pages[\\/][^\\/]+\.tsx$/ */
    /* webpackExclude: /\.test\.tsx$/ */
    `../${relative}.tsx`
  )) as Record<string, unknown>;
  if (!(exportName in loaded)) throw new Error(`${ref}: no export ${exportName}`);
  return loaded[exportName];
};
