/**
 * Command-line handling shared by the shipped tools: `--help` prints the
 * usage (exit 0); a bad argument prints one line on stderr (exit 2), never a
 * stack trace.
 */

/** A mistake in the command line: reported in one line, exit status 2. */
export class UsageError extends Error {}

/** flag: no value; value: one value; list: may repeat */
export type OptionKind = 'flag' | 'value' | 'list';

/** Reads `--name value` and `--flag` options; anything unknown or missing its value is a UsageError. */
export function parseOptions(argv: string[], known: Record<string, OptionKind>): Map<string, string[]> {
  const args = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2) : '';
    const kind = known[name];
    if (!kind) throw new UsageError(name ? `unknown option ${a}` : `unexpected argument ${JSON.stringify(a.slice(0, 60))}`);
    if (kind === 'flag') {
      args.set(name, ['true']);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${a} needs a value`);
    i++;
    if (kind === 'value' && args.has(name)) throw new UsageError(`${a} given twice`);
    args.set(name, [...(args.get(name) ?? []), value]);
  }
  return args;
}

/** A number option within bounds (UsageError otherwise). */
export function numberOption(args: Map<string, string[]>, name: string, fallback: number, min: number, max = Infinity, integer = true): number {
  const text = args.get(name)?.[0];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min}${max === Infinity ? ' up' : ` to ${max}`}, not ${JSON.stringify(text.slice(0, 30))}`,
    );
  }
  return n;
}

/**
 * Runs a tool's main: `--help`/`-h` prints the usage; a UsageError prints
 * one line and exits 2, any other failure (a refused connection) one line and exits 1.
 */
export function runTool(name: string, usage: string, main: (argv: string[]) => void | Promise<void>): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage.trimEnd() + '\n');
    return;
  }
  const fail = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${name}: ${message.split('\n')[0]}${err instanceof UsageError ? ` (see ${name} --help)` : ''}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  };
  try {
    Promise.resolve(main(argv)).catch(fail);
  } catch (err) {
    fail(err);
  }
}
