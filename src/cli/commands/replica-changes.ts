import { defineCommand } from '../command-spec';
import { replicaPairs } from '../replica-pairs';
import { reportResults } from '../targets';

const LIST_OPTION = ['-f, --file <list>', 'read FILE SURL pairs, one a line, from LIST (- for stdin)'] as const;

export const addreplica = defineCommand<{ readonly master?: boolean; readonly file?: string }>({
  name: 'addreplica',
  tool: 'glite-catalog-addreplica',
  summary: 'register replicas (SURLs) of existing files',
  arguments: [['[file-and-surls...]', 'FILE (an LFN or guid:GUID) then its new SURLs']],
  examples: ['glite-catalog-addreplica /grid/vo/run1/a.root srm://se2.example.org/vo/a.root', 'glite-catalog-addreplica -f new-replicas.txt'],
  configure: (command) => command.option('-m, --master', 'make the (last) new replica the master').option(...LIST_OPTION),
  async run(session, args, options) {
    const pairs = await replicaPairs(session, args, options.file);
    const results = await session.client().replicas.add(pairs.map((p) => ({ ...p.file, surl: p.surl, ...(options.master === true ? { master: true } : {}) })));
    await reportResults(session, pairs.map((p) => p.subject), results, (r) => session.debug(() => `added ${r.replica.surl}`));
  },
});

export const rmreplica = defineCommand<{ readonly file?: string }>({
  name: 'rmreplica',
  tool: 'glite-catalog-rmreplica',
  summary: 'unregister replicas; when the master goes, the oldest remaining one becomes master',
  arguments: [['[file-and-surls...]', 'FILE (an LFN or guid:GUID) then the SURLs to remove']],
  examples: ['glite-catalog-rmreplica /grid/vo/run1/a.root srm://se2.example.org/vo/a.root', 'glite-catalog-rmreplica -f gone.txt'],
  configure: (command) => command.option(...LIST_OPTION),
  async run(session, args, options) {
    const pairs = await replicaPairs(session, args, options.file);
    const results = await session.client().replicas.remove(pairs.map((p) => ({ ...p.file, surl: p.surl })));
    await reportResults(session, pairs.map((p) => p.subject), results, (_r, i) => session.debug(() => `removed ${pairs[i]!.surl}`));
  },
});

export const setmaster = defineCommand<{ readonly file?: string }>({
  name: 'setmaster',
  tool: 'glite-catalog-setmaster',
  summary: 'make an existing replica the master of its file',
  arguments: [['[file-and-surl...]', 'FILE (an LFN or guid:GUID) then the SURL']],
  examples: ['glite-catalog-setmaster /grid/vo/run1/a.root srm://se2.example.org/vo/a.root'],
  configure: (command) => command.option(...LIST_OPTION),
  async run(session, args, options) {
    const pairs = await replicaPairs(session, args, options.file);
    const results = await session.client().replicas.setMaster(pairs.map((p) => ({ ...p.file, surl: p.surl })));
    await reportResults(session, pairs.map((p) => p.subject), results, (r) => session.debug(() => `master ${r.replica.surl}`));
  },
});
