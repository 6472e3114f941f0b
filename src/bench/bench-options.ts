/**
 * Benchmark settings: `--name=value` in the bench's args wins over the environment variable
 * `BENCH_<NAME>` (upper case, dashes as underscores), which wins over the default.
 * Every benchmark sees every arg and ignores the options it does not know (they may be
 * another benchmark's); each prints the settings it ran with, so a typo shows.
 */
export interface IntegerOption {
  readonly name: string;
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
}

export function integerOption(args: readonly string[], env: NodeJS.ProcessEnv, option: IntegerOption): number {
  const raw = rawOption(args, env, option.name);
  if (raw === undefined) return option.defaultValue;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < option.min || value > option.max) {
    throw new Error(`--${option.name} must be an integer within ${option.min}..${option.max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `--name` alone, `--name=true|1|yes` or BENCH_NAME=1 turn a flag on. */
export function flagOption(args: readonly string[], env: NodeJS.ProcessEnv, name: string): boolean {
  if (args.includes(`--${name}`)) return true;
  const raw = rawOption(args, env, name);
  return raw !== undefined && /^(1|true|yes|on)$/i.test(raw);
}

function rawOption(args: readonly string[], env: NodeJS.ProcessEnv, name: string): string | undefined {
  const prefix = `--${name}=`;
  const fromArgs = [...args].reverse().find((arg) => arg.startsWith(prefix));
  if (fromArgs !== undefined) return fromArgs.slice(prefix.length);
  const fromEnv = env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv.trim();
}

export interface IntegerListOption {
  readonly name: string;
  readonly defaultValue: readonly number[];
  readonly min: number;
  readonly max: number;
}

/** `--name=10,50,200`: a comma-separated list of integers, each within the bounds. */
export function integerListOption(args: readonly string[], env: NodeJS.ProcessEnv, option: IntegerListOption): number[] {
  const raw = rawOption(args, env, option.name);
  if (raw === undefined) return [...option.defaultValue];
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < option.min || value > option.max)) {
    throw new Error(`--${option.name} must be integers within ${option.min}..${option.max}, separated by commas, got ${JSON.stringify(raw)}`);
  }
  return values;
}
