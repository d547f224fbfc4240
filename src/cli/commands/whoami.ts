import { defineCommand } from '../command-spec';

export const whoami = defineCommand<object>({
  name: 'whoami',
  tool: 'replicat whoami',
  summary: 'show who the service takes you for (checks the endpoint and credentials)',
  arguments: [],
  examples: ['REPLICAT_ENDPOINT=https://catalog.example.org:8443 X509_USER_PROXY=/tmp/x509up_u1000 replicat whoami'],
  async run(session) {
    const me = await session.client().whoami();
    if (session.json) {
      await session.out.json(me);
      return;
    }
    await session.out.line(`identity: ${me.dn}`);
    if (me.account !== undefined) await session.out.line(`account:  ${me.account}`);
    await session.out.line(`group:    ${me.group}`);
    if (me.groups.length > 0) await session.out.line(`groups:   ${me.groups.join(' ')}`);
    if (me.fqans !== undefined && me.fqans.length > 0) await session.out.line(`fqans:    ${me.fqans.join(' ')}`);
    await session.out.line(`method:   ${me.method}${me.admin ? ' (admin)' : ''}${me.limited === true ? ' (limited proxy)' : ''}`);
    await session.out.line(`service:  ${session.endpoint?.url ?? ''}`);
  },
});
