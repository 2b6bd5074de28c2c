// A small YAML writer for the objects the wizard shows before it creates them (plain data:
// strings, numbers, booleans, arrays and maps). Strings are quoted whenever YAML could read
// them as something else.

type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value };

const PLAIN = /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/;
const AMBIGUOUS =
  /^(true|false|yes|no|on|off|null|~|[-+]?(\d[\d_]*)?\.?\d+(e[-+]?\d+)?|0x[0-9a-f]+)$/i;

const scalar = (v: string | number | boolean | null): string => {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  if (v !== '' && PLAIN.test(v) && !AMBIGUOUS.test(v) && !v.endsWith(' ')) return v;
  return JSON.stringify(v);
};

const isScalar = (v: Value): v is string | number | boolean | null =>
  v === null || typeof v !== 'object';

function lines(value: Value, indent: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${indent}[]`];
    return value.flatMap((item) => {
      if (isScalar(item)) return [`${indent}- ${scalar(item)}`];
      const inner = lines(item, `${indent}  `);
      return [`${indent}- ${inner[0].trimStart()}`, ...inner.slice(1)];
    });
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return [`${indent}{}`];
    return entries.flatMap(([key, v]) => {
      const k = scalar(key);
      if (isScalar(v)) return [`${indent}${k}: ${scalar(v)}`];
      if (Array.isArray(v) && v.length === 0) return [`${indent}${k}: []`];
      if (!Array.isArray(v) && Object.keys(v ?? {}).length === 0) return [`${indent}${k}: {}`];
      return [`${indent}${k}:`, ...lines(v, Array.isArray(v) ? indent : `${indent}  `)];
    });
  }
  return [`${indent}${scalar(value ?? null)}`];
}

export const toYaml = (value: Value): string => `${lines(value, '').join('\n')}\n`;

/** Several documents separated by `---`. */
export const toYamlDocuments = (values: Value[]): string => values.map(toYaml).join('---\n');

export type { Value as YamlValue };
