/**
 * bench/lib/containers.ts `cpuByPhase`: the send containers' CPU split into the first
 * invocation, the steady second half, and each container's warm-up beyond the steady rate.
 */
import { describe, expect, it } from 'vitest';
import { cpuByPhase, type ContainerStats } from '../../../bench/lib/containers.ts';

const container = (invocations: [number, number][], outside = 0): ContainerStats => ({
  cpuMs: invocations.reduce((a, [ms]) => a + ms, 0) + outside,
  initCpuMs: 30,
  liveHeapMb: 7,
  memory: { peakMb: 90 },
  invocations,
});

describe('cpuByPhase', () => {
  it('splits warm-up from the steady rate across containers', () => {
    // Prepare: two containers whose first invocations cost more per message than their later ones.
    const stats = [container([[400, 100], [200, 100], [100, 100], [100, 100]], 12), container([[300, 100], [150, 100], [90, 90], [110, 110]], 8)];
    // Act
    const phase = cpuByPhase(stats);
    // Assess: second half = (100 + 100 + 90 + 110) ms / 400 records; warm-up = each container's total minus that rate × its records.
    expect(phase?.firstInvocationMsPerMessage).toBeCloseTo(700 / 200);
    expect(phase?.secondHalfMsPerMessage).toBeCloseTo(1);
    expect(phase?.warmUpMsPerContainer).toBeCloseTo(((800 - 400) + (650 - 400)) / 2);
    expect(phase?.betweenInvocationsMsPerContainer).toBeCloseTo(10);
  });

  it('says nothing without at least two invocations in a container', () => {
    expect(cpuByPhase([container([[100, 100]])])).toBeUndefined();
    expect(cpuByPhase([{ cpuMs: 1, initCpuMs: 1, liveHeapMb: 1, memory: { peakMb: 1 } }])).toBeUndefined();
  });
});
