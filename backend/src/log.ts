// Structured JSON logs, one object per line, with fields rather than prose; never log Secret data.
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

function errorFields(v: unknown): unknown {
  return v instanceof Error ? { message: v.message, name: v.name } : v;
}

export function createLogger(
  base: LogFields = {},
  level: Level = (process.env.LOG_LEVEL as Level) || 'info',
  sink: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  const write = (lvl: Level, msg: string, fields: LogFields = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const out: LogFields = { time: new Date().toISOString(), level: lvl, msg, ...base };
    for (const [k, v] of Object.entries(fields)) out[k] = errorFields(v);
    sink(JSON.stringify(out));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, level, sink),
  };
}

/** A logger that keeps its lines in memory, for tests that check what was logged. */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({}, 'debug', (l) => lines.push(JSON.parse(l) as LogFields));
  return Object.assign(logger, { lines });
}
