/**
 * CPU seconds used so far by the calling thread, or null where unknown. On a shared machine the
 * wall-clock time of an epoch depends on who else runs; the thread's own CPU time says what the
 * work costs. Node 20 has no per-thread counter (process.threadCpuUsage came in Node 23.9) and
 * process.cpuUsage() sums all threads, so this reads Linux's /proc/thread-self/stat (utime and
 * stime, in clock ticks of 1/100 s on Linux).
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export function threadCpuSeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces; fields are counted after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : null;
}
