import type { AttributeValue, ReplicatClient } from '@replicat/sdk';
import { defineCommand } from '../command-spec';
import { collect } from '../option-values';
import { UsageError } from '../exit-codes';
import { lfnTargets, reportResults, resolveTargets } from '../targets';

export const setattr = defineCommand<{ readonly attribute: string[]; readonly clear: string[] }>({
  name: 'setattr',
  tool: 'glite-catalog-setattr',
  summary: 'set (or clear) metadata attributes of entries',
  description:
    'Values are typed by the attribute\'s schema (int, float, bool, timestamp, string), so run=1042 sends the ' +
    'number 1042 when run is an int. Each entry is changed all or nothing.',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ["glite-catalog-setattr -a run=1042 -a detector=tpc '/grid/vo/run1/*.root'", 'glite-catalog-setattr -x quality /grid/vo/run1/a.root'],
  configure: (command) =>
    command
      .option('-a, --attribute <name=value>', 'an attribute to set (repeatable)', collect, [])
      .option('-x, --clear <name>', 'an attribute to clear (repeatable)', collect, []),
  async run(session, args, options) {
    if (options.attribute.length === 0 && options.clear.length === 0) throw new UsageError('nothing to change: give -a NAME=VALUE or -x NAME');
    const assignments = options.attribute.map((text) => {
      const eq = text.indexOf('=');
      if (eq <= 0) throw new UsageError(`${JSON.stringify(text)}: give NAME=VALUE`);
      return [text.slice(0, eq), text.slice(eq + 1)] as const;
    });
    const targets = lfnTargets(await resolveTargets(session, args));
    if (targets.length === 0) return;
    const client = session.client();
    const subjects = targets.map((t) => t.subject);
    let live = targets.map((t) => t.lfn);
    if (assignments.length > 0) {
      const types = await attributeTypes(client);
      const attributes = Object.fromEntries(assignments.map(([name, text]) => [name, typedValue(name, text, types.get(name))]));
      const results = await client.attributes.set(live.map((lfn) => ({ lfn, attributes })));
      await reportResults(session, subjects, results);
      live = live.filter((_, i) => results[i]!.ok);
    }
    if (options.clear.length > 0 && live.length > 0) {
      const results = await client.attributes.clear(live.map((lfn) => ({ lfn, names: options.clear })));
      await reportResults(session, live.map((lfn) => targets.find((t) => t.lfn === lfn)!.subject), results);
    }
  },
});

export const getattr = defineCommand<{ readonly attribute: string[] }>({
  name: 'getattr',
  tool: 'glite-catalog-getattr',
  summary: 'print metadata attributes of entries, NAME=VALUE a line',
  arguments: [['<lfn...>', 'LFNs (wildcards expanded)']],
  examples: ['glite-catalog-getattr /grid/vo/run1/a.root', "glite-catalog-getattr -a run '/grid/vo/run1/*.root'"],
  configure: (command) => command.option('-a, --attribute <name>', 'only this attribute (repeatable)', collect, []),
  async run(session, args, options) {
    const targets = lfnTargets(await resolveTargets(session, args));
    if (targets.length === 0) return;
    const results = await session.client().attributes.get(
      targets.map((t) => ({ lfn: t.lfn, ...(options.attribute.length > 0 ? { names: options.attribute } : {}) })),
    );
    const headers = targets.length > 1;
    let first = true;
    await reportResults(session, targets.map((t) => t.subject), results, async (r, i) => {
      if (session.json) return;
      if (headers) await session.out.line(`${first ? '' : '\n'}# ${targets[i]!.lfn}`);
      first = false;
      for (const name of Object.keys(r.attributes).sort()) await session.out.line(`${name}=${String(r.attributes[name])}`);
    });
  },
});

/** Attribute name → type, from every schema (names are shared by all schemas, so one type per name). */
async function attributeTypes(client: ReplicatClient): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  for (const schema of await client.schemas.list()) for (const a of schema.attributes) types.set(a.name, a.type);
  return types;
}

/** The JSON value of a command-line value for its type; an unknown name goes as a string, for the service to judge. */
export function typedValue(name: string, text: string, type: string | undefined): AttributeValue {
  switch (type) {
    case 'int':
    case 'float': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${name}=${text}: ${name} is a${type === 'int' ? 'n int' : ' float'}`);
      return value;
    }
    case 'bool':
      if (/^(true|yes|1)$/i.test(text)) return true;
      if (/^(false|no|0)$/i.test(text)) return false;
      throw new UsageError(`${name}=${text}: ${name} is a bool (true or false)`);
    default:
      return text;
  }
}
