import type { NodeAPI } from 'node-red';

/** Message catalog lookup with an English fallback (the test helper's RED._ returns the key). */
export function translate(RED: NodeAPI, key: string, fallback: string, vars?: Record<string, unknown>): string {
  const text = RED._(key, vars as never);
  if (text && text !== key) return text;
  return fallback.replace(/__(\w+)__/g, (_, name: string) => String(vars?.[name] ?? ''));
}

/** RED._ as a lookup that says when it has no text (so the caller can fall back). */
export function catalog(RED: NodeAPI): (key: string, vars?: Record<string, unknown>) => string | null {
  return (key, vars) => {
    const text = RED._(key, vars as never);
    return text && text !== key ? text : null;
  };
}
