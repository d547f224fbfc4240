import { SrmService } from '../../src/srm/srm-service';
import type { SrmCatalog } from '../../src/srm/srm-catalog';

/**
 * An SRM over `ses` (name → directory) with the timings the SRM tests reason about: tape staging takes 30 s,
 * pins last 10 minutes (at most an hour), puts 5 minutes, finished requests are kept an hour; `now` is the
 * test's clock.
 */
export function testSrmService(ses: ReadonlyMap<string, string>, catalog: SrmCatalog, now: () => number): SrmService {
  return new SrmService(
    {
      ses: new Map(ses),
      stagingDelayMs: 30_000,
      pinLifetimeMs: 600_000,
      maxPinLifetimeMs: 3_600_000,
      putLifetimeMs: 300_000,
      requestRetentionMs: 3_600_000,
      now,
    },
    catalog,
  );
}
