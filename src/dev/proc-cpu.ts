import * as fs from 'fs';

/**
 * CPU time by thread from /proc (Linux), for the benches that split a
 * process's work between Node-RED's main thread, the input's threads and
 * V8's helpers. Fields of /proc/PID/task/TID/stat after the command's ")":
 * utime at 11, stime at 12, in USER_HZ ticks (100 a second on Linux).
 */
const MS_PER_TICK = 1000 / 100;

function statFields(file: string): string[] {
  const stat = fs.readFileSync(file, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU ms per thread id of a process: in all (user + system) and in the kernel (system); null where /proc cannot be read. */
export function taskCpu(pid: number | 'self'): Map<string, { all: number; kernel: number }> | null {
  try {
    const out = new Map<string, { all: number; kernel: number }>();
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      let f: string[];
      try {
        f = statFields(`/proc/${pid}/task/${tid}/stat`);
      } catch {
        continue; // the thread ended between the listing and the read
      }
      out.set(tid, { all: (Number(f[11]) + Number(f[12])) * MS_PER_TICK, kernel: Number(f[12]) * MS_PER_TICK });
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU ms of this process's reaped children (cutime + cstime). */
export function childrenCpu(): number {
  const f = statFields('/proc/self/stat');
  return (Number(f[13]) + Number(f[14])) * MS_PER_TICK;
}
