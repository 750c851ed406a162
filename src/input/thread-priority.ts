import * as os from 'os';

/**
 * Raises this thread's scheduling priority where the OS allows it per thread
 * (Linux: nice is per thread; elsewhere it would move the whole process) and
 * the process may (root, CAP_SYS_NICE or RLIMIT_NICE): when the flow's thread
 * and other processes keep the CPUs busy, the reader still drains the socket
 * promptly. Returns the nice value in force if raised, else null.
 */
export function raisePriority(nice: number): number | null {
  if (nice === 0 || process.platform !== 'linux') return null;
  try {
    os.setPriority(nice); // pid 0: on Linux, the calling thread only
    return os.getPriority();
  } catch {
    return null; // not permitted: normal priority
  }
}
