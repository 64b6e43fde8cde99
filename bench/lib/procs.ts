import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory and CPU of the stack's processes from /proc (Linux): resident memory of one process, and CPU time of each
 * component: its process group plus the direct children of its leader (PostgreSQL's backends start their own
 * sessions). The machine's total busy time shows how much CPU other processes took meanwhile.
 */

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Resident set size in MiB, or NaN when the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) used so far by every live process of each component. */
export function cpuSecondsByGroup(groups: Record<string, number>): Record<string, number> {
  const byGroup = new Map(Object.values(groups).map((group) => [group, 0]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // Fields after the command name, which may itself hold spaces and parentheses: state ppid pgrp … utime stime
    // cutime cstime (the last two: children that ended, such as PostgreSQL backends of closed connections).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = byGroup.has(Number(fields[2])) ? Number(fields[2]) : Number(fields[1]);
    const total = byGroup.get(group);
    const ticks = fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
    if (total !== undefined) byGroup.set(group, total + ticks / TICKS_PER_SECOND);
  }
  return Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, byGroup.get(group) ?? 0]));
}

/** CPU seconds the whole machine has been busy (all cores, every process). */
function machineBusySeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/**
 * Starts measuring: the returned function gives the CPU seconds each component used since, this process
 * (benchmark driver and simulators) and `others`, whatever else ran on the machine meanwhile.
 */
export function cpuMeter(groups: Record<string, number>): () => Record<string, number> {
  const before = cpuSecondsByGroup(groups);
  const busyBefore = machineBusySeconds();
  const self = process.cpuUsage();
  return () => {
    const after = cpuSecondsByGroup(groups);
    const own = process.cpuUsage(self);
    const used: Record<string, number> = Object.fromEntries(Object.keys(groups).map((name) => [name, after[name] - before[name]]));
    used.benchAndSimulators = (own.user + own.system) / 1e6;
    const ours = Object.values(used).reduce((sum, seconds) => sum + seconds, 0);
    used.others = Math.max(0, machineBusySeconds() - busyBefore - ours);
    return Object.fromEntries(Object.entries(used).map(([name, seconds]) => [name, Math.round(seconds * 100) / 100]));
  };
}
