// A faithful subset of Go's text/template with the Helm and Sprig functions the chart uses, so the
// chart can be rendered and checked on machines without a `helm` binary. What it accepts, Helm
// renders the same way; anything outside the subset (an unknown function, `block`, `break`, a
// method call, printing a map) throws an error naming the template and the line, never guesses.
//
// Values keep Go's types where they change the result: numbers read from values files are
// float64 (JS number), integer literals in templates are int (JS bigint), and Go refuses to
// compare the two (`eq .Values.replicas 1` fails in Helm, and here).
import YAML from 'yaml';

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    readonly line: number,
    message: string,
  ) {
    super(`${template}:${line}: ${message}`);
  }
}

/** A Go struct (`.Release`, `.Chart`): unlike a map, asking it for a field it lacks is an error. */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Readonly<Record<string, unknown>>,
  ) {}
}

// ---- lexing ----------------------------------------------------------------------------------

type TokKind =
  | 'field' // .Foo.Bar, or '.' alone (chain empty)
  | 'var' // $x.Foo, or $ (name '$')
  | 'ident' // a function name or keyword
  | 'string'
  | 'int'
  | 'float'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma';

interface Tok {
  kind: TokKind;
  text: string;
  /** Field names after the operand (`.a.b` → [a, b]; `$x.a` → [a]). */
  chain: string[];
  value?: string | bigint | number;
}

interface RawAction {
  src: string;
  line: number;
}

type Piece = { text: string } | { action: RawAction };

const SPACE = /[ \t\r\n]/;

/** Splits a template into text and actions, applying `{{-` and `-}}` trimming and dropping comments. */
function split(name: string, src: string): Piece[] {
  const pieces: Piece[] = [];
  let pos = 0;
  let line = 1;
  let trimNext = false;
  const countLines = (s: string) => (s.match(/\n/g) ?? []).length;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open < 0 ? src.slice(pos) : src.slice(pos, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    const textLines = countLines(open < 0 ? src.slice(pos) : src.slice(pos, open));
    if (open < 0) {
      if (text) pieces.push({ text });
      break;
    }
    const actionLine = line + textLines;
    let p = open + 2;
    const trimLeft = src[p] === '-' && SPACE.test(src[p + 1] ?? '');
    if (trimLeft) {
      p += 2;
      text = text.replace(/[ \t\r\n]+$/, '');
    }
    if (text) pieces.push({ text });
    // Comments: {{/* ... */}} with optional trim markers, nothing else inside the action.
    const afterSpace = trimLeft ? p : p;
    if (src.startsWith('/*', afterSpace)) {
      const end = src.indexOf('*/', afterSpace + 2);
      if (end < 0) throw new TemplateError(name, actionLine, 'unclosed comment');
      let q = end + 2;
      let trimRight = false;
      if (src.startsWith(' -}}', q)) {
        trimRight = true;
        q += 4;
      } else if (src.startsWith('}}', q)) q += 2;
      else throw new TemplateError(name, actionLine, 'comment ends before closing delimiter');
      line = actionLine + countLines(src.slice(open, q));
      pos = q;
      trimNext = trimRight;
      continue;
    }
    // Find the closing }} outside string literals.
    let q = p;
    let quote = '';
    for (; q < src.length; q++) {
      const c = src[q];
      if (quote) {
        if (quote === '"' && c === '\\') q++;
        else if (c === quote) quote = '';
        else if (c === '\n' && quote !== '`')
          throw new TemplateError(name, actionLine, 'unterminated quoted string');
        continue;
      }
      if (c === '"' || c === '`' || c === "'") quote = c;
      else if (c === '}' && src[q + 1] === '}') break;
    }
    if (q >= src.length) throw new TemplateError(name, actionLine, 'unclosed action');
    let body = src.slice(p, q);
    let trimRight = false;
    if (/[ \t\r\n]-$/.test(body)) {
      trimRight = true;
      body = body.slice(0, -2);
    }
    pieces.push({ action: { src: body, line: actionLine } });
    line = actionLine + countLines(src.slice(open, q + 2));
    pos = q + 2;
    trimNext = trimRight;
  }
  return pieces;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;

function lex(name: string, a: RawAction): Tok[] {
  const toks: Tok[] = [];
  const s = a.src;
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(name, a.line, msg);
  };
  const chainAt = (at: number): { chain: string[]; end: number } => {
    const m = FIELD_CHAIN.exec(s.slice(at));
    if (!m) return { chain: [], end: at };
    return { chain: m[0].slice(1).split('.'), end: at + m[0].length };
  };
  while (i < s.length) {
    const c = s[i];
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const rest = s.slice(i);
    if (c === '|') {
      toks.push({ kind: 'pipe', text: c, chain: [] });
      i++;
    } else if (c === '(') {
      toks.push({ kind: 'lparen', text: c, chain: [] });
      i++;
    } else if (c === ')') {
      const { chain, end } = chainAt(i + 1);
      toks.push({ kind: 'rparen', text: c, chain });
      i = end;
    } else if (c === ',') {
      toks.push({ kind: 'comma', text: c, chain: [] });
      i++;
    } else if (rest.startsWith(':=')) {
      toks.push({ kind: 'declare', text: ':=', chain: [] });
      i += 2;
    } else if (c === '=') {
      toks.push({ kind: 'assign', text: '=', chain: [] });
      i++;
    } else if (c === '.') {
      const { chain, end } = chainAt(i);
      if (chain.length === 0) {
        if (/^\.[0-9]/.test(rest)) fail(`numbers must start with a digit: ${rest}`);
        if (/^\.[A-Za-z_]/.test(rest)) fail(`bad field: ${rest}`);
        toks.push({ kind: 'field', text: '.', chain: [] });
        i++;
      } else {
        toks.push({ kind: 'field', text: s.slice(i, end), chain });
        i = end;
      }
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(rest)!;
      const { chain, end } = chainAt(i + m[0].length);
      toks.push({ kind: 'var', text: m[0], chain });
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++;
      const lit = s.slice(i, j + 1);
      let value: string;
      try {
        // Go's escapes that JSON shares (\n \t \" \\ \uXXXX); others are refused below.
        if (/\\[^nrt"\\u]/.test(lit)) fail(`string escape outside this renderer's subset: ${lit}`);
        value = JSON.parse(lit) as string;
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        return fail(`bad string literal ${lit}`);
      }
      toks.push({ kind: 'string', text: lit, chain: [], value });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw string');
      toks.push({ kind: 'string', text: s.slice(i, j + 1), chain: [], value: s.slice(i + 1, j) });
      i = j + 1;
    } else if (c === "'") {
      fail(`character constants are outside this renderer's subset: ${rest.slice(0, 4)}`);
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?[0-9][0-9_]*(\.[0-9]+)?([eE][-+]?[0-9]+)?(?![A-Za-z0-9_.])/.exec(rest);
      if (!m || /^[-+]?0[0-9xXoObB]/.test(rest))
        fail(`number outside this renderer's subset: ${rest}`);
      const text = m![0].replace(/_/g, '');
      const isFloat = m![1] !== undefined || m![2] !== undefined;
      toks.push({
        kind: isFloat ? 'float' : 'int',
        text,
        chain: [],
        value: isFloat ? Number(text) : BigInt(text),
      });
      i += m![0].length;
    } else if (IDENT.test(rest)) {
      const m = IDENT.exec(rest)!;
      const { chain, end } = chainAt(i + m[0].length);
      if (chain.length) fail(`method calls are outside this renderer's subset: ${s.slice(i, end)}`);
      toks.push({ kind: 'ident', text: m[0], chain: [] });
      i += m[0].length;
    } else {
      fail(`unexpected "${c}" in action`);
    }
  }
  return toks;
}

// ---- parsing ---------------------------------------------------------------------------------

type Operand =
  | { t: 'field'; chain: string[] }
  | { t: 'var'; name: string; chain: string[] }
  | { t: 'lit'; value: string | bigint | number | boolean | null }
  | { t: 'func'; name: string }
  | { t: 'paren'; pipe: Pipeline; chain: string[] };

interface Pipeline {
  decl?: { vars: string[]; op: ':=' | '=' };
  cmds: Operand[][];
  line: number;
}

type Node =
  | { t: 'text'; text: string }
  | { t: 'out'; pipe: Pipeline }
  | { t: 'if'; branches: { cond: Pipeline; body: Node[] }[]; else?: Node[] }
  | { t: 'range'; pipe: Pipeline; body: Node[]; else?: Node[] }
  | { t: 'with'; pipe: Pipeline; body: Node[]; else?: Node[] }
  | { t: 'template'; name: string; pipe?: Pipeline; line: number };

/** The functions of the subset. Anything else is refused when the template is parsed. */
const FUNCS = new Set([
  'include',
  'toYaml',
  'nindent',
  'indent',
  'quote',
  'squote',
  'default',
  'required',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
  'not',
  'printf',
  'trunc',
  'trimSuffix',
  'int',
  'dict',
  'list',
  'len',
  'fail',
]);

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template']);
const UNSUPPORTED_KEYWORDS = new Set(['block', 'break', 'continue']);

class Parser {
  private readonly pieces: Piece[];
  private i = 0;

  constructor(
    private readonly name: string,
    src: string,
    private readonly defines: Map<string, { file: string; body: Node[] }>,
  ) {
    this.pieces = split(name, src);
  }

  parseFile(): Node[] {
    const { nodes, stop } = this.parseList(true);
    if (stop) throw new TemplateError(this.name, stop.line, `unexpected {{${stop.word}}}`);
    return nodes;
  }

  private fail(line: number, msg: string): never {
    throw new TemplateError(this.name, line, msg);
  }

  /** Parses nodes until an {{else…}} or {{end}} (returned as `stop`) or the end of input. */
  private parseList(top = false): {
    nodes: Node[];
    stop?: { word: 'end' | 'else'; toks: Tok[]; line: number };
  } {
    const nodes: Node[] = [];
    while (this.i < this.pieces.length) {
      const piece = this.pieces[this.i++];
      if ('text' in piece) {
        nodes.push({ t: 'text', text: piece.text });
        continue;
      }
      const { line } = piece.action;
      const toks = lex(this.name, piece.action);
      if (toks.length === 0) this.fail(line, 'missing value for command');
      const head = toks[0];
      const word = head.kind === 'ident' ? head.text : '';
      if (UNSUPPORTED_KEYWORDS.has(word))
        this.fail(line, `{{${word}}} is outside this renderer's subset`);
      if (word === 'end' || word === 'else') {
        if (word === 'end' && toks.length > 1) this.fail(line, 'unexpected tokens after end');
        return { nodes, stop: { word, toks: toks.slice(1), line } };
      }
      if (word === 'if') nodes.push(this.parseIf(toks.slice(1), line));
      else if (word === 'range' || word === 'with') {
        const pipe = this.parsePipeline(toks.slice(1), line, true);
        const { body, els } = this.parseBody(word, line);
        nodes.push({ t: word, pipe, body, else: els });
      } else if (word === 'define') {
        if (!top) this.fail(line, 'unexpected {{define}}: define only at the top level');
        if (toks.length !== 2 || toks[1].kind !== 'string')
          this.fail(line, 'define takes one quoted name');
        const defName = toks[1].value as string;
        const { nodes: body, stop } = this.parseList();
        if (!stop || stop.word !== 'end') this.fail(line, `unclosed {{define "${defName}"}}`);
        const prev = this.defines.get(defName);
        if (prev) this.fail(line, `template "${defName}" is already defined in ${prev.file}`);
        this.defines.set(defName, { file: this.name, body });
      } else if (word === 'template') {
        if (toks.length < 2 || toks[1].kind !== 'string')
          this.fail(line, 'template takes a quoted name');
        const pipe = toks.length > 2 ? this.parsePipeline(toks.slice(2), line) : undefined;
        nodes.push({ t: 'template', name: toks[1].value as string, pipe, line });
      } else nodes.push({ t: 'out', pipe: this.parsePipeline(toks, line, true) });
    }
    return { nodes };
  }

  private parseBody(word: string, line: number): { body: Node[]; els?: Node[] } {
    const { nodes: body, stop } = this.parseList();
    if (!stop) this.fail(line, `unclosed {{${word}}}`);
    if (stop.word === 'end') return { body };
    if (stop.toks.length) this.fail(stop.line, `{{else ${stop.toks[0].text}}} after {{${word}}}`);
    const { nodes: els, stop: end } = this.parseList();
    if (!end || end.word !== 'end') this.fail(line, `unclosed {{${word}}}`);
    return { body, els };
  }

  private parseIf(toks: Tok[], line: number): Node {
    const branches: { cond: Pipeline; body: Node[] }[] = [];
    let cond = this.parsePipeline(toks, line, true);
    for (;;) {
      const { nodes, stop } = this.parseList();
      if (!stop) this.fail(line, 'unclosed {{if}}');
      branches.push({ cond, body: nodes });
      if (stop.word === 'end') return { t: 'if', branches };
      if (stop.toks.length === 0) {
        const { nodes: els, stop: end } = this.parseList();
        if (!end || end.word !== 'end') this.fail(line, 'unclosed {{if}}');
        return { t: 'if', branches, else: els };
      }
      if (stop.toks[0].kind !== 'ident' || stop.toks[0].text !== 'if')
        this.fail(stop.line, `{{else ${stop.toks[0].text}}} is outside this renderer's subset`);
      cond = this.parsePipeline(stop.toks.slice(1), stop.line, true);
    }
  }

  private parsePipeline(toks: Tok[], line: number, allowDecl = false): Pipeline {
    if (toks.length === 0) this.fail(line, 'missing value for command');
    let k = 0;
    let decl: Pipeline['decl'];
    // $x := …, $x = …, $i, $v := …
    const declEnd = toks.findIndex((t) => t.kind === 'declare' || t.kind === 'assign');
    if (
      declEnd > 0 &&
      toks.slice(0, declEnd).every((t) => t.kind === 'var' || t.kind === 'comma')
    ) {
      if (!allowDecl) this.fail(line, 'variable declaration not allowed here');
      const vars = toks
        .slice(0, declEnd)
        .filter((t) => t.kind === 'var')
        .map((t) => {
          if (t.chain.length || t.text === '$') this.fail(line, `cannot assign to ${t.text}`);
          return t.text;
        });
      if (vars.length > 2 || (vars.length === 2 && toks[declEnd].kind !== 'declare'))
        this.fail(line, 'too many variables in declaration');
      decl = { vars, op: toks[declEnd].kind === 'declare' ? ':=' : '=' };
      k = declEnd + 1;
    }
    const cmds: Operand[][] = [];
    let cmd: Operand[] = [];
    for (; k < toks.length; k++) {
      const t = toks[k];
      if (t.kind === 'pipe') {
        if (cmd.length === 0) this.fail(line, 'missing command before |');
        cmds.push(cmd);
        cmd = [];
        continue;
      }
      if (t.kind === 'lparen') {
        let depth = 1;
        let j = k + 1;
        for (; j < toks.length && depth > 0; j++) {
          if (toks[j].kind === 'lparen') depth++;
          else if (toks[j].kind === 'rparen') depth--;
        }
        if (depth !== 0) this.fail(line, 'unclosed left paren');
        const close = toks[j - 1];
        cmd.push({
          t: 'paren',
          pipe: this.parsePipeline(toks.slice(k + 1, j - 1), line),
          chain: close.chain,
        });
        k = j - 1;
        continue;
      }
      cmd.push(this.operand(t, line));
    }
    if (cmd.length === 0) this.fail(line, 'missing command');
    cmds.push(cmd);
    return { decl, cmds, line };
  }

  private operand(t: Tok, line: number): Operand {
    switch (t.kind) {
      case 'field':
        return { t: 'field', chain: t.chain };
      case 'var':
        return { t: 'var', name: t.text, chain: t.chain };
      case 'string':
      case 'int':
      case 'float':
        return { t: 'lit', value: t.value! };
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { t: 'lit', value: t.text === 'true' };
        if (t.text === 'nil') return { t: 'lit', value: null };
        if (KEYWORDS.has(t.text)) this.fail(line, `unexpected keyword ${t.text} in command`);
        if (!FUNCS.has(t.text))
          this.fail(line, `function "${t.text}" is not in this renderer's subset of Helm`);
        return { t: 'func', name: t.text };
      default:
        return this.fail(line, `unexpected "${t.text}" in command`);
    }
  }
}

// ---- values ----------------------------------------------------------------------------------

type Value = unknown;
type GoMap = Record<string, unknown>;

function isMap(v: Value): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoStruct);
}

function goType(v: Value): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoStruct) return v.typeName;
  return 'map[string]interface {}';
}

/** Go's notion of truth for if/with/and/or/not. */
export function truthy(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoStruct) return true;
  return Object.keys(v).length > 0;
}

/** Go's %v of a float64: strconv's 'g' with the shortest precision (1e+06, 100000, 1e-05). */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expText] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return String(f);
}

/** fmt's %v for the values a template handles; maps and lists print as Go prints them. */
function formatValue(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof GoStruct) return `{${Object.values(v.fields).map(formatValue).join(' ')}}`;
  const map = v as GoMap;
  return `map[${Object.keys(map)
    .sort()
    .map((k) => `${k}:${formatValue(map[k])}`)
    .join(' ')}]`;
}

/** Sprig's `empty`, which `default` uses. */
function empty(v: Value): boolean {
  return !truthy(v);
}

/** Helm's toYaml: sigs.k8s.io/yaml output (YAML 1.1, keys sorted, no trailing newline). */
export function toYaml(v: Value): string {
  const plain = (x: Value): unknown => {
    if (typeof x === 'bigint') return Number(x);
    if (Array.isArray(x)) return x.map(plain);
    if (x instanceof GoStruct) throw new Error(`toYaml of a ${x.typeName} is outside the subset`);
    if (isMap(x)) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, plain(y)]));
    return x ?? null;
  };
  const out = YAML.stringify(plain(v), {
    version: '1.1',
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
  });
  return out.replace(/\n$/, '');
}

function indentText(n: bigint, s: string): string {
  const pad = ' '.repeat(Number(n));
  return pad + s.replace(/\n/g, `\n${pad}`);
}

/**
 * Go's %q of a string. JSON escapes quotes, backslashes, \n, \r and \t as Go does; strings with
 * other control or invisible characters (which the two escape differently) are refused.
 */
function goQuote(s: string): string {
  // eslint-disable-next-line no-control-regex -- these are exactly the characters refused
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s))
    throw new Error(`quoting ${JSON.stringify(s)} is outside this renderer's subset`);
  return JSON.stringify(s);
}

// ---- execution -------------------------------------------------------------------------------

interface Scope {
  vars: { name: string; value: Value }[];
}

const MAX_DEPTH = 100;

class Executor {
  private depth = 0;

  constructor(private readonly defines: Map<string, { file: string; body: Node[] }>) {}

  run(file: string, nodes: Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const n of nodes) out += this.node(file, n, dot, scope);
    return out;
  }

  private fail(file: string, line: number, msg: string): never {
    throw new TemplateError(file, line, msg);
  }

  private block(file: string, nodes: Node[], dot: Value, scope: Scope): string {
    const mark = scope.vars.length;
    try {
      return this.run(file, nodes, dot, scope);
    } finally {
      scope.vars.length = mark;
    }
  }

  private node(file: string, n: Node, dot: Value, scope: Scope): string {
    switch (n.t) {
      case 'text':
        return n.text;
      case 'out': {
        const v = this.pipeline(file, n.pipe, dot, scope);
        if (n.pipe.decl) return '';
        if (Array.isArray(v) || isMap(v) || v instanceof GoStruct)
          this.fail(
            file,
            n.pipe.line,
            `printing a ${goType(v)} is outside this renderer's subset (use toYaml)`,
          );
        // Helm replaces "<no value>" (a missing map key) with nothing.
        return v === undefined ? '' : formatValue(v);
      }
      case 'if': {
        const mark = scope.vars.length;
        try {
          for (const b of n.branches)
            if (truthy(this.pipeline(file, b.cond, dot, scope)))
              return this.block(file, b.body, dot, scope);
          return n.else ? this.block(file, n.else, dot, scope) : '';
        } finally {
          scope.vars.length = mark;
        }
      }
      case 'with': {
        const mark = scope.vars.length;
        try {
          const v = this.pipeline(file, n.pipe, dot, scope);
          if (truthy(v)) return this.block(file, n.body, v, scope);
          return n.else ? this.block(file, n.else, dot, scope) : '';
        } finally {
          scope.vars.length = mark;
        }
      }
      case 'range':
        return this.range(file, n, dot, scope);
      case 'template': {
        const data = n.pipe ? this.pipeline(file, n.pipe, dot, scope) : undefined;
        return this.callTemplate(file, n.line, n.name, data);
      }
    }
  }

  private range(file: string, n: Extract<Node, { t: 'range' }>, dot: Value, scope: Scope): string {
    const mark = scope.vars.length;
    const vars = n.pipe.decl?.vars ?? [];
    const pipe = { ...n.pipe, decl: undefined };
    try {
      const v = this.pipeline(file, pipe, dot, scope);
      let entries: [Value, Value][];
      if (Array.isArray(v)) entries = v.map((x, i) => [BigInt(i), x]);
      else if (isMap(v))
        // Go ranges over a map in sorted key order.
        entries = Object.keys(v)
          .sort()
          .map((k) => [k, v[k]]);
      else if (v === undefined || v === null) entries = [];
      else return this.fail(file, n.pipe.line, `range can't iterate over ${formatValue(v)}`);
      if (entries.length === 0) return n.else ? this.block(file, n.else, dot, scope) : '';
      let out = '';
      for (const [k, x] of entries) {
        const inner = scope.vars.length;
        if (vars.length === 1) scope.vars.push({ name: vars[0], value: x });
        if (vars.length === 2)
          scope.vars.push({ name: vars[0], value: k }, { name: vars[1], value: x });
        out += this.block(file, n.body, x, scope);
        scope.vars.length = inner;
      }
      return out;
    } finally {
      scope.vars.length = mark;
    }
  }

  callTemplate(file: string, line: number, name: string, data: Value): string {
    const def = this.defines.get(name);
    if (!def) this.fail(file, line, `no template "${name}" defined`);
    if (++this.depth > MAX_DEPTH)
      this.fail(file, line, `template "${name}": exceeded maximum nesting depth`);
    try {
      return this.run(def.file, def.body, data, { vars: [{ name: '$', value: data }] });
    } finally {
      this.depth--;
    }
  }

  private pipeline(file: string, p: Pipeline, dot: Value, scope: Scope): Value {
    let v: Value;
    let piped = false;
    for (const cmd of p.cmds) {
      v = this.command(file, p.line, cmd, dot, scope, piped ? [v] : []);
      piped = true;
    }
    if (p.decl) {
      if (p.decl.op === ':=') for (const name of p.decl.vars) scope.vars.push({ name, value: v });
      else {
        const slot = [...scope.vars].reverse().find((x) => x.name === p.decl!.vars[0]);
        if (!slot) this.fail(file, p.line, `undefined variable: ${p.decl.vars[0]}`);
        slot.value = v;
      }
    }
    return v;
  }

  private command(
    file: string,
    line: number,
    cmd: Operand[],
    dot: Value,
    scope: Scope,
    piped: Value[],
  ): Value {
    const [head, ...args] = cmd;
    if (head.t !== 'func') {
      if (args.length || piped.length)
        this.fail(file, line, `can't give argument to non-function ${this.describe(head)}`);
      return this.operand(file, line, head, dot, scope);
    }
    const arg = (o: Operand) => this.operand(file, line, o, dot, scope);
    // and/or stop at the first argument that decides (Go 1.18+).
    if (head.name === 'and' || head.name === 'or') {
      const all = [...args.map((o) => () => arg(o)), ...piped.map((x) => () => x)];
      if (all.length < 1) this.fail(file, line, `wrong number of args for ${head.name}`);
      let last: Value;
      for (const get of all) {
        last = get();
        if (truthy(last) === (head.name === 'or')) return last;
      }
      return last;
    }
    const values = [...args.map(arg), ...piped];
    try {
      return this.call(file, line, head.name, values);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      throw new TemplateError(
        file,
        line,
        `error calling ${head.name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private describe(o: Operand): string {
    switch (o.t) {
      case 'field':
        return o.chain.length ? `.${o.chain.join('.')}` : '.';
      case 'var':
        return o.name + o.chain.map((c) => `.${c}`).join('');
      case 'lit':
        return formatValue(o.value);
      case 'func':
        return o.name;
      case 'paren':
        return '(…)';
    }
  }

  private operand(file: string, line: number, o: Operand, dot: Value, scope: Scope): Value {
    switch (o.t) {
      case 'lit':
        return o.value;
      case 'field':
        return this.fields(file, line, dot, o.chain);
      case 'var': {
        const slot = [...scope.vars].reverse().find((x) => x.name === o.name);
        if (!slot) this.fail(file, line, `undefined variable: ${o.name}`);
        return this.fields(file, line, slot.value, o.chain);
      }
      case 'paren':
        return this.fields(file, line, this.pipeline(file, o.pipe, dot, scope), o.chain);
      case 'func':
        return this.call(file, line, o.name, []);
    }
  }

  private fields(file: string, line: number, v: Value, chain: string[]): Value {
    let cur = v;
    for (const name of chain) {
      if (cur === undefined || cur === null)
        this.fail(file, line, `nil pointer evaluating interface {}.${name}`);
      if (cur instanceof GoStruct) {
        if (!(name in cur.fields))
          this.fail(
            file,
            line,
            `can't evaluate field ${name} in type ${cur.typeName} (or it is outside this renderer's subset)`,
          );
        cur = cur.fields[name];
      } else if (isMap(cur)) cur = Object.hasOwn(cur, name) ? cur[name] : undefined;
      else this.fail(file, line, `can't evaluate field ${name} in type ${goType(cur)}`);
    }
    return cur;
  }

  private call(file: string, line: number, name: string, a: Value[]): Value {
    const arity = (min: number, max = min) => {
      if (a.length < min || a.length > max)
        throw new Error(
          `wrong number of args for ${name}: want ${min}${max !== min ? `-${max}` : ''} got ${a.length}`,
        );
    };
    const int = (v: Value, what: string): bigint => {
      if (typeof v !== 'bigint')
        throw new Error(`wrong type for value; expected int; got ${goType(v)} (${what})`);
      return v;
    };
    const str = (v: Value, what: string): string => {
      if (typeof v !== 'string')
        throw new Error(`wrong type for value; expected string; got ${goType(v)} (${what})`);
      return v;
    };
    switch (name) {
      case 'include': {
        arity(2);
        return this.callTemplate(file, line, str(a[0], 'template name'), a[1]);
      }
      case 'toYaml':
        arity(1);
        return toYaml(a[0]);
      case 'nindent':
        arity(2);
        return `\n${indentText(int(a[0], 'spaces'), str(a[1], 'text'))}`;
      case 'indent':
        arity(2);
        return indentText(int(a[0], 'spaces'), str(a[1], 'text'));
      case 'quote':
      case 'squote':
        return a
          .filter((x) => x !== undefined && x !== null)
          .map((x) => (name === 'quote' ? goQuote(formatValue(x)) : `'${formatValue(x)}'`))
          .join(' ');
      case 'default':
        arity(1, 2);
        return a.length === 1 || empty(a[1]) ? a[0] : a[1];
      case 'required':
        arity(2);
        if (a[1] === undefined || a[1] === null || a[1] === '')
          throw new Error(str(a[0], 'message'));
        return a[1];
      case 'fail':
        arity(1);
        throw new Error(str(a[0], 'message'));
      case 'eq': {
        if (a.length < 2) throw new Error('missing argument for comparison');
        return a.slice(1).some((b) => compare(a[0], b) === 0);
      }
      case 'ne':
        arity(2);
        return compare(a[0], a[1]) !== 0;
      case 'lt':
        arity(2);
        return compare(a[0], a[1], true) < 0;
      case 'le':
        arity(2);
        return compare(a[0], a[1], true) <= 0;
      case 'gt':
        arity(2);
        return compare(a[0], a[1], true) > 0;
      case 'ge':
        arity(2);
        return compare(a[0], a[1], true) >= 0;
      case 'not':
        arity(1);
        return !truthy(a[0]);
      case 'printf':
        if (a.length < 1) throw new Error('printf needs a format');
        return printf(str(a[0], 'format'), a.slice(1));
      case 'trunc': {
        arity(2);
        const n = Number(int(a[0], 'length'));
        const s = str(a[1], 'text');
        if (n >= 0) return s.length > n ? s.slice(0, n) : s;
        return s.length > -n ? s.slice(s.length + n) : s;
      }
      case 'trimSuffix': {
        arity(2);
        const suffix = str(a[0], 'suffix');
        const s = str(a[1], 'text');
        return suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
      }
      case 'int': {
        arity(1);
        const v = a[0];
        if (typeof v === 'bigint') return v;
        if (typeof v === 'number') return BigInt(Math.trunc(v));
        if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return BigInt(v);
        if (v === undefined || v === null) return 0n;
        throw new Error(`int of ${goType(v)} ${formatValue(v)} is outside this renderer's subset`);
      }
      case 'len': {
        arity(1);
        const v = a[0];
        if (typeof v === 'string' || Array.isArray(v)) return BigInt(v.length);
        if (isMap(v)) return BigInt(Object.keys(v).length);
        throw new Error(`len of type ${goType(v)}`);
      }
      case 'list':
        return [...a];
      case 'dict': {
        if (a.length % 2) throw new Error('dict needs key/value pairs');
        const out: GoMap = {};
        for (let k = 0; k < a.length; k += 2) out[str(a[k], 'dict key')] = a[k + 1];
        return out;
      }
      default:
        throw new Error(`function "${name}" is not in this renderer's subset of Helm`);
    }
  }
}

/** Go's eq/lt on basic kinds: different kinds (int and float64 included) cannot be compared. */
function compare(x: Value, y: Value, ordered = false): number {
  const kind = (v: Value): string => {
    if (v === undefined || v === null) throw new Error('invalid type for comparison');
    const t = goType(v);
    if (!['string', 'int', 'float64', 'bool'].includes(t))
      throw new Error(`non-comparable type ${formatValue(v)}: ${t}`);
    return t;
  };
  const kx = kind(x);
  const ky = kind(y);
  if (kx !== ky) throw new Error('incompatible types for comparison');
  if (ordered && kx === 'bool') throw new Error('invalid type for comparison');
  if (x === y) return 0;
  return (x as string | number | bigint) < (y as string | number | bigint) ? -1 : 1;
}

/** fmt.Sprintf for %s, %d, %v, %q and %%; any other verb is refused. */
function printf(format: string, args: Value[]): string {
  let k = 0;
  const out = format.replace(
    /%([-+# 0]*[0-9]*(?:\.[0-9]+)?)?([a-zA-Z%])/g,
    (whole, flags, verb) => {
      if (verb === '%' && !flags) return '%';
      if (flags) throw new Error(`printf flags are outside this renderer's subset: ${whole}`);
      if (k >= args.length) throw new Error(`printf: missing argument for ${whole}`);
      const v = args[k++];
      switch (verb) {
        case 's':
          if (typeof v !== 'string') throw new Error(`printf %s of a ${goType(v)}`);
          return v;
        case 'd':
          if (typeof v !== 'bigint') throw new Error(`printf %d of a ${goType(v)}`);
          return v.toString();
        case 'v':
          if (typeof v === 'object' && v !== null) throw new Error(`printf %v of a ${goType(v)}`);
          return formatValue(v);
        case 'q':
          if (typeof v !== 'string') throw new Error(`printf %q of a ${goType(v)}`);
          return goQuote(v);
        default:
          throw new Error(`printf verb %${verb} is outside this renderer's subset`);
      }
    },
  );
  if (k < args.length) throw new Error(`printf: ${args.length - k} extra argument(s)`);
  return out;
}

// ---- the public API --------------------------------------------------------------------------

/** A set of templates parsed together, sharing their {{define}}s, as Helm parses a chart. */
export class TemplateSet {
  private readonly files = new Map<string, Node[]>();
  private readonly defines = new Map<string, { file: string; body: Node[] }>();

  /** Parses a file; syntax errors and functions outside the subset throw here. */
  add(name: string, src: string): void {
    if (this.files.has(name)) throw new Error(`template ${name} added twice`);
    this.files.set(name, new Parser(name, src, this.defines).parseFile());
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  /** Renders one file with `data` as dot (and `$`). */
  render(name: string, data: Value): string {
    const nodes = this.files.get(name);
    if (!nodes) throw new Error(`no template file ${name}`);
    return new Executor(this.defines).run(name, nodes, data, {
      vars: [{ name: '$', value: data }],
    });
  }

  /** Renders a named template ({{define}}), as `include` does. */
  include(name: string, data: Value): string {
    return new Executor(this.defines).callTemplate('<include>', 0, name, data);
  }
}

/** Renders a single template source (for tests and one-off use). */
export function renderString(src: string, data: Value, name = 'inline'): string {
  const set = new TemplateSet();
  set.add(name, src);
  return set.render(name, data);
}
