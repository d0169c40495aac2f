export interface ParsedArgs {
  command: string;
  flags: Map<string, string>;
}

/** `<command> --name value ...`; every flag takes a value, and unknown flags are refused. */
export function parseArgs(argv: readonly string[], allowed: Record<string, readonly string[]>): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command || !(command in allowed)) throw new Error(`expected a command: ${Object.keys(allowed).join(' | ')}`);
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    const value = rest[i + 1];
    if (!name.startsWith('--')) throw new Error(`unexpected argument ${name}`);
    const key = name.slice(2);
    if (!allowed[command].includes(key)) throw new Error(`${command} takes ${allowed[command].map((f) => `--${f}`).join(', ')}; got ${name}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    flags.set(key, value);
  }
  return { command, flags };
}

export function intFlag(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v)) throw new Error(`--${name} must be an integer, got ${raw}`);
  return v;
}
