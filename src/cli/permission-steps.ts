import type { PermissionChange } from '@replicat/sdk';
import type { Session } from './session';
import { reportResults, resolveTargets, lfnTargets } from './targets';
import { inBatches, walkTree } from './walk-tree';

/** One permissions/set request's change: what the service applies atomically per entry. */
export interface PermissionStep {
  readonly mode: 'replace' | 'add' | 'remove';
  readonly permission: PermissionChange;
}

// Entries per round of steps when -R walks a tree: bounded memory, and the SDK still cuts requests to the service's limit.
const RECURSIVE_BATCH = 5000;

/**
 * Applies permission steps to the entries named by arguments (and with `recursive`, everything below
 * them): one bulk request per step per batch. An entry that fails a step is left out of the later ones,
 * so it is reported once.
 */
export async function applyPermissionSteps(session: Session, args: readonly string[], steps: readonly PermissionStep[], recursive: boolean): Promise<void> {
  const targets = lfnTargets(await resolveTargets(session, args));
  if (targets.length === 0 || steps.length === 0) return;
  const subjects = new Map(targets.map((t) => [t.lfn, t.subject] as const));
  const client = session.client();
  const lfns: AsyncIterable<string> = recursive
    ? walkTree(client, targets.map((t) => ({ lfn: t.lfn, ...(t.entry !== undefined ? { kind: t.entry.kind } : {}) })))
    : (async function* () {
        yield* targets.map((t) => t.lfn);
      })();
  for await (const batch of inBatches(lfns, RECURSIVE_BATCH)) {
    let live = batch;
    for (const step of steps) {
      const results = await client.permissions.set(live.map((lfn) => ({ lfn, permission: step.permission, mode: step.mode })));
      await reportResults(session, live.map((lfn) => subjects.get(lfn) ?? lfn), results);
      live = live.filter((_, i) => results[i]!.ok);
      if (live.length === 0) break;
    }
    for (const lfn of live) session.debug(() => `changed ${lfn}`);
  }
}
