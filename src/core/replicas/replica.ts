import type { Selectable } from 'kysely';
import type { ReplicaStatus, ReplicasTable } from '../../db/schema';
import type { Guid } from '../names/guid';
import type { Surl } from '../names/surl';

/** One physical copy of a file on a storage element. */
export interface Replica {
  readonly guid: Guid;
  readonly surl: Surl;
  readonly se: string;
  readonly status: ReplicaStatus;
  readonly master: boolean;
  readonly ctime: Date;
  readonly mtime: Date;
}

export type ReplicaRow = Selectable<ReplicasTable>;

export function toReplica(row: ReplicaRow): Replica {
  return {
    guid: row.guid as Guid,
    surl: row.surl as Surl,
    se: row.se,
    status: row.status,
    master: row.is_master,
    ctime: row.ctime,
    mtime: row.mtime,
  };
}

/** Replicas of a file in a stable order: the master first, then by registration. */
export function compareReplicas(a: Replica, b: Replica): number {
  if (a.master !== b.master) return a.master ? -1 : 1;
  return a.ctime.getTime() - b.ctime.getTime() || (a.surl < b.surl ? -1 : a.surl > b.surl ? 1 : 0);
}
