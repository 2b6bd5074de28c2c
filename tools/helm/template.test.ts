// The template renderer against Go text/template + Helm behaviour, and its refusals: everything
// outside the subset must fail with the template's name and line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GoStruct, TemplateError, TemplateSet, formatFloat, renderString } from './template.js';

const values = {
  Values: {
    name: 'hub',
    replicas: 2,
    big: 1000000,
    empty: '',
    zero: 0,
    on: true,
    off: false,
    list: ['a', 'b'],
    map: { z: 1, a: 'x', m: { k: 'v' } },
    nothing: null,
  },
  Release: new GoStruct('*chart.Release', { Name: 'rel', Namespace: 'ns' }),
};
const r = (src: string) => renderString(src, values, 'templates/t.yaml');

function throwsAt(src: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => r(src),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError, `not a TemplateError: ${String(e)}`);
      assert.equal(e.template, 'templates/t.yaml');
      assert.equal(e.line, line, e.message);
      assert.match(e.message, pattern);
      assert.ok(e.message.startsWith(`templates/t.yaml:${line}: `), e.message);
      return true;
    },
  );
}

describe('substitution', () => {
  test('fields, variables, literals and missing keys', () => {
    assert.equal(r('n={{ .Values.name }} r={{ .Values.replicas }}'), 'n=hub r=2');
    assert.equal(
      r('{{ $.Values.map.m.k }}/{{ .Release.Name }}.{{ .Release.Namespace }}'),
      'v/rel.ns',
    );
    assert.equal(r('[{{ .Values.missing }}]'), '[]'); // Helm drops "<no value>"
    assert.equal(r('[{{ .Values.nothing }}]'), '[<nil>]');
    assert.equal(
      r('{{ "a\\tb" }} {{ `raw\\n` }} {{ 3 }} {{ 1.5 }} {{ true }}'),
      'a\tb raw\\n 3 1.5 true',
    );
    assert.equal(r('{{ .Values.big }} {{ .Values.zero }}'), '1e+06 0');
  });

  test('floats print as Go prints float64', () => {
    assert.equal(formatFloat(100000), '100000');
    assert.equal(formatFloat(1000000), '1e+06');
    assert.equal(formatFloat(1234567), '1.234567e+06');
    assert.equal(formatFloat(0.5), '0.5');
    assert.equal(formatFloat(0.00001), '1e-05');
  });

  test('a field of a missing key is a nil pointer error, as in Helm', () => {
    throwsAt(
      'a\nb\n{{ .Values.missing.deeper }}',
      3,
      /nil pointer evaluating interface \{\}\.deeper/,
    );
  });

  test('a field a struct does not have is an error', () => {
    throwsAt('{{ .Release.Revision }}', 1, /can't evaluate field Revision in type \*chart.Release/);
    throwsAt('{{ .Values.name.x }}', 1, /can't evaluate field x in type string/);
  });

  test('whitespace trimming with {{- and -}}', () => {
    assert.equal(r('a:\n  {{- " b" }}\n\n{{- /* gone */ -}}\n  c'), 'a: bc');
    assert.equal(r('x {{- 1 -}} y'), 'x1y');
    // "{{-3}}" is the number -3, not a trim marker.
    assert.equal(r('x {{-3}} y'), 'x -3 y');
  });

  test('comments render nothing', () => {
    assert.equal(r('a{{/* one\n two */}}b'), 'ab');
  });
});

describe('control structures', () => {
  test('if / else if / else', () => {
    const src =
      '{{ if .Values.off }}1{{ else if .Values.empty }}2{{ else if .Values.list }}3{{ else }}4{{ end }}';
    assert.equal(r(src), '3');
    assert.equal(r('{{ if .Values.zero }}y{{ else }}n{{ end }}'), 'n');
    assert.equal(r('{{ if .Values.map }}y{{ end }}'), 'y');
    assert.equal(r('{{ if .Values.missing }}y{{ end }}'), '');
  });

  test('range over lists and maps (sorted keys), with variables and else', () => {
    assert.equal(r('{{ range .Values.list }}<{{ . }}>{{ end }}'), '<a><b>');
    assert.equal(r('{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}'), '0=a;1=b;');
    assert.equal(r('{{ range $k, $v := .Values.map }}{{ $k }} {{ end }}'), 'a m z ');
    assert.equal(r('{{ range .Values.missing }}x{{ else }}none{{ end }}'), 'none');
    assert.equal(r('{{ range .Values.list }}{{ $.Values.name }}{{ end }}'), 'hubhub');
  });

  test('with changes dot and has an else', () => {
    assert.equal(r('{{ with .Values.map.m }}{{ .k }}{{ end }}'), 'v');
    assert.equal(r('{{ with .Values.empty }}x{{ else }}{{ .Values.name }}{{ end }}'), 'hub');
  });

  test('variables are scoped to their block and can be reassigned', () => {
    assert.equal(
      r('{{ $x := "a" }}{{ if true }}{{ $x = "b" }}{{ $y := 1 }}{{ end }}{{ $x }}'),
      'b',
    );
    throwsAt('{{ if true }}{{ $y := 1 }}{{ end }}\n{{ $y }}', 2, /undefined variable: \$y/);
  });

  test('define, include and template share named templates across files', () => {
    const set = new TemplateSet();
    set.add(
      'templates/_helpers.tpl',
      '{{- define "name" -}}\n{{ .Values.name }}-x\n{{- end }}\n{{- define "block" -}}\na: 1\nb: {{ include "name" . }}\n{{- end }}',
    );
    set.add(
      'templates/cm.yaml',
      'name: {{ include "name" . | quote }}\ndata:\n  {{- include "block" . | nindent 2 }}\n{{ template "name" . }}',
    );
    assert.equal(
      set.render('templates/cm.yaml', values),
      'name: "hub-x"\ndata:\n  a: 1\n  b: hub-x\nhub-x',
    );
    assert.throws(
      () => set.add('templates/other.tpl', '{{ define "name" }}{{ end }}'),
      /already defined/,
    );
    assert.throws(() => renderString('{{ include "nope" . }}', values), /no template "nope"/);
  });

  test('recursion is bounded', () => {
    assert.throws(
      () => renderString('{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}', {}),
      /maximum nesting depth/,
    );
  });
});

describe('functions', () => {
  test('toYaml sorts keys like sigs.k8s.io/yaml and nindent/indent pad every line', () => {
    assert.equal(r('{{ toYaml .Values.map }}'), 'a: x\nm:\n  k: v\nz: 1');
    assert.equal(r('x:{{ toYaml .Values.list | nindent 2 }}'), 'x:\n  - a\n  - b');
    assert.equal(r('{{ "a\\nb" | indent 3 }}'), '   a\n   b');
    assert.equal(r('{{ toYaml "yes" }}|{{ toYaml .Values.missing }}'), '"yes"|null');
  });

  test('quote, squote, default, required', () => {
    assert.equal(r('{{ quote .Values.name 2 .Values.replicas }}'), '"hub" "2" "2"');
    assert.equal(r('{{ .Values.name | squote }}'), "'hub'");
    assert.equal(r('{{ .Values.empty | default "d" }} {{ .Values.name | default "d" }}'), 'd hub');
    assert.equal(r('{{ default "d" .Values.zero }}'), 'd');
    assert.equal(r('{{ required "need a name" .Values.name }}'), 'hub');
    throwsAt('\n{{ required "need a name" .Values.empty }}', 2, /need a name/);
    throwsAt('{{ fail "stop here" }}', 1, /stop here/);
  });

  test('comparisons follow Go: int and float64 do not compare', () => {
    assert.equal(
      r('{{ eq .Values.name "hub" }} {{ ne .Values.name "hub" }} {{ eq "b" "a" "b" }}'),
      'true false true',
    );
    assert.equal(
      r('{{ gt (int .Values.replicas) 1 }} {{ lt 1 2 }} {{ ge 2.5 2.5 }}'),
      'true true true',
    );
    throwsAt('{{ eq .Values.replicas 2 }}', 1, /incompatible types for comparison/);
    throwsAt('{{ eq .Values.missing "x" }}', 1, /invalid type for comparison/);
    throwsAt('{{ eq .Values.list "x" }}', 1, /non-comparable type/);
  });

  test('and/or return the deciding value and short-circuit; not negates', () => {
    assert.equal(
      r('{{ and .Values.name .Values.replicas }}|{{ or .Values.empty "fallback" }}'),
      '2|fallback',
    );
    assert.equal(r('{{ or .Values.name (fail "not evaluated") }}'), 'hub');
    assert.equal(r('{{ not .Values.off }} {{ not .Values.list }}'), 'true false');
  });

  test('printf, trunc, trimSuffix, len, dict, list', () => {
    assert.equal(
      r('{{ printf "%s-%d-%v %q 100%%" .Values.name 3 .Values.on "q" }}'),
      'hub-3-true "q" 100%',
    );
    assert.equal(
      r('{{ trunc 5 "abcdefgh" }} {{ trunc -3 "abcdefgh" }} {{ trunc 63 "ab" }}'),
      'abcde fgh ab',
    );
    assert.equal(r('{{ trimSuffix "-" "name-" }} {{ "x-y" | trimSuffix "-y" }}'), 'name x');
    assert.equal(r('{{ len .Values.list }} {{ len .Values.map }}'), '2 3');
    assert.equal(r('{{ toYaml (dict "b" 1 "a" (list 1 "x")) }}'), 'a:\n- 1\n- x\nb: 1');
    throwsAt('{{ printf "%d" .Values.replicas }}', 1, /printf %d of a float64/);
    throwsAt('{{ printf "%5s" "x" }}', 1, /printf flags are outside/);
    throwsAt('{{ trunc .Values.replicas "abc" }}', 1, /expected int; got float64/);
    throwsAt('{{ nindent 2 .Values.replicas }}', 1, /expected string; got float64/);
  });
});

describe('refusals outside the subset', () => {
  test('an unknown function fails at parse time with template and line', () => {
    throwsAt(
      'a: 1\nb: 2\nc: {{ upper .Values.name }}',
      3,
      /function "upper" is not in this renderer's subset/,
    );
    throwsAt('{{- if true }}\n  {{ tpl "x" . }}\n{{- end }}', 2, /function "tpl"/);
  });

  test('unsupported actions and syntax fail loudly', () => {
    throwsAt('{{ block "x" . }}{{ end }}', 1, /\{\{block\}\} is outside/);
    throwsAt('{{ range .Values.list }}{{ break }}{{ end }}', 1, /\{\{break\}\} is outside/);
    throwsAt('{{ .Values.Method 1 }}', 1, /can't give argument to non-function/);
    throwsAt('{{ include.x }}', 1, /method calls are outside/);
    throwsAt("{{ 'c' }}", 1, /character constants/);
    throwsAt('{{ 0x1F }}', 1, /number outside/);
    throwsAt('{{ with .Values.map }}{{ else with .Values.list }}{{ end }}', 1, /else with/);
    throwsAt('x\n{{ .Values.map }}', 2, /printing a map\[string\]interface \{\} is outside/);
    throwsAt('{{ .Values.list }}', 1, /printing a \[\]interface \{\} is outside/);
    throwsAt('{{ range 3 }}x{{ end }}', 1, /range can't iterate over 3/);
    throwsAt('{{ "\\x41" }}', 1, /string escape outside/);
  });

  test('syntax errors name the line', () => {
    throwsAt('a\n{{ if true }}\nno end', 2, /unclosed \{\{if\}\}/);
    throwsAt('{{ end }}', 1, /unexpected \{\{end\}\}/);
    throwsAt('\n\n{{ .Values.name', 3, /unclosed action/);
    throwsAt('{{ (.Values.name }}', 1, /unclosed left paren/);
    throwsAt('{{ if true }}{{ define "x" }}{{ end }}{{ end }}', 1, /define only at the top level/);
  });
});
