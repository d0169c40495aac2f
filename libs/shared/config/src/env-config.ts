/**
 * Typed configuration read from the environment, checked once at start-up. A service with a bad
 * setting must refuse to start with a message naming every bad variable, not fail later at 3 am.
 */
export interface Setting<T> {
  /** Parses the raw string; throws an Error whose message says what is expected. */
  parse(raw: string): T;
  default?: T;
  doc: string;
  /** Shown in docs instead of the default value (e.g. for a derived default). */
  defaultDoc?: string;
}

export type SettingsSpec = Record<string, Setting<unknown>>;
export type ConfigOf<S extends SettingsSpec> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends SettingsSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (setting.default === undefined) problems.push(`${name} is required (${setting.doc})`);
      else out[name] = setting.default;
      continue;
    }
    try {
      out[name] = setting.parse(raw);
    } catch (e) {
      problems.push(`${name}=${JSON.stringify(raw)}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

export function int(doc: string, opts: { default?: number; min?: number; max?: number } = {}): Setting<number> {
  return {
    doc,
    default: opts.default,
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error('expected an integer');
      const n = Number(raw);
      if (opts.min !== undefined && n < opts.min) throw new Error(`must be >= ${opts.min}`);
      if (opts.max !== undefined && n > opts.max) throw new Error(`must be <= ${opts.max}`);
      return n;
    },
  };
}

export function num(doc: string, opts: { default?: number; min?: number; max?: number } = {}): Setting<number> {
  return {
    doc,
    default: opts.default,
    parse(raw) {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new Error('expected a number');
      if (opts.min !== undefined && n < opts.min) throw new Error(`must be >= ${opts.min}`);
      if (opts.max !== undefined && n > opts.max) throw new Error(`must be <= ${opts.max}`);
      return n;
    },
  };
}

export function str(doc: string, opts: { default?: string; pattern?: RegExp } = {}): Setting<string> {
  return {
    doc,
    default: opts.default,
    parse(raw) {
      if (opts.pattern && !opts.pattern.test(raw)) throw new Error(`must match ${opts.pattern}`);
      return raw;
    },
  };
}

export function bool(doc: string, opts: { default?: boolean } = {}): Setting<boolean> {
  return {
    doc,
    default: opts.default,
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new Error('expected true or false');
    },
  };
}

export function oneOf<T extends string>(doc: string, values: readonly T[], opts: { default?: T } = {}): Setting<T> {
  return {
    doc,
    default: opts.default,
    parse(raw) {
      if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}`);
      return raw as T;
    },
  };
}

/** A duration such as `500ms`, `30s`, `15m`, `24h`, `7d`; returns milliseconds. */
export function duration(doc: string, opts: { default?: number } = {}): Setting<number> {
  return {
    doc,
    default: opts.default,
    defaultDoc: opts.default === undefined ? undefined : `\`${formatDuration(opts.default)}\``,
    parse(raw) {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(raw.trim());
      if (!m) throw new Error('expected a duration like 500ms, 30s, 15m, 24h or 7d');
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
      return Math.round(Number(m[1]) * unit);
    },
  };
}

/** Renders a spec as the rows of a Markdown table (variable, default, meaning) for the README. */
export function describeSettings(spec: SettingsSpec): string[] {
  const shown = (s: Setting<unknown>) => s.defaultDoc ?? (s.default === undefined ? '(required)' : s.default === '' ? '(empty)' : `\`${String(s.default)}\``);
  return Object.entries(spec).map(([name, s]) => `| \`${name}\` | ${shown(s)} | ${s.doc} |`);
}

/** 2592000000 -> "30d", 30000 -> "30s": the form the settings accept. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
