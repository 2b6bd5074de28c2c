import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CelError, compileCel } from './cel.js';

/** Compiles and runs `expr` against `self` (and `oldSelf` when given). */
function run(expr: string, self: unknown = {}, oldSelf?: unknown): unknown {
  const program = compileCel(expr);
  return oldSelf === undefined ? program({ self }) : program({ self, oldSelf });
}

/** Asserts that evaluating (or compiling) `expr` throws a CelError whose message matches. */
function assertCelError(expr: string, message: RegExp, self: unknown = {}): void {
  assert.throws(
    () => run(expr, self),
    (e: unknown) => e instanceof CelError && message.test(e.message),
    `${expr} should fail with ${String(message)}`,
  );
}

/** Asserts that compileCel itself rejects `expr`. */
function assertCompileError(expr: string, message: RegExp): void {
  assert.throws(
    () => compileCel(expr),
    (e: unknown) => e instanceof CelError && message.test(e.message),
    `${expr} should not compile (${String(message)})`,
  );
}

void test('literals', () => {
  assert.equal(run('42'), 42);
  assert.equal(run('0x1F'), 31);
  assert.equal(run('7u'), 7);
  assert.equal(run('2.5'), 2.5);
  assert.equal(run('1e3'), 1000);
  assert.equal(run('.5'), 0.5);
  assert.equal(run('true'), true);
  assert.equal(run('null'), null);
  assert.equal(run(`'single'`), 'single');
  assert.equal(run(`"double"`), 'double');
  assert.equal(run(`'it\\'s'`), "it's");
  assert.equal(run(`"tab\\tnew\\nline"`), 'tab\tnew\nline');
  assert.equal(run(`'\\x41\\u00e9\\U0001F600\\101'`), 'Aé😀A');
  assert.equal(run(`r'\\d+\\.'`), '\\d+\\.');
  assert.equal(run(`R"raw\\n"`), 'raw\\n');
  assert.equal(run(`'''multi\nline'''`), 'multi\nline');
  assert.deepEqual(run('[1, "a", [true], ]'), [1, 'a', [true]]);
  assert.deepEqual(run(`{'a': 1, 'b': {'c': null}}`), { a: 1, b: { c: null } });
  assert.deepEqual(run('[]'), []);
  assert.deepEqual(run('{}'), {});
  assert.equal(run('1 // a comment\n + 1'), 2);
});

void test('integer, uint and double arithmetic', () => {
  assert.equal(run('1 + 2 * 3'), 7);
  assert.equal(run('(1 + 2) * 3'), 9);
  assert.equal(run('10 - 4 - 3'), 3, 'left associative');
  assert.equal(run('7 / 2'), 3, 'integer division truncates');
  assert.equal(run('-7 / 2'), -3, 'toward zero');
  assert.equal(run('-7 % 3'), -1, 'remainder takes the sign of the dividend');
  assert.equal(run('7.0 / 2.0'), 3.5);
  assert.equal(run('3u * 2u'), 6);
  assert.equal(run('--5'), 5);
  assert.equal(run('-(2 + 3)'), -5);
  assert.equal(run('self.ratio * 2', { ratio: 0.25 }), 0.5, 'fractional JSON numbers are doubles');
  assert.equal(run('self.n + 0.5', { n: 1 }), 1.5, 'int and double mix (lenient, see cel.ts)');
  assert.equal(run('-9223372036854775808 < 0'), true);
  assertCelError('1 / 0', /^divide by zero$/);
  assertCelError('1 % 0', /^modulus by zero$/);
  assertCelError('self.n * self.n', /^integer overflow$/, { n: 4e9 * 4e9 });
  assertCelError('1u - 2u', /^unsigned integer overflow$/);
  assertCelError('1 + 1u', /^no such overload: _\+_\(int, uint\)$/);
  assertCelError('5.0 % 2.0', /no such overload: _%_\(double, double\)/);
  assertCelError(`'a' + 1`, /^no such overload: _\+_\(string, int\)$/);
  assertCelError('-1u', /no such overload: -_\(uint\)/);
  assertCompileError('99999999999999999999', /integer literal out of range/);
});

void test('string and list concatenation', () => {
  assert.equal(run(`'foo' + "bar"`), 'foobar');
  assert.deepEqual(run('[1, 2] + [3]'), [1, 2, 3]);
  assert.deepEqual(run('self + ["c"]', ['a', 'b']), ['a', 'b', 'c']);
  assertCelError('[1] + 2', /no such overload: _\+_\(list, int\)/);
});

void test('comparison and equality', () => {
  assert.equal(run('1 < 2'), true);
  assert.equal(run('2 <= 2'), true);
  assert.equal(run('3 > 4'), false);
  assert.equal(run('4 >= 5'), false);
  assert.equal(run(`'abc' < 'abd'`), true);
  assert.equal(run('false < true'), true);
  assert.equal(run('1 < 1.5 && 2u > 1'), true, 'numeric ordering across types');
  assert.equal(run('1 == 1.0 && 1u == 1'), true, 'numeric equality across types (practical)');
  assert.equal(run(`1 == '1'`), false, 'unrelated types are unequal');
  assert.equal(run('null == null'), true);
  assert.equal(run('self.a == null', { a: null }), true);
  assert.equal(run('[1, [2, 3]] == [1, [2, 3]]'), true, 'deep list equality');
  assert.equal(run('[1, 2] == [2, 1]'), false);
  assert.equal(run(`{'a': 1, 'b': [1]} == {'b': [1], 'a': 1}`), true, 'map equality ignores order');
  assert.equal(run(`self == {'x': 1, 'y': {'z': 'q'}}`, { x: 1, y: { z: 'q' } }), true);
  assert.equal(run(`self != {'x': 1}`, { x: 1, y: 2 }), true);
  assert.equal(run('0.0 / 0.0 == 0.0 / 0.0'), false, 'NaN');
  assertCelError(`1 < 'a'`, /^no such overload: _<_\(int, string\)$/);
  assertCelError('[1] < [2]', /no such overload: _<_\(list, list\)/);
});

void test('precedence', () => {
  assert.equal(run('true || false && false'), true, '&& binds tighter than ||');
  assert.equal(run('!false && false'), false, '! binds tighter than &&');
  assert.equal(run('1 + 2 == 3'), true, 'arithmetic binds tighter than ==');
  assert.equal(run('1 < 2 == true'), true, 'relations share a level, left associative');
  assert.equal(run('2 in [1, 2] && true'), true);
  assert.equal(run('false ? 1 : true ? 2 : 3'), 2, 'conditional is right associative');
  assert.equal(run('true ? 1 + 1 : 0'), 2);
  assert.equal(run('1 + 2 * 3 - 4 / 2 % 3'), 5);
  assert.equal(run('-self.a.b', { a: { b: 3 } }), -3, 'member access binds tighter than unary');
  assert.equal(run('!self.a', { a: false }), true);
});

void test('&& and || absorb errors on either side', () => {
  const self = { a: 1 };
  assert.equal(run('false && self.missing', self), false);
  assert.equal(run('self.missing && false', self), false, 'commutative: error && false');
  assert.equal(run('true || self.missing', self), true);
  assert.equal(run('self.missing || true', self), true, 'commutative: error || true');
  assert.equal(run('1 / 0 > 1 || self.a == 1', self), true);
  assert.equal(run(`false && 'not a bool'`), false, 'a non-bool is absorbed like an error');
  assertCelError('self.missing && true', /^no such key: missing$/, self);
  assertCelError('false || self.missing', /^no such key: missing$/, self);
  assertCelError(`true && 'x'`, /no such overload: _&&_\(string\)/);
  assertCelError('self.x || self.y', /^no such key: x$/, {});
  // ?: evaluates only the chosen branch.
  assert.equal(run('true ? 1 : 1 / 0'), 1);
  assertCelError('1 ? 2 : 3', /no such overload: _\?_:_\(int\)/);
  assertCelError('!1', /no such overload: !_\(int\)/);
});

void test('field selection, indexing and has()', () => {
  const self = { spec: { replicas: 3, tags: ['a', 'b'], labels: { app: 'x' } }, 'foo-bar': 1 };
  assert.equal(run('self.spec.replicas', self), 3);
  assert.equal(run('self.spec.tags[1]', self), 'b');
  assert.equal(run(`self.spec.labels['app']`, self), 'x');
  assert.equal(run(`self['spec']['replicas']`, self), 3);
  assert.equal(run('self.spec.tags[1u]', self), 'b');
  assert.equal(run(`{1: 'one', true: 'yes'}[1]`), 'one');
  assert.equal(run(`{1: 'one'}[1u]`), 'one', 'numeric keys compare numerically');
  assertCelError('self.spec.missing', /^no such key: missing$/, self);
  assertCelError('self.nope.deeper', /^no such key: nope$/, self);
  assertCelError(`self.spec.labels['nope']`, /^no such key: nope$/, self);
  assertCelError('self.spec.tags[2]', /^index out of range: 2$/, self);
  assertCelError('self.spec.tags[-1]', /^index out of range: -1$/, self);
  assertCelError('self.spec.replicas.x', /does not support field selection/, self);
  assertCelError(`self.spec.tags['a']`, /no such overload: _\[_\]\(list, string\)/, self);
  assertCelError(`{'a': 1, 'a': 2}`, /repeated key: a/);

  assert.equal(run('has(self.spec)', self), true);
  assert.equal(run('has(self.spec.replicas)', self), true);
  assert.equal(run('has(self.spec.nope)', self), false);
  assert.equal(run('has(self.spec.labels.app)', self), true, 'has() on a map key');
  assert.equal(run(`has({'k': 1}.k)`), true);
  assert.equal(run('has(self.a)', { a: null }), true, 'present with a null value');
  assertCelError('has(self.nope.deeper)', /^no such key: nope$/, self);
  assertCompileError('has(self)', /invalid argument to has\(\) macro/);
  assertCompileError('has(self.a, self.b)', /invalid argument to has\(\) macro/);

  // Kubernetes property-name escaping for names that are not CEL identifiers.
  assert.equal(run('self.foo__dash__bar', self), 1);
  assert.equal(run('self.__namespace__', { namespace: 'ns' }), 'ns');
  assert.equal(run('has(self.a__dot__b)', { 'a.b': 1 }), true);
  assert.equal(run('self.x__slash__y__underscores__z', { 'x/y__z': 2 }), 2);
  assertCompileError('self.namespace', /reserved identifier 'namespace'/);
});

void test('in', () => {
  assert.equal(run('2 in [1, 2, 3]'), true);
  assert.equal(run('[2] in [[1], [2]]'), true);
  assert.equal(run(`'x' in ['a']`), false);
  assert.equal(run(`'app' in self`, { app: 1 }), true, 'maps test their keys');
  assert.equal(run(`'other' in self`, { app: 1 }), false);
  assertCelError(`'a' in 'abc'`, /no such overload: @in\(string, string\)/);
});

void test('size() as a function and a method', () => {
  assert.equal(run(`size('héllo')`), 5, 'code points, not bytes');
  assert.equal(run(`'😀😀'.size()`), 2, 'code points, not UTF-16 units');
  assert.equal(run('size(self)', [1, 2, 3]), 3);
  assert.equal(run('self.size()', { a: 1, b: 2 }), 2);
  assertCelError('size(1)', /^no such overload: size\(int\)$/);
});

void test('string functions', () => {
  assert.equal(run(`'hello'.startsWith('he')`), true);
  assert.equal(run(`'hello'.endsWith('lo')`), true);
  assert.equal(run(`'hello'.contains('ell')`), true);
  assert.equal(run(`'HeLLo-Ä'.lowerAscii()`), 'hello-Ä', 'ASCII only');
  assert.equal(run(`'hello-ä'.upperAscii()`), 'HELLO-ä');
  assert.equal(run(`'  pad \\t'.trim()`), 'pad');
  assert.equal(run(`'abc'.charAt(1)`), 'b');
  assert.equal(run(`'abc'.charAt(3)`), '');
  assert.equal(run(`'hello'.indexOf('l')`), 2);
  assert.equal(run(`'hello'.indexOf('l', 3)`), 3);
  assert.equal(run(`'hello'.indexOf('z')`), -1);
  assert.equal(run(`'hello'.lastIndexOf('l')`), 3);
  assert.equal(run(`'hello'.lastIndexOf('l', 2)`), 2);
  assert.equal(run(`'😀a😀a'.indexOf('a', 2)`), 3, 'code point offsets');
  assert.equal(run(`'hello'.substring(1)`), 'ello');
  assert.equal(run(`'hello'.substring(1, 3)`), 'el');
  assert.deepEqual(run(`'a,b,c'.split(',')`), ['a', 'b', 'c']);
  assert.deepEqual(run(`'a,b,c'.split(',', 2)`), ['a', 'b,c']);
  assert.deepEqual(run(`'abc'.split('')`), ['a', 'b', 'c']);
  assert.deepEqual(run(`'a'.split(',', 0)`), []);
  assert.equal(run(`['a', 'b'].join()`), 'ab');
  assert.equal(run(`['a', 'b'].join('-')`), 'a-b');
  assert.equal(run(`'banana'.replace('a', 'o')`), 'bonono');
  assert.equal(run(`'banana'.replace('a', 'o', 2)`), 'bonona');
  assert.equal(run(`'ab'.replace('', '-')`), '-a-b-');
  assertCelError(`'abc'.charAt(4)`, /^index out of range: 4$/);
  assertCelError(`'abc'.substring(2, 1)`, /^index out of range: 1$/);
  assertCelError(`'abc'.indexOf('a', 9)`, /^index out of range: 9$/);
  assertCelError(`[1].join()`, /no such overload: join/);
  assertCelError(`'a'.startsWith(1)`, /^no such overload: startsWith\(string, int\)$/);
});

void test('matches() with RE2 patterns', () => {
  assert.equal(run(`'abc123'.matches('[0-9]+')`), true, 'unanchored search, like RE2');
  assert.equal(run(`'abc'.matches('^[a-z]+$')`), true);
  assert.equal(run(`matches('ABC', '^[a-z]+$')`), false);
  assert.equal(run(`'ABC'.matches('(?i)^[a-z]+$')`), true, 'RE2 flag group');
  assert.equal(run(`'a-b'.matches('^a\\\\-b\\\\z')`), true, 'RE2-only \\z and escaped -');
  assert.equal(run(`'ab'.matches(r'^(?P<x>a)b$')`), true, 'named groups');
  assert.equal(run(`'é'.matches('^\\\\p{L}$')`), true);
  assert.equal(run('self.x.matches(self.re)', { x: 'v1', re: '^v[0-9]+$' }), true);
  assertCompileError(`'a'.matches('(')`, /invalid regular expression/);
  assertCelError('self.matches(self)', /invalid regular expression/, '(');
});

void test('conversions and type()', () => {
  assert.equal(run('int(3.9)'), 3);
  assert.equal(run('int(-3.9)'), -3);
  assert.equal(run(`int('42')`), 42);
  assert.equal(run('int(7u)'), 7);
  assert.equal(run('uint(5)'), 5);
  assert.equal(run('double(1) / 2.0'), 0.5);
  assert.equal(run(`double('2.5')`), 2.5);
  assert.equal(run('string(12)'), '12');
  assert.equal(run('string(1.5)'), '1.5');
  assert.equal(run('string(true)'), 'true');
  assert.equal(run(`bool('true')`), true);
  assert.equal(run('dyn(1) + 1'), 2);
  assert.equal(run('type(1) == int'), true);
  assert.equal(run('type(1.0) == double && type(1u) == uint'), true);
  assert.equal(run(`type('s') == string && type([]) == list && type({}) == map`), true);
  assert.equal(run('type(self)', { a: 1 }), 'map');
  assert.equal(run('type(null) == null_type && type(int) == type'), true);
  assertCelError(`int('x')`, /cannot convert 'x' to int/);
  assertCelError('uint(-1)', /range error converting -1 to uint/);
  assertCelError('int(1e30)', /range error/);
  assertCelError('string([1])', /no such overload: string\(list\)/);
});

void test('macros on lists', () => {
  assert.equal(run('self.all(x, x > 0)', [1, 2, 3]), true);
  assert.equal(run('self.all(x, x > 1)', [1, 2, 3]), false);
  assert.equal(run('[].all(x, false)'), true);
  assert.equal(run('self.exists(x, x == 2)', [1, 2, 3]), true);
  assert.equal(run('[].exists(x, true)'), false);
  assert.equal(run('self.exists_one(x, x > 2)', [1, 2, 3]), true);
  assert.equal(run('self.exists_one(x, x > 1)', [1, 2, 3]), false);
  assert.deepEqual(run('self.map(x, x * 2)', [1, 2, 3]), [2, 4, 6]);
  assert.deepEqual(run('self.map(x, x > 1, x * 10)', [1, 2, 3]), [20, 30]);
  assert.deepEqual(run('self.filter(x, x % 2 == 1)', [1, 2, 3]), [1, 3]);
  assert.deepEqual(run('self.map(x, x.name).filter(n, n != "b")', [{ name: 'a' }, { name: 'b' }]), [
    'a',
  ]);
  assert.equal(
    run('self.all(x, self.exists(y, x == y))', [1, 2]),
    true,
    'nested, outer var visible',
  );
  assert.deepEqual(run('self.map(x, [x].map(x, x + 1))', [1]), [[2]], 'inner variable shadows');
  // all/exists absorb errors like &&/||; other macros propagate them.
  assert.equal(run('self.all(x, x.a == 1)', [{ b: 1 }, { a: 2 }]), false);
  assert.equal(run('self.exists(x, x.a == 1)', [{ b: 1 }, { a: 1 }]), true);
  assertCelError('self.all(x, x.a == 1)', /^no such key: a$/, [{ b: 1 }, { a: 1 }]);
  assertCelError('self.exists(x, x.a == 1)', /^no such key: a$/, [{ b: 1 }, { a: 2 }]);
  assertCelError('self.map(x, x.a)', /^no such key: a$/, [{ b: 1 }]);
  assertCelError('self.filter(x, x)', /no such overload: filter\(int\)/, [1]);
  assertCelError('self.all(x, true)', /no such overload: all\(int\)/, 5);
  assertCompileError('self.all(x.y, true)', /must be a simple name/);
  assertCompileError('self.all(x, true, 1)', /wrong number of arguments/);
  assertCompileError('self.all(x, y > 0)', /undeclared reference to 'y'/);
});

void test('macros on maps iterate over keys', () => {
  const self = { a: 1, bb: 2 };
  assert.equal(run('self.all(k, k.size() <= 2)', self), true);
  assert.equal(run('self.exists(k, self[k] == 2)', self), true);
  assert.deepEqual(run('self.map(k, k + "!")', self), ['a!', 'bb!']);
  assert.deepEqual(run('self.filter(k, self[k] > 1)', self), ['bb']);
  assert.equal(run(`{'x': 1}.exists_one(k, k == 'x')`), true);
});

void test('Kubernetes list extensions', () => {
  assert.equal(run('[1, 2, 2, 3].isSorted()'), true);
  assert.equal(run(`['b', 'a'].isSorted()`), false);
  assert.equal(run('[1, 2, 3].sum()'), 6);
  assert.equal(run('[0.5, 1.5].sum()'), 2);
  assert.equal(run('[].sum()'), 0);
  assert.equal(run(`[duration('1m'), duration('30s')].sum() == duration('90s')`), true);
  assert.equal(run('[3, 1, 2].min()'), 1);
  assert.equal(run(`['b', 'c', 'a'].max()`), 'c');
  assert.equal(run('[1, 2, 1].indexOf(1)'), 0);
  assert.equal(run('[1, 2, 1].lastIndexOf(1)'), 2);
  assert.equal(run('[[1], [2]].indexOf([2])'), 1);
  assert.equal(run('[1].indexOf(5)'), -1);
  assertCelError('[].min()', /empty list/);
  assertCelError(`[1, 'a'].max()`, /no such overload: max/);
});

void test('durations and timestamps', () => {
  assert.equal(run(`duration('1h30m') == duration('90m')`), true);
  assert.equal(run(`duration('1h') > duration('59m59s')`), true);
  assert.equal(run(`duration('1.5s') < duration('1500ms')`), false);
  assert.equal(run(`string(duration('1h30m'))`), '5400s');
  assert.equal(run(`string(duration('-1.5s'))`), '-1.5s');
  assert.equal(run(`duration('90m').getHours()`), 1);
  assert.equal(run(`duration('90m').getMinutes()`), 90);
  assert.equal(run(`duration('2m') + duration('30s')`), '150s');
  const ts = `timestamp('2024-02-29T13:45:30.25+02:00')`;
  assert.equal(run(ts), '2024-02-29T11:45:30.25Z');
  assert.equal(run(`${ts}.getFullYear()`), 2024);
  assert.equal(run(`${ts}.getMonth()`), 1, '0-based');
  assert.equal(run(`${ts}.getDate()`), 29, '1-based');
  assert.equal(run(`${ts}.getDayOfMonth()`), 28, '0-based');
  assert.equal(run(`${ts}.getDayOfYear()`), 59);
  assert.equal(run(`${ts}.getDayOfWeek()`), 4, 'Thursday');
  assert.equal(run(`${ts}.getHours()`), 11, 'UTC by default');
  assert.equal(run(`${ts}.getHours('+02:00')`), 13);
  assert.equal(run(`${ts}.getHours('Asia/Kolkata')`), 17);
  assert.equal(run(`${ts}.getMilliseconds()`), 250);
  assert.equal(run(`timestamp('2024-01-01T00:00:00Z') + duration('36h')`), '2024-01-02T12:00:00Z');
  assert.equal(
    run(`timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == duration('24h')`),
    true,
  );
  assert.equal(
    run('timestamp(self.t) < timestamp(self.u)', {
      t: '2024-01-01T00:00:00Z',
      u: '2025-01-01T00:00:00Z',
    }),
    true,
  );
  assert.equal(run(`int(timestamp('1970-01-01T00:01:00Z'))`), 60);
  assert.equal(run('timestamp(86400)'), '1970-01-02T00:00:00Z');
  assertCelError(`duration('5 minutes')`, /invalid duration/);
  assertCelError(`timestamp('2024-02-30T00:00:00Z')`, /invalid timestamp/);
  assertCelError(`timestamp('2024-01-01')`, /invalid timestamp/);
  assertCelError(`timestamp('9999-12-31T23:59:59Z') + duration('1s')`, /timestamp out of range/);
  assertCelError(`duration('1s') < 1`, /no such overload: _<_\(google.protobuf.Duration, int\)/);
  assertCelError(`timestamp('2024-01-01T00:00:00Z').getHours('Mars/Base')`, /invalid time zone/);
});

void test('compile-time errors', () => {
  assertCompileError('', /Syntax error: unexpected end of input at 1:1/);
  assertCompileError('1 +', /Syntax error/);
  assertCompileError('(1 + 2', /expected '\)'/);
  assertCompileError('self.a b', /unexpected 'b'/);
  assertCompileError('self.\n  1', /at 2:3/);
  assertCompileError(`'unterminated`, /unterminated string/);
  assertCompileError(`'bad \\q escape'`, /invalid escape sequence/);
  assertCompileError(`b'bytes'`, /bytes literals are not supported/);
  assertCompileError('self.?a', /optional syntax is not supported/);
  assertCompileError('a = 1', /unexpected character '='/);
  assertCompileError('foo', /undeclared reference to 'foo'/);
  assertCompileError('nosuch(1)', /undeclared reference to 'nosuch'/);
  assertCompileError(`'a'.size(1)`, /no matching overload for 'size'/);
  assertCompileError(`startsWith('a', 'b')`, /undeclared reference to 'startsWith'/);
  assertCompileError('[1, 2,,]', /Syntax error/);
  assertCompileError('f(1,)', /Syntax error/);
  assertCompileError('('.repeat(300) + '1' + ')'.repeat(300), /nested too deeply/);
});

void test('a program compiles once and evaluates many times', () => {
  const program = compileCel('self.size() <= 3');
  assert.equal(program({ self: 'abc' }), true);
  assert.equal(program({ self: 'abcd' }), false);
  assert.equal(program({ self: [1] }), true);
});

void test('real CRD validation rules', () => {
  // Exactly one of two mutually exclusive fields.
  const oneOf = compileCel(
    'has(self.includedManagedClusters) != has(self.includedManagedClustersPlacementRef)',
  );
  assert.equal(oneOf({ self: { includedManagedClusters: ['a'] } }), true);
  assert.equal(oneOf({ self: { includedManagedClustersPlacementRef: { name: 'p' } } }), true);
  assert.equal(oneOf({ self: {} }), false);
  assert.equal(
    oneOf({ self: { includedManagedClusters: [], includedManagedClustersPlacementRef: {} } }),
    false,
  );

  const distinct = compileCel('self.from != self.to');
  assert.equal(distinct({ self: { from: 'hub-a', to: 'hub-b' } }), true);
  assert.equal(distinct({ self: { from: 'hub-a', to: 'hub-a' } }), false);

  // Immutability: a transition rule; oldSelf is only bound on update.
  const immutable = compileCel('self == oldSelf');
  assert.equal(immutable({ self: { a: [1, { b: 2 }] }, oldSelf: { a: [1, { b: 2 }] } }), true);
  assert.equal(immutable({ self: 'x', oldSelf: 'y' }), false);
  assert.throws(() => immutable({ self: 'x' }), /no such attribute: oldSelf/);

  const names = compileCel('self.all(x, x.size() <= 63)');
  assert.equal(names({ self: ['cluster-1', 'c'.repeat(63)] }), true);
  assert.equal(names({ self: ['cluster-1', 'c'.repeat(64)] }), false);

  const optionalPattern = compileCel(`!has(self.a) || self.a.matches('^[a-z]+$')`);
  assert.equal(optionalPattern({ self: {} }), true);
  assert.equal(optionalPattern({ self: { a: 'abc' } }), true);
  assert.equal(optionalPattern({ self: { a: 'ABC' } }), false);

  const bounded = compileCel('size(self.items) <= 5000');
  assert.equal(bounded({ self: { items: Array.from({ length: 5000 }, (_, i) => i) } }), true);
  assert.equal(bounded({ self: { items: Array.from({ length: 5001 }, (_, i) => i) } }), false);

  const uniqueNames = compileCel('self.all(x, self.exists_one(y, y.name == x.name))');
  assert.equal(uniqueNames({ self: [{ name: 'a' }, { name: 'b' }] }), true);
  assert.equal(uniqueNames({ self: [{ name: 'a' }, { name: 'a' }] }), false);

  const batchSize = compileCel(
    `!has(self.batchSize) || (self.batchSize >= 1 && self.batchSize <= size(self.clusters))`,
  );
  assert.equal(batchSize({ self: { batchSize: 2, clusters: ['a', 'b', 'c'] } }), true);
  assert.equal(batchSize({ self: { batchSize: 0, clusters: ['a'] } }), false);

  const grace = compileCel(`duration(self.timeout) <= duration('1h')`);
  assert.equal(grace({ self: { timeout: '30m' } }), true);
  assert.equal(grace({ self: { timeout: '2h' } }), false);

  // Only allow the phase to move forward (transition rule with a literal list).
  const forward = compileCel(
    `['Pending', 'Running', 'Done'].indexOf(self) >= ['Pending', 'Running', 'Done'].indexOf(oldSelf)`,
  );
  assert.equal(forward({ self: 'Running', oldSelf: 'Pending' }), true);
  assert.equal(forward({ self: 'Pending', oldSelf: 'Done' }), false);

  const labels = compileCel(
    `self.all(k, k.size() <= 63 && k.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'))`,
  );
  assert.equal(labels({ self: { app: 'x', 'tier.web': 'y' } }), true);
  assert.equal(labels({ self: { App: 'x' } }), false);
});
