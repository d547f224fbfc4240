import type { Replica } from '@replicat/sdk';
import type { Session } from '../session';
import { messageOf, srmFailureCode } from './srm-access';
import type { SrmConnections } from './srm-connections';

/** A file whose replicas' bytes are to go, with its replicas as the catalog lists them. */
export interface DoomedFile {
  readonly subject: string;
  readonly lfn: string;
  readonly replicas: readonly Replica[];
}

/** A replica whose bytes could not be removed: it stays registered, and so does its file. */
export interface KeptReplica {
  readonly surl: string;
  readonly code: string;
  readonly message: string;
}

/** What became of one file's replicas: the SURLs whose bytes are gone, and those kept. */
export interface BytesOutcome {
  readonly file: DoomedFile;
  readonly removed: readonly string[];
  readonly kept: readonly KeptReplica[];
}

/**
 * Removes the bytes of every replica through the SRM of its SE (one srmRm per SRM for all its SURLs), as
 * lcg-del does before it unregisters: a replica whose bytes are gone (or were never there) counts as
 * removed; one on an SE with no SRM known, or that the SRM could not remove, is kept, with why.
 */
export async function removeReplicaBytes(session: Session, connections: SrmConnections, files: readonly DoomedFile[]): Promise<BytesOutcome[]> {
  const { directory } = await connections.directory();
  const kept = new Map<DoomedFile, KeptReplica[]>(files.map((f) => [f, []]));
  const removed = new Map<DoomedFile, string[]>(files.map((f) => [f, []]));
  const bySrm = new Map<string, { file: DoomedFile; surl: string }[]>();
  for (const file of files) {
    for (const replica of file.replicas) {
      const se = directory.locate(replica.surl, replica.se)?.name ?? replica.se;
      const srm = connections.endpoints.of(se);
      if (srm === undefined) kept.get(file)!.push({ surl: replica.surl, code: 'NoSrm', message: `no SRM given for storage element ${se} (--srm ${se}=URL)` });
      else bySrm.set(srm, [...(bySrm.get(srm) ?? []), { file, surl: replica.surl }]);
    }
  }
  await connections.ready(bySrm.keys());
  for (const [url, replicas] of bySrm) {
    let answers;
    try {
      answers = await connections.srm(url).rm(replicas.map((r) => r.surl));
    } catch (error) {
      const code = srmFailureCode(error, 'TransferFailed');
      for (const r of replicas) kept.get(r.file)!.push({ surl: r.surl, code, message: `the SRM did not answer: ${messageOf(error)}` });
      continue;
    }
    replicas.forEach((r, i) => {
      const answer = answers[i];
      if (answer?.status === 'SRM_SUCCESS' || answer?.status === 'SRM_INVALID_PATH') removed.get(r.file)!.push(r.surl);
      else {
        const why = answer === undefined ? 'the SRM did not answer for this SURL' : `${answer.status}${answer.explanation !== undefined ? ` (${answer.explanation})` : ''}`;
        kept.get(r.file)!.push({ surl: r.surl, code: answer?.status === 'SRM_AUTHORIZATION_FAILURE' ? 'PermissionDenied' : 'TransferFailed', message: why });
      }
    });
  }
  session.debug(() => `bytes removed through ${bySrm.size} SRM(s)`);
  return files.map((file) => ({ file, removed: removed.get(file)!, kept: kept.get(file)! }));
}
