export interface CliArgs {
  command: string | undefined;
  options: Record<string, string>;
}

/** `<command> --name value ...`; every option takes a value, so a typo cannot silently become a flag. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i];
    const value = rest[i + 1];
    if (!name.startsWith('--')) throw new Error(`unexpected argument ${name}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    options[name.slice(2)] = value;
  }
  return { command, options };
}

export function required(options: Record<string, string>, name: string): string {
  const v = options[name];
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}
