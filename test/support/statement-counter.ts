import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/**
 * Counts the SQL statements of a Kysely instance (`db.withPlugin(counter)`; transaction control excluded):
 * compiled (transformQuery) and executed (transformResult, as their results come back). A precompiled
 * statement (db/precompiled.ts) is compiled once but executed often.
 */
export class StatementCounter implements KyselyPlugin {
  compiled = 0;
  executed = 0;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.compiled += 1;
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.executed += 1;
    return args.result;
  }
}
