/**
 * A small interpreter for the Common Expression Language (CEL) as kube-apiserver uses it for
 * CRD `x-kubernetes-validations` rules.
 *
 * Pipeline: lexer -> recursive-descent parser (macros are expanded while parsing, as in cel-go)
 * -> static check (declared identifiers, known functions and arities, literal regexes)
 * -> tree-walking evaluator. `compileCel` does the first three once; the program only evaluates.
 *
 * Deliberate differences from cel-go inside kube-apiserver:
 * - There is no type checker. Mistakes that kube-apiserver rejects when the CRD is created
 *   (e.g. `self.name + 1`) surface here at evaluation time as `no such overload: ...`.
 * - `int` is a JS number: exact only within +-2^53; `integer overflow` is reported outside the
 *   int64 range. `uint`, `double`, durations, timestamps and types are small wrapper classes.
 * - Input JSON carries no schema, so an integral JSON number is an `int` and a fractional one a
 *   `double` (kube-apiserver uses the schema's `integer`/`number`). For the same reason `int` and
 *   `double` mix in arithmetic (real CEL has no `int + double` overload), and strings with
 *   `format: date-time`/`duration` are not converted: write `timestamp(self.t)`.
 * - Equality and ordering across int/uint/double are numeric, as in current CEL (heterogeneous
 *   equality); `==` between unrelated types is false, not an error.
 * - Regexes run on JS RegExp after translating the RE2-only bits; JS-only syntax (lookaround,
 *   backreferences) is accepted although RE2 would reject it.
 * - Not supported: bytes, protobuf messages, optionals (`.?`), `sets.*`, `quantity`, `url`,
 *   `ip`/`cidr`, `format`, two-variable comprehensions, cost limits.
 */

export class CelError extends Error {
  override name = 'CelError';
}

export type CelProgram = (vars: { self: unknown; oldSelf?: unknown }) => unknown;

// ---------------------------------------------------------------------------------------------
// Values. Plain JS values stand for CEL values where that is unambiguous: null, bool, string,
// list (array), map (plain object from the input), and int (an integral number).

class UInt {
  constructor(readonly n: number) {}
}
/** A double computed by the program: keeps `2.0` a double although the number is integral. */
class Double {
  constructor(readonly n: number) {}
}
class Duration {
  constructor(readonly ns: bigint) {}
}
/** Nanoseconds since the Unix epoch. */
class Timestamp {
  constructor(readonly ns: bigint) {}
}
class TypeValue {
  constructor(readonly name: string) {}
}
/** A map from a literal: keys may be string, int, uint or bool, so a plain object will not do. */
class CelMap {
  readonly entries = new Map<string, readonly [unknown, unknown]>();
}

type JsonObject = Record<string, unknown>;
type MapValue = JsonObject | CelMap;
interface Num {
  kind: 'int' | 'uint' | 'double';
  n: number;
}

const MISSING = Symbol('missing');
const NS_PER_SEC = 1_000_000_000n;
const INT64_LIMIT = 2 ** 63;
const TYPE_NAMES = new Set('bool int uint double string list map null_type type'.split(' '));

function isList(v: unknown): v is readonly unknown[] {
  return Array.isArray(v);
}

function isObject(v: unknown): v is JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isMap(v: unknown): v is MapValue {
  return v instanceof CelMap || isObject(v);
}

function numeric(v: unknown): Num | undefined {
  if (typeof v === 'number') return { kind: Number.isInteger(v) ? 'int' : 'double', n: v };
  if (v instanceof UInt) return { kind: 'uint', n: v.n };
  if (v instanceof Double) return { kind: 'double', n: v.n };
  return undefined;
}

/** The CEL type name, short names for durations and timestamps (`google.protobuf.Duration`). */
function kindOf(v: unknown): string {
  const num = numeric(v);
  if (num) return num.kind;
  if (v === null || v === undefined) return 'null_type';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (isList(v)) return 'list';
  if (isMap(v)) return 'map';
  if (v instanceof Duration) return 'duration';
  if (v instanceof Timestamp) return 'timestamp';
  if (v instanceof TypeValue) return 'type';
  return typeof v;
}

const PROTOBUF_TYPES: Record<string, string> = {
  duration: 'google.protobuf.Duration',
  timestamp: 'google.protobuf.Timestamp',
};

/** The type name as CEL reports it in errors and from type(). */
function typeName(v: unknown): string {
  const kind = kindOf(v);
  return PROTOBUF_TYPES[kind] ?? kind;
}

/** Renders a scalar for an error message (`no such key: foo`). */
function show(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  const num = numeric(v);
  return num ? String(num.n) : typeName(v);
}

function noOverload(fn: string, args: readonly unknown[]): CelError {
  return new CelError(`no such overload: ${fn}(${args.map(typeName).join(', ')})`);
}

function checkInt(n: number): number {
  if (!(n >= -INT64_LIMIT && n < INT64_LIMIT)) throw new CelError('integer overflow');
  return n === 0 ? 0 : n; // no -0 for ints
}

function checkUint(n: number): UInt {
  if (!(n >= 0 && n < 2 * INT64_LIMIT)) throw new CelError('unsigned integer overflow');
  return new UInt(n);
}

// --- maps -------------------------------------------------------------------------------------

/** Key identity in literal maps: 1, 1u and 1.0 are the same key, as in CEL. */
function keyId(k: unknown): string | undefined {
  if (typeof k === 'string') return `s:${k}`;
  if (typeof k === 'boolean') return `b:${String(k)}`;
  const num = numeric(k);
  return num ? `n:${num.n}` : undefined;
}

function mapGet(m: MapValue, key: unknown): unknown {
  if (m instanceof CelMap) {
    const id = keyId(key);
    const entry = id === undefined ? undefined : m.entries.get(id);
    return entry ? entry[1] : MISSING;
  }
  // Own properties only (no `toString` from the prototype); `undefined` counts as absent.
  if (typeof key === 'string' && Object.hasOwn(m, key) && m[key] !== undefined) return m[key];
  return MISSING;
}

function mapKeys(m: MapValue): unknown[] {
  if (m instanceof CelMap) return [...m.entries.values()].map((e) => e[0]);
  return Object.keys(m).filter((k) => m[k] !== undefined);
}

const RESERVED = new Set(
  'true false null in as break const continue else for function if import let loop package namespace return var void while'.split(
    ' ',
  ),
);
const ESCAPES: Record<string, string> = { underscores: '__', dot: '.', dash: '-', slash: '/' };

/**
 * Kubernetes escapes property names that are not CEL identifiers: `foo-bar` is written
 * `self.foo__dash__bar`, `namespace` is `self.__namespace__`. Returns the unescaped name, if any.
 */
function unescapeField(name: string): string | undefined {
  if (!name.includes('__')) return undefined;
  const keyword = /^__([a-z]+)__$/.exec(name);
  if (keyword && RESERVED.has(keyword[1])) return keyword[1];
  const out = name.replace(/__(underscores|dot|dash|slash)__/g, (_m, w: string) => ESCAPES[w]);
  return out === name ? undefined : out;
}

// --- equality and ordering --------------------------------------------------------------------

function equals(a: unknown, b: unknown): boolean {
  const na = numeric(a);
  const nb = numeric(b);
  // Practical choice: int, uint and double compare by numeric value (1 == 1.0 == 1u).
  if (na || nb) return na !== undefined && nb !== undefined && na.n === nb.n;
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a ?? null) === (b ?? null);
  }
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (isList(a)) return isList(b) && a.length === b.length && a.every((x, i) => equals(x, b[i]));
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const keys = mapKeys(a);
    if (keys.length !== mapKeys(b).length) return false;
    return keys.every((k) => {
      const other = mapGet(b, k);
      return other !== MISSING && equals(mapGet(a, k), other);
    });
  }
  if (a instanceof Duration) return b instanceof Duration && a.ns === b.ns;
  if (a instanceof Timestamp) return b instanceof Timestamp && a.ns === b.ns;
  return a instanceof TypeValue && b instanceof TypeValue && a.name === b.name;
}

function order<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN; // NaN: unordered, every comparison is false
}

function compare(fn: string, a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) return order(na.n, nb.n);
  // JS orders strings by UTF-16 unit, CEL by code point: they differ only when comparing
  // astral characters with U+E000..U+FFFF.
  if (typeof a === 'string' && typeof b === 'string') return order(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return order(Number(a), Number(b));
  if (a instanceof Duration && b instanceof Duration) return order(a.ns, b.ns);
  if (a instanceof Timestamp && b instanceof Timestamp) return order(a.ns, b.ns);
  throw noOverload(fn, [a, b]);
}

// --- arithmetic -------------------------------------------------------------------------------

type ArithOp = '+' | '-' | '*' | '/' | '%';
const FLOAT_OPS: Record<ArithOp, (x: number, y: number) => number> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
  '%': (x, y) => x % y, // truncated remainder, like Go
};

function arith(op: ArithOp, a: unknown, b: unknown): unknown {
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) {
    if (na.kind === 'double' || nb.kind === 'double') {
      // Lenient int/double mixing (see the header); uint never mixes; no % on doubles.
      if (na.kind !== 'uint' && nb.kind !== 'uint' && op !== '%') {
        return new Double(FLOAT_OPS[op](na.n, nb.n));
      }
    } else if (na.kind === nb.kind) {
      if (nb.n === 0 && (op === '/' || op === '%')) {
        throw new CelError(op === '/' ? 'divide by zero' : 'modulus by zero');
      }
      const r = op === '/' ? Math.trunc(na.n / nb.n) : FLOAT_OPS[op](na.n, nb.n);
      return na.kind === 'int' ? checkInt(r) : checkUint(r);
    }
  } else if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (isList(a) && isList(b)) return [...a, ...b];
    if (a instanceof Duration && b instanceof Duration) return new Duration(a.ns + b.ns);
    if (a instanceof Timestamp && b instanceof Duration) return timestampOf(a.ns + b.ns);
    if (a instanceof Duration && b instanceof Timestamp) return timestampOf(a.ns + b.ns);
  } else if (op === '-') {
    if (a instanceof Duration && b instanceof Duration) return new Duration(a.ns - b.ns);
    if (a instanceof Timestamp && b instanceof Timestamp) return new Duration(a.ns - b.ns);
    if (a instanceof Timestamp && b instanceof Duration) return timestampOf(a.ns - b.ns);
  }
  throw noOverload(`_${op}_`, [a, b]);
}

// --- durations and timestamps -----------------------------------------------------------------

const UNIT_NS: Record<string, bigint> = {
  h: 3600n * NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  s: NS_PER_SEC,
  ms: 1_000_000n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ns: 1n,
};

/** Go's time.ParseDuration syntax, which CEL's duration() accepts: `1h30m`, `-1.5s`. */
function parseDuration(text: string): Duration {
  const m = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) throw new CelError(`invalid duration: '${text}'`);
  let total = 0n;
  for (const [, whole, frac = '', unit] of m[2].matchAll(
    /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g,
  )) {
    const fracNs = frac ? (BigInt(frac) * UNIT_NS[unit]) / 10n ** BigInt(frac.length) : 0n;
    total += BigInt(whole || '0') * UNIT_NS[unit] + fracNs;
  }
  return new Duration(m[1] === '-' ? -total : total);
}

// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, the range CEL allows.
const TS_MIN = -62135596800n * NS_PER_SEC;
const TS_MAX = 253402300800n * NS_PER_SEC - 1n;

function timestampOf(ns: bigint): Timestamp {
  if (ns < TS_MIN || ns > TS_MAX) throw new CelError('timestamp out of range');
  return new Timestamp(ns);
}

const RFC3339 =
  /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d\d):(\d\d))$/;

function parseTimestamp(text: string): Timestamp {
  const m = RFC3339.exec(text);
  const [y, mo, d, h, mi, s] = (m?.slice(1, 7) ?? []).map(Number);
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // unlike Date.UTC, does not map years 0-99 to 19xx
  date.setUTCHours(h, mi, s);
  if (
    !m ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    throw new CelError(`invalid timestamp: '${text}'`);
  }
  let ns = BigInt(date.getTime()) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
  if (m[8]) ns -= offsetNs(m[8], m[9], m[10]);
  return timestampOf(ns);
}

function offsetNs(sign: string, hours: string, minutes: string): bigint {
  const secs = BigInt((Number(hours) * 60 + Number(minutes)) * 60);
  return (sign === '-' ? -secs : secs) * NS_PER_SEC;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function fraction(nanos: bigint): string {
  return nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
}

/** RFC 3339 with only the fractional digits needed, like Go's RFC3339Nano. */
function formatTimestamp(t: Timestamp): string {
  const secs = floorDiv(t.ns, NS_PER_SEC);
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${iso}${fraction(t.ns - secs * NS_PER_SEC)}Z`;
}

/** CEL's string(duration): seconds with a fraction, `5400s`, `1.5s`. */
function formatDuration(d: Duration): string {
  const abs = d.ns < 0n ? -d.ns : d.ns;
  return `${d.ns < 0n ? '-' : ''}${(abs / NS_PER_SEC).toString()}${fraction(abs % NS_PER_SEC)}s`;
}

/** The wall clock of a timestamp in a time zone (`UTC`, `+05:30`, `Europe/Paris`), as a Date
 * whose UTC fields are the local ones. */
function wallClock(t: Timestamp, zone = 'UTC'): Date {
  const instant = new Date(Number(floorDiv(t.ns, 1_000_000n)));
  let m = /^([+-])(\d\d):(\d\d)$/.exec(zone);
  if (!m && zone !== 'UTC') {
    try {
      const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      const name = fmt.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value;
      m = /^GMT([+-])(\d\d):(\d\d)$/.exec(name ?? ''); // plain "GMT" is offset 0
    } catch {
      throw new CelError(`invalid time zone: ${zone}`);
    }
  }
  const offsetMs = m ? Number(offsetNs(m[1], m[2], m[3]) / 1_000_000n) : 0;
  return new Date(instant.getTime() + offsetMs);
}

/** Timestamp accessors; like CEL, month, day of month and day of year count from 0. */
const TIME_FIELDS: Record<string, (d: Date) => number> = {
  getFullYear: (d) => d.getUTCFullYear(),
  getMonth: (d) => d.getUTCMonth(),
  getDate: (d) => d.getUTCDate(),
  getDayOfMonth: (d) => d.getUTCDate() - 1,
  getDayOfWeek: (d) => d.getUTCDay(), // 0 = Sunday
  getDayOfYear: (d) => {
    const start = new Date(0);
    start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
    return Math.floor((d.getTime() - start.getTime()) / 86_400_000);
  },
  getHours: (d) => d.getUTCHours(),
  getMinutes: (d) => d.getUTCMinutes(),
  getSeconds: (d) => d.getUTCSeconds(),
  getMilliseconds: (d) => d.getUTCMilliseconds(),
};
/** Duration accessors return the whole length in that unit, truncated. */
const DURATION_UNITS: Record<string, bigint> = {
  getHours: UNIT_NS.h,
  getMinutes: UNIT_NS.m,
  getSeconds: UNIT_NS.s,
  getMilliseconds: UNIT_NS.ms,
};

// --- strings and regexes ----------------------------------------------------------------------

// CEL indexes strings by code point, JS by UTF-16 unit; convert only when surrogates are present.
const codePoints = (s: string): string[] => Array.from(s);
const hasSurrogates = (s: string): boolean => /[\uD800-\uDFFF]/.test(s);
const strSize = (s: string): number => (hasSurrogates(s) ? codePoints(s).length : s.length);
const toUnitIndex = (s: string, cp: number): number =>
  hasSurrogates(s) ? codePoints(s).slice(0, cp).join('').length : cp;
const toCpIndex = (s: string, unit: number): number =>
  hasSurrogates(s) ? codePoints(s.slice(0, unit)).length : unit;

function checkIndex(i: number, min: number, max: number): number {
  if (i < min || i > max) throw new CelError(`index out of range: ${i}`);
  return i;
}

function indexOf(s: string, sub: string, last: boolean, from?: number): number {
  const unit = from === undefined ? undefined : toUnitIndex(s, checkIndex(from, 0, strSize(s)));
  const at = last ? s.lastIndexOf(sub, unit) : s.indexOf(sub, unit);
  return at < 0 ? -1 : toCpIndex(s, at);
}

function substring(s: string, start: number, end?: number): string {
  const cps = codePoints(s);
  checkIndex(start, 0, cps.length);
  return cps
    .slice(start, end === undefined ? undefined : checkIndex(end, start, cps.length))
    .join('');
}

/** Go's strings.SplitN, which Kubernetes' split() uses (n < 0: no limit). */
function splitN(s: string, sep: string, n = -1): string[] {
  if (n === 0) return [];
  const parts = sep === '' ? codePoints(s) : s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** Go's strings.Replace: at most n replacements (n < 0: all); '' matches around code points. */
function replaceN(s: string, from: string, to: string, n = -1): string {
  const pieces = from === '' ? ['', ...codePoints(s), ''] : s.split(from);
  if (n < 0 || pieces.length <= n + 1) return pieces.join(to);
  return [...pieces.slice(0, n), pieces.slice(n).join(from)].join(to);
}

const regexCache = new Map<string, RegExp>();

/** Compiles an RE2 pattern to a JS RegExp. CEL's matches() searches; it does not anchor. */
function compileRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  const lead = /^\(\?([ims]+)\)/.exec(pattern); // RE2 leading flag group; JS has flags instead
  const src = lead ? pattern.slice(lead[0].length) : pattern;
  const flags = lead ? [...new Set(lead[1])].join('') : '';
  // Scan rather than replace, so that an escaped backslash followed by `z` stays literal.
  let out = '';
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\' && i + 1 < src.length) {
      const c = src[++i];
      out += c === 'z' ? '(?![\\s\\S])' : c === 'A' ? '(?<![\\s\\S])' : `\\${c}`;
    } else if (src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else {
      out += src[i];
    }
  }
  let re: RegExp;
  try {
    re = new RegExp(out, `${flags}u`); // code point semantics and \p{L}, as RE2
  } catch {
    try {
      re = new RegExp(out, flags); // RE2 accepts escapes such as \- that unicode mode refuses
    } catch (e) {
      const why = e instanceof Error ? e.message : '';
      throw new CelError(`invalid regular expression '${pattern}': ${why}`);
    }
  }
  if (regexCache.size >= 500) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

// --- conversions ------------------------------------------------------------------------------

function toInt(v: unknown): number {
  const num = numeric(v);
  if (num) {
    const t = Math.trunc(num.n);
    if (!(t >= -INT64_LIMIT && t < INT64_LIMIT)) {
      throw new CelError(`range error converting ${num.n} to int`);
    }
    return t === 0 ? 0 : t;
  }
  if (typeof v === 'string') {
    if (!/^[+-]?\d+$/.test(v)) throw new CelError(`cannot convert '${v}' to int`);
    return checkInt(Number(v));
  }
  if (v instanceof Timestamp) return Number(floorDiv(v.ns, NS_PER_SEC));
  throw noOverload('int', [v]);
}

function toUint(v: unknown): UInt {
  const num = numeric(v);
  if (num && num.n > -1 && num.n < 2 * INT64_LIMIT) return new UInt(Math.trunc(num.n) + 0);
  if (num) throw new CelError(`range error converting ${num.n} to uint`);
  if (typeof v === 'string' && /^\+?\d+$/.test(v)) return checkUint(Number(v));
  if (typeof v === 'string') throw new CelError(`cannot convert '${v}' to uint`);
  throw noOverload('uint', [v]);
}

function toDouble(v: unknown): Double {
  const num = numeric(v);
  if (num) return new Double(num.n);
  if (typeof v !== 'string') throw noOverload('double', [v]);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return new Double(Number(v));
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(v); // as Go's strconv.ParseFloat
  if (!special) throw new CelError(`cannot convert '${v}' to double`);
  const inf = special[1] === '-' ? -Infinity : Infinity;
  return new Double(special[2].toLowerCase() === 'nan' ? NaN : inf);
}

function toCelString(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  const num = numeric(v);
  if (num) return String(num.n);
  if (v instanceof Duration) return formatDuration(v);
  if (v instanceof Timestamp) return formatTimestamp(v);
  throw noOverload('string', [v]);
}

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') throw noOverload('bool', [v]);
  // Go's strconv.ParseBool
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new CelError(`cannot convert '${v}' to bool`);
}

/** Converts a result back to plain JS: numbers, strings, arrays, objects; durations and
 * timestamps become their CEL string form, types their name. Input objects are returned as is. */
function toJs(v: unknown): unknown {
  const num = numeric(v);
  if (num) return num.n;
  if (v instanceof Duration) return formatDuration(v);
  if (v instanceof Timestamp) return formatTimestamp(v);
  if (v instanceof TypeValue) return v.name;
  if (isList(v)) return v.map(toJs);
  if (!(v instanceof CelMap)) return v;
  const out: JsonObject = {};
  for (const [k, val] of v.entries.values()) out[show(k)] = toJs(val);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Function library, declared like CEL overloads: `f(type, ...)` is a global call,
// `type.f(...)` a receiver call (the receiver comes first in the implementation's arguments).
// Types are kindOf() names; `dyn` accepts anything. The static check uses the same table to
// reject unknown functions and wrong arities, as kube-apiserver does when the CRD is created.

// Implementations take their arguments narrowed to the declared types; the dispatcher checks
// the types before calling, which is why `never[]` (any function) is acceptable here.
type Impl = (...args: never[]) => unknown;
const LIBRARY: Array<[signature: string, impl: Impl]> = [
  ['size(string)', strSize],
  ['string.size()', strSize],
  ['size(list)', (l: unknown[]) => l.length],
  ['list.size()', (l: unknown[]) => l.length],
  ['size(map)', (m: MapValue) => mapKeys(m).length],
  ['map.size()', (m: MapValue) => mapKeys(m).length],
  ['matches(string, string)', (s: string, re: string) => compileRegex(re).test(s)],
  ['string.matches(string)', (s: string, re: string) => compileRegex(re).test(s)],
  ['string.startsWith(string)', (s: string, p: string) => s.startsWith(p)],
  ['string.endsWith(string)', (s: string, p: string) => s.endsWith(p)],
  ['string.contains(string)', (s: string, p: string) => s.includes(p)],
  ['string.lowerAscii()', (s: string) => s.replace(/[A-Z]+/g, (c) => c.toLowerCase())],
  ['string.upperAscii()', (s: string) => s.replace(/[a-z]+/g, (c) => c.toUpperCase())],
  ['string.trim()', (s: string) => s.trim()],
  ['string.charAt(int)', (s: string, i: number) => substring(s, i, Math.min(i + 1, strSize(s)))],
  ['string.indexOf(string)', (s: string, sub: string) => indexOf(s, sub, false)],
  ['string.indexOf(string, int)', (s: string, sub: string, i: number) => indexOf(s, sub, false, i)],
  ['string.lastIndexOf(string)', (s: string, sub: string) => indexOf(s, sub, true)],
  [
    'string.lastIndexOf(string, int)',
    (s: string, sub: string, i: number) => indexOf(s, sub, true, i),
  ],
  ['string.substring(int)', substring],
  ['string.substring(int, int)', substring],
  ['string.split(string)', splitN],
  ['string.split(string, int)', splitN],
  ['string.replace(string, string)', replaceN],
  ['string.replace(string, string, int)', replaceN],
  ['list.join()', (l: unknown[]) => joinStrings(l, '')],
  ['list.join(string)', joinStrings],
  ['list.indexOf(dyn)', (l: unknown[], x: unknown) => l.findIndex((e) => equals(e, x))],
  ['list.lastIndexOf(dyn)', (l: unknown[], x: unknown) => lastIndexOf(l, x)],
  [
    'list.isSorted()',
    (l: unknown[]) => l.every((e, i) => i === 0 || compare('isSorted', l[i - 1], e) <= 0),
  ],
  ['list.sum()', (l: unknown[]) => (l.length ? l.reduce((acc, e) => arith('+', acc, e)) : 0)],
  ['list.min()', (l: unknown[]) => extreme(l, 'min')],
  ['list.max()', (l: unknown[]) => extreme(l, 'max')],
  ['int(dyn)', toInt],
  ['uint(dyn)', toUint],
  ['double(dyn)', toDouble],
  ['string(dyn)', toCelString],
  ['bool(dyn)', toBool],
  ['dyn(dyn)', (x: unknown) => x],
  ['type(dyn)', (x: unknown) => new TypeValue(typeName(x))],
  ['duration(string)', parseDuration],
  ['duration(duration)', (d: Duration) => d],
  ['timestamp(string)', parseTimestamp],
  ['timestamp(timestamp)', (t: Timestamp) => t],
  ['timestamp(int)', (secs: number) => timestampOf(BigInt(secs) * NS_PER_SEC)],
  ...Object.entries(TIME_FIELDS).flatMap(([name, field]): Array<[string, Impl]> => [
    [`timestamp.${name}()`, (t: Timestamp) => field(wallClock(t))],
    [`timestamp.${name}(string)`, (t: Timestamp, zone: string) => field(wallClock(t, zone))],
  ]),
  ...Object.entries(DURATION_UNITS).map(([name, unit]): [string, Impl] => [
    `duration.${name}()`,
    (d: Duration) => Number(d.ns / unit),
  ]),
];

function lastIndexOf(l: unknown[], x: unknown): number {
  for (let i = l.length - 1; i >= 0; i--) if (equals(l[i], x)) return i;
  return -1;
}

function joinStrings(l: unknown[], sep: string): string {
  if (!l.every((e) => typeof e === 'string')) throw noOverload('join', [l, sep]);
  return l.join(sep);
}

function extreme(l: unknown[], fn: 'min' | 'max'): unknown {
  if (l.length === 0) throw new CelError(`${fn}(list) called on an empty list`);
  const sign = fn === 'min' ? -1 : 1;
  return l.reduce((best, e) => (compare(fn, e, best) * sign > 0 ? e : best));
}

interface Overload {
  receiver: boolean;
  params: string[];
  impl: Impl;
}

const FUNCTIONS = new Map<string, Overload[]>();
for (const [signature, impl] of LIBRARY) {
  const m = /^(?:(\w+)\.)?(\w+)\((.*)\)$/.exec(signature);
  if (!m) throw new Error(`bad signature: ${signature}`);
  const receiver = m[1] as string | undefined;
  const params = [...(receiver ? [receiver] : []), ...(m[3] ? m[3].split(', ') : [])];
  FUNCTIONS.set(m[2], [...(FUNCTIONS.get(m[2]) ?? []), { receiver: !!receiver, params, impl }]);
}

function callFunction(fn: string, receiver: boolean, args: readonly unknown[]): unknown {
  for (const o of FUNCTIONS.get(fn) ?? []) {
    if (o.receiver !== receiver || o.params.length !== args.length) continue;
    if (o.params.every((p, i) => p === 'dyn' || p === kindOf(args[i]))) {
      return (o.impl as (...a: readonly unknown[]) => unknown)(...args);
    }
  }
  throw noOverload(fn, args);
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { kind: 'int' | 'uint'; pos: number; big: bigint }
  | { kind: 'double'; pos: number; num: number }
  | { kind: 'string'; pos: number; str: string }
  | { kind: 'ident' | 'op'; pos: number; text: string }
  | { kind: 'eof'; pos: number };

const NUMBER_RE =
  /0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d+|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?/y;
const IDENT_RE = /[_a-zA-Z][_a-zA-Z0-9]*/y;
const STRING_PREFIX_RE = /(?:[rR][bB]?|[bB][rR]?)?(?='|")/y;
// Two-character operators first, so that `<=` is not read as `<`.
const OPERATORS = '== != <= >= && || < > ! + - * / % ? : . , ( ) [ ] { }'.split(' ');
const HEX_ESCAPES = new Map([
  ['x', 2],
  ['u', 4],
  ['U', 8],
]);
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '`': '`',
  '?': '?',
};

function syntaxError(src: string, pos: number, message: string): CelError {
  const lines = src.slice(0, pos).split('\n');
  return new CelError(
    `Syntax error: ${message} at ${lines.length}:${lines[lines.length - 1].length + 1}`,
  );
}

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    return re.exec(src)?.[0];
  };
  while (pos < src.length) {
    const c = src[pos];
    if (/\s/.test(c)) {
      pos++;
      continue;
    }
    if (src.startsWith('//', pos)) {
      const end = src.indexOf('\n', pos);
      pos = end < 0 ? src.length : end;
      continue;
    }
    const start = pos;
    const prev = tokens[tokens.length - 1];
    // `.5` is a double, but in `a.b` or `x[0].y` the dot is a selection.
    const leadingDot =
      c === '.' &&
      /\d/.test(src[pos + 1] ?? '') &&
      (prev === undefined || (prev.kind === 'op' && !')]}'.includes(prev.text)));
    const number = /\d/.test(c) || leadingDot ? match(NUMBER_RE) : undefined;
    if (number !== undefined) {
      pos += number.length;
      if (/[.eE]/.test(number) && !/^0[xX]/.test(number)) {
        tokens.push({ kind: 'double', pos: start, num: Number(number) });
        continue;
      }
      const unsigned = /[uU]$/.test(number);
      const big = BigInt(unsigned ? number.slice(0, -1) : number);
      // 2^63 itself is let through so that -9223372036854775808 parses.
      if (big > (unsigned ? 2n ** 64n - 1n : 2n ** 63n))
        throw syntaxError(src, start, `integer literal out of range: ${number}`);
      tokens.push({ kind: unsigned ? 'uint' : 'int', pos: start, big });
      continue;
    }
    const prefix = match(STRING_PREFIX_RE);
    if (prefix !== undefined) {
      if (/[bB]/.test(prefix)) throw syntaxError(src, start, 'bytes literals are not supported');
      pos += prefix.length;
      const [str, end] = readString(src, pos, prefix !== '');
      tokens.push({ kind: 'string', pos: start, str });
      pos = end;
      continue;
    }
    const ident = match(IDENT_RE);
    if (ident !== undefined) {
      pos += ident.length;
      tokens.push({ kind: 'ident', pos: start, text: ident });
      continue;
    }
    if (src.startsWith('.?', pos) || src.startsWith('[?', pos))
      throw syntaxError(src, start, 'optional syntax is not supported');
    const op = OPERATORS.find((o) => src.startsWith(o, pos));
    if (op === undefined) throw syntaxError(src, start, `unexpected character '${c}'`);
    pos += op.length;
    tokens.push({ kind: 'op', pos: start, text: op });
  }
  tokens.push({ kind: 'eof', pos: src.length });
  return tokens;
}

/** Reads a quoted string starting at its opening quote; returns its value and the end offset. */
function readString(src: string, start: number, raw: boolean): [string, number] {
  const quote = src.startsWith(src[start].repeat(3), start) ? src[start].repeat(3) : src[start];
  let pos = start + quote.length;
  let str = '';
  while (!src.startsWith(quote, pos)) {
    if (pos >= src.length || (quote.length === 1 && /[\r\n]/.test(src[pos])))
      throw syntaxError(src, start, 'unterminated string');
    if (src[pos] !== '\\' || raw) {
      str += src[pos++];
      continue;
    }
    const e = src[pos + 1] ?? '';
    const hex = HEX_ESCAPES.get(e) ?? 0;
    const digits = hex ? src.slice(pos + 2, pos + 2 + hex) : '';
    if (Object.hasOwn(SIMPLE_ESCAPES, e)) {
      str += SIMPLE_ESCAPES[e];
      pos += 2;
    } else if (
      hex &&
      /^[0-9a-fA-F]+$/.test(digits) &&
      digits.length === hex &&
      parseInt(digits, 16) <= 0x10ffff
    ) {
      str += String.fromCodePoint(parseInt(digits, 16));
      pos += 2 + hex;
    } else if (/^[0-3][0-7][0-7]/.test(src.slice(pos + 1))) {
      str += String.fromCharCode(parseInt(src.slice(pos + 1, pos + 4), 8));
      pos += 4;
    } else {
      throw syntaxError(src, pos, `invalid escape sequence '\\${e}'`);
    }
  }
  return [str, pos + quote.length];
}

// ---------------------------------------------------------------------------------------------
// Parser

type Macro = 'all' | 'exists' | 'exists_one' | 'map' | 'filter';
type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | ArithOp;

type Node =
  | { kind: 'lit'; value: unknown }
  | { kind: 'ident'; name: string }
  | { kind: 'select'; operand: Node; field: string }
  | { kind: 'has'; operand: Node; field: string }
  | { kind: 'index'; operand: Node; index: Node }
  | { kind: 'call'; fn: string; target: Node | undefined; args: Node[] }
  | { kind: 'list'; items: Node[] }
  | { kind: 'map'; entries: Array<[Node, Node]> }
  | { kind: 'unary'; op: '!' | '-'; operand: Node }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node }
  | { kind: 'logic'; op: '&&' | '||'; left: Node; right: Node }
  | { kind: 'cond'; test: Node; onTrue: Node; onFalse: Node }
  // pred: the predicate of all/exists/exists_one/filter and of 3-argument map; result: map's.
  | { kind: 'comp'; macro: Macro; range: Node; iterVar: string; pred?: Node; result?: Node };

const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const RELATIONS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const MAX_DEPTH = 250; // nesting limit, like cel-go's parser recursion limit

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Node {
    const node = this.expr();
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  /** The operator at the current token, if it is one of `ops`. */
  private peekOp(ops: readonly string[]): string | undefined {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.text) ? t.text : undefined;
  }

  private acceptOp(text: string): boolean {
    if (this.peekOp([text]) === undefined) return false;
    this.i++;
    return true;
  }

  private expectOp(text: string): void {
    if (!this.acceptOp(text)) throw this.unexpected(`expected '${text}'`);
  }

  private unexpected(expected?: string): CelError {
    const t = this.peek();
    const end = this.tokens[this.i + 1]?.pos ?? t.pos + 1;
    const what = t.kind === 'eof' ? 'end of input' : `'${this.src.slice(t.pos, end).trim()}'`;
    return syntaxError(this.src, t.pos, `unexpected ${what}${expected ? `, ${expected}` : ''}`);
  }

  private expr(): Node {
    if (++this.depth > MAX_DEPTH)
      throw syntaxError(this.src, this.peek().pos, 'expression nested too deeply');
    let node = this.or();
    if (this.acceptOp('?')) {
      const onTrue = this.or();
      this.expectOp(':');
      node = { kind: 'cond', test: node, onTrue, onFalse: this.expr() };
    }
    this.depth--;
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.acceptOp('||')) left = { kind: 'logic', op: '||', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.relation();
    while (this.acceptOp('&&')) left = { kind: 'logic', op: '&&', left, right: this.relation() };
    return left;
  }

  // All relations share one precedence level and associate left: `a < b == true`.
  private relation(): Node {
    let left = this.addition();
    for (;;) {
      const t = this.peek();
      const isIn = t.kind === 'ident' && t.text === 'in';
      const op = isIn ? 'in' : this.peekOp([...RELATIONS]);
      if (op === undefined) return left;
      this.i++;
      left = { kind: 'binary', op: op as BinaryOp, left, right: this.addition() };
    }
  }

  private addition(): Node {
    let left = this.multiplication();
    for (let op = this.peekOp(['+', '-']); op; op = this.peekOp(['+', '-'])) {
      this.i++;
      left = { kind: 'binary', op: op as ArithOp, left, right: this.multiplication() };
    }
    return left;
  }

  private multiplication(): Node {
    let left = this.unary();
    for (let op = this.peekOp(['*', '/', '%']); op; op = this.peekOp(['*', '/', '%'])) {
      this.i++;
      left = { kind: 'binary', op: op as ArithOp, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    const op = this.peekOp(['!', '-']);
    if (op === undefined) return this.member();
    this.i++;
    return { kind: 'unary', op: op as '!' | '-', operand: this.unary() };
  }

  private member(): Node {
    let node = this.primary();
    for (;;) {
      if (this.acceptOp('.')) {
        const t = this.peek();
        if (t.kind !== 'ident') throw this.unexpected('expected a field name');
        if (RESERVED.has(t.text))
          throw syntaxError(this.src, t.pos, `reserved identifier '${t.text}'`);
        this.i++;
        node = this.acceptOp('(')
          ? this.call(t, node, this.list(')'))
          : { kind: 'select', operand: node, field: t.text };
      } else if (this.acceptOp('[')) {
        node = { kind: 'index', operand: node, index: this.expr() };
        this.expectOp(']');
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const t = this.peek();
    this.i++;
    switch (t.kind) {
      case 'int':
        return { kind: 'lit', value: Number(t.big) };
      case 'uint':
        return { kind: 'lit', value: new UInt(Number(t.big)) };
      case 'double':
        return { kind: 'lit', value: new Double(t.num) };
      case 'string':
        return { kind: 'lit', value: t.str };
      case 'ident':
        if (t.text === 'true' || t.text === 'false')
          return { kind: 'lit', value: t.text === 'true' };
        if (t.text === 'null') return { kind: 'lit', value: null };
        if (RESERVED.has(t.text))
          throw syntaxError(this.src, t.pos, `reserved identifier '${t.text}'`);
        return this.acceptOp('(')
          ? this.call(t, undefined, this.list(')'))
          : { kind: 'ident', name: t.text };
      case 'op':
        if (t.text === '(') {
          const node = this.expr();
          this.expectOp(')');
          return node;
        }
        if (t.text === '[') return { kind: 'list', items: this.list(']', true) };
        if (t.text === '{') return { kind: 'map', entries: this.mapEntries() };
    }
    this.i--;
    throw this.unexpected();
  }

  /** Comma-separated expressions up to `close`, the opening bracket being already consumed. */
  private list(close: string, trailingComma = false): Node[] {
    const items: Node[] = [];
    while (!this.acceptOp(close)) {
      items.push(this.expr());
      if (!this.acceptOp(',')) {
        this.expectOp(close);
        break;
      }
      if (!trailingComma && this.peekOp([close])) throw this.unexpected();
    }
    return items;
  }

  private mapEntries(): Array<[Node, Node]> {
    const entries: Array<[Node, Node]> = [];
    while (!this.acceptOp('}')) {
      const key = this.expr();
      this.expectOp(':');
      entries.push([key, this.expr()]);
      if (!this.acceptOp(',')) {
        this.expectOp('}');
        break;
      }
    }
    return entries;
  }

  /** A call, or a macro, which is expanded here as cel-go's parser does. */
  private call(t: Token & { text: string }, target: Node | undefined, args: Node[]): Node {
    const fn = t.text;
    const [first] = args;
    if (target === undefined && fn === 'has') {
      if (args.length !== 1 || first.kind !== 'select')
        throw syntaxError(this.src, t.pos, 'invalid argument to has() macro');
      return { kind: 'has', operand: first.operand, field: first.field };
    }
    if (target === undefined || !MACROS.has(fn)) return { kind: 'call', fn, target, args };
    if (args.length !== 2 && !(fn === 'map' && args.length === 3)) {
      throw syntaxError(this.src, t.pos, `wrong number of arguments to ${fn}() macro`);
    }
    if (first.kind !== 'ident')
      throw syntaxError(this.src, t.pos, `${fn}() variable must be a simple name`);
    const [, pred, result] = args;
    const comp = { kind: 'comp', macro: fn as Macro, range: target, iterVar: first.name } as const;
    if (fn !== 'map') return { ...comp, pred };
    return result ? { ...comp, pred, result } : { ...comp, result: pred };
  }
}

/** Static check: identifiers are declared, functions exist with that arity, literal regexes compile. */
function check(node: Node, vars: ReadonlySet<string>): void {
  const recurse = (...nodes: Array<Node | undefined>): void =>
    nodes.forEach((n) => n && check(n, vars));
  switch (node.kind) {
    case 'lit':
      return;
    case 'ident':
      if (!vars.has(node.name) && !TYPE_NAMES.has(node.name))
        throw new CelError(`undeclared reference to '${node.name}'`);
      return;
    case 'select':
    case 'has':
    case 'unary':
      return recurse(node.operand);
    case 'index':
      return recurse(node.operand, node.index);
    case 'call': {
      const args = node.target ? [node.target, ...node.args] : node.args;
      const overloads = (FUNCTIONS.get(node.fn) ?? []).filter((o) => o.receiver === !!node.target);
      if (overloads.length === 0) throw new CelError(`undeclared reference to '${node.fn}'`);
      if (!overloads.some((o) => o.params.length === args.length)) {
        throw new CelError(
          `found no matching overload for '${node.fn}' with ${node.args.length} argument(s)`,
        );
      }
      recurse(...args);
      const pattern = args[1]; // a literal pattern is compiled now, so a bad one fails the CRD
      if (node.fn === 'matches' && pattern.kind === 'lit' && typeof pattern.value === 'string')
        compileRegex(pattern.value);
      return;
    }
    case 'list':
      return recurse(...node.items);
    case 'map':
      return recurse(...node.entries.flat());
    case 'binary':
    case 'logic':
      return recurse(node.left, node.right);
    case 'cond':
      return recurse(node.test, node.onTrue, node.onFalse);
    case 'comp': {
      recurse(node.range);
      const inner = new Set(vars).add(node.iterVar);
      if (node.pred) check(node.pred, inner);
      if (node.result) check(node.result, inner);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluator

/** Variables as a linked list: entering a comprehension costs one allocation per element. */
interface Scope {
  readonly name: string;
  readonly value: unknown;
  readonly parent: Scope | undefined;
}

/** Evaluates a node that must yield a bool; an error or a non-bool comes back as a CelError. */
function tryBool(node: Node, scope: Scope | undefined, fn: string): boolean | CelError {
  try {
    const v = evaluate(node, scope);
    return typeof v === 'boolean' ? v : noOverload(fn, [v]);
  } catch (e) {
    if (e instanceof CelError) return e;
    throw e;
  }
}

function selectField(operand: unknown, field: string): unknown {
  if (!isMap(operand))
    throw new CelError(`type '${typeName(operand)}' does not support field selection`);
  const v = mapGet(operand, field);
  const unescaped = v === MISSING ? unescapeField(field) : undefined;
  return unescaped === undefined ? v : mapGet(operand, unescaped);
}

function evaluate(node: Node, scope: Scope | undefined): unknown {
  switch (node.kind) {
    case 'lit':
      return node.value;
    case 'ident':
      for (let s = scope; s; s = s.parent) if (s.name === node.name) return s.value;
      if (TYPE_NAMES.has(node.name)) return new TypeValue(node.name);
      // oldSelf is unbound outside updates: kube-apiserver skips transition rules then.
      throw new CelError(`no such attribute: ${node.name}`);
    case 'select': {
      const v = selectField(evaluate(node.operand, scope), node.field);
      if (v === MISSING) throw new CelError(`no such key: ${node.field}`);
      return v;
    }
    case 'has':
      return selectField(evaluate(node.operand, scope), node.field) !== MISSING;
    case 'index': {
      const operand = evaluate(node.operand, scope);
      const index = evaluate(node.index, scope);
      const num = numeric(index);
      if (isList(operand) && num && Number.isInteger(num.n)) {
        if (num.n < 0 || num.n >= operand.length)
          throw new CelError(`index out of range: ${num.n}`);
        return operand[num.n];
      }
      if (!isMap(operand)) throw noOverload('_[_]', [operand, index]);
      const v = mapGet(operand, index);
      if (v === MISSING) throw new CelError(`no such key: ${show(index)}`);
      return v;
    }
    case 'call': {
      const target = node.target ? [evaluate(node.target, scope)] : [];
      const args = [...target, ...node.args.map((n) => evaluate(n, scope))];
      return callFunction(node.fn, node.target !== undefined, args);
    }
    case 'list':
      return node.items.map((n) => evaluate(n, scope));
    case 'map': {
      const map = new CelMap();
      for (const [keyNode, valueNode] of node.entries) {
        const key = evaluate(keyNode, scope);
        const id = keyId(key);
        if (id === undefined) throw new CelError(`unsupported map key type: ${typeName(key)}`);
        if (map.entries.has(id)) throw new CelError(`Failed with repeated key: ${show(key)}`);
        map.entries.set(id, [key, evaluate(valueNode, scope)]);
      }
      return map;
    }
    case 'unary': {
      const v = evaluate(node.operand, scope);
      const num = numeric(v);
      if (node.op === '!' && typeof v === 'boolean') return !v;
      if (node.op === '-' && num?.kind === 'int') return checkInt(-num.n);
      if (node.op === '-' && num?.kind === 'double') return new Double(-num.n);
      if (node.op === '-' && v instanceof Duration) return new Duration(-v.ns);
      throw noOverload(`${node.op}_`, [v]);
    }
    case 'binary': {
      const a = evaluate(node.left, scope);
      const b = evaluate(node.right, scope);
      switch (node.op) {
        case '==':
          return equals(a, b);
        case '!=':
          return !equals(a, b);
        case '<':
          return compare('_<_', a, b) < 0;
        case '<=':
          return compare('_<=_', a, b) <= 0;
        case '>':
          return compare('_>_', a, b) > 0;
        case '>=':
          return compare('_>=_', a, b) >= 0;
        case 'in':
          if (isList(b)) return b.some((e) => equals(a, e));
          if (isMap(b)) return mapGet(b, a) !== MISSING;
          throw noOverload('@in', [a, b]);
        default:
          return arith(node.op, a, b);
      }
    }
    case 'logic': {
      // CEL's commutative && and ||: the deciding value (false for &&, true for ||) on either
      // side wins over an error or a non-bool on the other; otherwise the error is reported.
      const decisive = node.op === '||';
      const left = tryBool(node.left, scope, `_${node.op}_`);
      if (left === decisive) return decisive;
      const right = tryBool(node.right, scope, `_${node.op}_`);
      if (right === decisive) return decisive;
      if (left instanceof CelError) throw left;
      if (right instanceof CelError) throw right;
      return !decisive;
    }
    case 'cond': {
      const test = evaluate(node.test, scope);
      if (typeof test !== 'boolean') throw noOverload('_?_:_', [test]);
      return evaluate(test ? node.onTrue : node.onFalse, scope);
    }
    case 'comp':
      return comprehension(node, scope);
  }
}

function comprehension(node: Extract<Node, { kind: 'comp' }>, scope: Scope | undefined): unknown {
  const range = evaluate(node.range, scope);
  if (!isList(range) && !isMap(range)) throw noOverload(node.macro, [range]);
  const items = isList(range) ? range : mapKeys(range); // maps iterate over their keys
  const out: unknown[] = [];
  let count = 0;
  let error: CelError | undefined;
  for (const item of items) {
    const inner: Scope = { name: node.iterVar, value: item, parent: scope };
    if (node.macro === 'all' || node.macro === 'exists') {
      // Error absorption as for && (all) and || (exists): one deciding element is enough.
      const decisive = node.macro === 'exists';
      const v = node.pred ? tryBool(node.pred, inner, node.macro) : decisive;
      if (v === decisive) return decisive;
      if (v instanceof CelError) error ??= v;
      continue;
    }
    let keep = true;
    if (node.pred) {
      const v = evaluate(node.pred, inner);
      if (typeof v !== 'boolean') throw noOverload(node.macro, [v]);
      keep = v;
    }
    if (node.macro === 'exists_one') count += keep ? 1 : 0;
    else if (keep) out.push(node.result ? evaluate(node.result, inner) : item);
  }
  if (error) throw error;
  if (node.macro === 'all' || node.macro === 'exists') return node.macro === 'all';
  return node.macro === 'exists_one' ? count === 1 : out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Parses and checks a CEL expression once; the returned program evaluates it against `self`
 * (and `oldSelf`, for transition rules). Throws CelError for a syntax error or an unsupported
 * construct, and from the program for an evaluation error. Results are plain JS values.
 */
export function compileCel(expression: string): CelProgram {
  const ast = new Parser(expression, lex(expression)).parse();
  check(ast, new Set(['self', 'oldSelf']));
  return (vars) => {
    const root: Scope = { name: 'self', value: vars.self ?? null, parent: undefined };
    const scope =
      vars.oldSelf === undefined ? root : { name: 'oldSelf', value: vars.oldSelf, parent: root };
    return toJs(evaluate(ast, scope));
  };
}
