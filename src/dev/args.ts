/**
 * The development tools' command line, lenient: `arg('records', '1000')` is
 * the value after `--records`, or the fallback when it is not given. (The
 * published tools use tools/cli-args.ts, which refuses what it does not know.)
 */
export function argReader(args: readonly string[]): (name: string, fallback: string) => string {
  return (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
}
