/**
 * What the benchmarks and development tools share: a lenient command line,
 * the median, and numbers written compactly.
 */

/**
 * `arg('records', '1000')` is the value after `--records`, or the fallback
 * when it is not given. (The published tools use tools/cli-args.ts, which
 * refuses what it does not know.)
 */
export function argReader(args: readonly string[]): (name: string, fallback: string) => string {
  return (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
}

/** The middle value (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** 1.45 M, 12.3 k, 950. */
export const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));

/** Runs a tool's main: exit 0 when it is done (Node-RED and sockets may hold the process open), 1 with the stack when it fails. */
export function runMain(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${name}: ${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
