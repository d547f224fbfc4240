import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { DN, GridPki, missingGridTools, type Credential } from '../../support/grid-pki';
import { adminToken } from '../sdk-catalog-client';
import type { Scenario, ScenarioResult } from '../scenario';
import { ADMIN_PASSWORD, ServiceProcess } from '../service-process';

const FIREMAN = 'http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
}

/** What an attack must come to: a whole-request refusal, refused items, or an answer that reveals nothing. */
type Expectation = 'unauthenticated' | 'denied items' | 'denied request' | 'soap refusal' | 'reveals nothing';

interface Attack {
  readonly name: string;
  readonly expect: Expectation;
  readonly run: () => Promise<Answer>;
}

export const authorizationScenario: Scenario = {
  name: 'authorization',
  describe: "attacks with the test grid PKI: forged and foreign credentials, symlinks into private directories, moves and permission changes without the rights, revealing queries",
  async run(context): Promise<ScenarioResult> {
    const missing = missingGridTools();
    if (missing.length > 0) return { figures: { skipped: `missing ${missing.join(', ')}` }, problems: [`grid tools missing: ${missing.join(', ')} (apt-get install globus-proxy-utils voms-clients)`] };
    const pki = new GridPki();
    const url = await context.freshDatabase('stress_authz');
    const service = await ServiceProcess.start({
      name: 'authorization',
      dir: context.dir,
      env: {
        DATABASE_URL: url,
        TLS_CERT: pki.path('server.pem'),
        TLS_KEY: pki.path('server.key'),
        TLS_PORT: '0',
        X509_CERT_DIR: pki.certDir,
        X509_VOMS_DIR: pki.vomsDir,
      },
    });
    const problems: string[] = [];
    try {
      const tlsPort = await tlsPortOf(service);
      const ca = pki.user('ca').chain;
      const alice = pki.gridProxy('alice-proxy.pem', 'alice', '-rfc');
      const bob = pki.gridProxy('bob-proxy.pem', 'bob', '-rfc');
      const admin = `Bearer ${await adminToken(service.url, ADMIN_PASSWORD)}`;

      const https = (credential: Credential, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> =>
        new Promise((resolve) => {
          const requestId = `authz-${randomUUID()}`;
          const req = httpsRequest(
            {
              host: '127.0.0.1',
              port: tlsPort,
              method,
              path,
              servername: 'localhost',
              ca,
              cert: credential.chain,
              key: credential.key,
              agent: false,
              headers: { 'x-request-id': requestId, ...(body !== undefined ? { 'content-type': contentType, ...(contentType === 'text/xml' ? { soapaction: '""' } : {}) } : {}) },
            },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, requestId }));
            },
          );
          // A refused handshake is a refusal too (the known case: a tampered signature may drop the connection).
          req.on('error', (error) => resolve({ status: 0, body: error.message, requestId }));
          req.end(body);
        });
      const post = (who: Credential, path: string, items: unknown[]) => https(who, 'POST', path, JSON.stringify({ items }));
      const asAdmin = async (path: string, body: unknown) => {
        const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`setup ${path}: HTTP ${res.status} ${await res.text()}`);
        return res.json() as Promise<{ results?: { ok: boolean }[] }>;
      };
      const soap = (who: Credential, inner: string) =>
        https(who, 'POST', '/soap/FiremanCatalog', `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`, 'text/xml');
      const mustSucceed = async (what: string, answer: Promise<Answer>) => {
        const res = await answer;
        const results = res.status === 200 ? ((JSON.parse(res.body) as { results?: { ok: boolean }[] }).results ?? []) : [];
        if (res.status !== 200 || results.some((r) => !r.ok)) throw new Error(`setup step "${what}" failed: ${res.status} ${res.body.slice(0, 300)}`);
        return res;
      };

      // The stage: a shared /grid; Alice's private tree; a shared directory where Bob may write but not remove.
      await asAdmin('/api/v1/directories', { items: [{ lfn: '/grid' }] });
      await asAdmin('/api/v1/permissions/set', { items: [{ lfn: '/grid', mode: 'add', permission: { base: { other: ['execute', 'list', 'write'] } } }] });
      await asAdmin('/api/v1/schemas', { name: 'secrets', attributes: [{ name: 'secret_tag', type: 'string' }] });
      await mustSucceed('alice mkdir', post(alice, '/api/v1/directories', [{ lfn: '/grid/alice/private', parents: true }, { lfn: '/grid/shared' }]));
      await mustSucceed('alice files', post(alice, '/api/v1/files', [
        { lfn: '/grid/alice/private/secret', replicas: [{ surl: 'srm://se.example.org/alice/secret' }] },
        { lfn: '/grid/shared/alices-file' },
      ]));
      await mustSucceed('alice shares', post(alice, '/api/v1/permissions/set', [
        { lfn: '/grid/shared', mode: 'add', permission: { acl: [{ principal: DN.bob, kind: 'user', allow: ['read', 'write', 'list', 'execute'] }] } },
      ]));
      await mustSucceed('alice tags', post(alice, '/api/v1/attributes/set', [{ lfn: '/grid/alice/private/secret', attributes: { secret_tag: 'classified' } }]));
      await mustSucceed('bob mkdir', post(bob, '/api/v1/directories', [{ lfn: '/grid/bob' }]));
      await mustSucceed('bob writes in shared', post(bob, '/api/v1/files', [{ lfn: '/grid/shared/bobs-file' }]));
      await mustSucceed('bob links', post(bob, '/api/v1/symlinks', [
        { lfn: '/grid/bob/peek', target: '/grid/alice/private/secret' },
        { lfn: '/grid/bob/door', target: '/grid/alice/private' },
      ]));

      const forged = (() => {
        const made = pki.fakeProxy('bob-as-alice.pem', 'bob', '-newsubject', `${DN.alice}/CN=4242`, '-newissuer', DN.alice);
        const [proxy] = made.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
        return { chain: `${proxy}\n${pki.user('alice').chain}`, key: made.key };
      })();
      const stat = (who: Credential, lfn: string) => post(who, '/api/v1/entries/stat', [{ lfn }]);
      const attacks: Attack[] = [
        { name: "Bob's proxy forged to claim Alice's name", expect: 'unauthenticated', run: () => stat(forged, '/grid/alice/private/secret') },
        { name: "a self-signed certificate with Alice's name", expect: 'unauthenticated', run: () => stat(pki.user('mallory'), '/grid/alice/private/secret') },
        { name: 'a certificate from an untrusted CA', expect: 'unauthenticated', run: () => stat(pki.user('eve'), '/grid/alice') },
        { name: 'a revoked certificate', expect: 'unauthenticated', run: () => stat(pki.user('carol'), '/grid/alice') },
        { name: 'an expired proxy', expect: 'unauthenticated', run: () => stat(pki.fakeProxy('alice-expired.pem', 'alice', '-hours', '1', '-pastproxy', '2:00'), '/grid/alice') },
        { name: 'an independent proxy of Alice', expect: 'unauthenticated', run: () => stat(pki.gridProxy('alice-independent.pem', 'alice', '-independent'), '/grid/alice') },
        { name: "stat of Alice's private file", expect: 'denied items', run: () => stat(bob, '/grid/alice/private/secret') },
        { name: 'stat through a symlink into the private directory', expect: 'denied items', run: () => stat(bob, '/grid/bob/peek') },
        { name: 'replicas through a symlink into the private directory', expect: 'denied items', run: () => post(bob, '/api/v1/replicas/list', [{ lfn: '/grid/bob/peek' }]) },
        { name: 'a path through a symlinked private directory', expect: 'denied items', run: () => stat(bob, '/grid/bob/door/secret') },
        { name: 'listing a private directory through a symlink', expect: 'denied request', run: () => https(bob, 'GET', '/api/v1/directories/entries?lfn=/grid/bob/door') },
        { name: "moving Alice's file out of a directory Bob cannot remove from", expect: 'denied items', run: () => post(bob, '/api/v1/entries/move', [{ from: '/grid/shared/alices-file', to: '/grid/bob/stolen' }]) },
        { name: 'moving his own file out of that directory', expect: 'denied items', run: () => post(bob, '/api/v1/entries/move', [{ from: '/grid/shared/bobs-file', to: '/grid/bob/mine' }]) },
        { name: 'removing Alice’s file there', expect: 'denied items', run: () => post(bob, '/api/v1/entries/remove', [{ lfn: '/grid/shared/alices-file' }]) },
        { name: 'granting himself rights on Alice’s file', expect: 'denied items', run: () => post(bob, '/api/v1/permissions/set', [{ lfn: '/grid/shared/alices-file', mode: 'add', permission: { acl: [{ principal: DN.bob, kind: 'user', allow: ['read', 'write', 'remove', 'permission'] }] } }]) },
        { name: 'adding remove to the shared directory', expect: 'denied items', run: () => post(bob, '/api/v1/permissions/set', [{ lfn: '/grid/shared', mode: 'add', permission: { base: { other: ['remove'] } } }]) },
        { name: 'opening the private directory', expect: 'denied items', run: () => post(bob, '/api/v1/permissions/set', [{ lfn: '/grid/alice/private', permission: { base: { other: ['read', 'list', 'execute'] } } }]) },
        { name: 'taking ownership of Alice’s file', expect: 'denied items', run: () => post(bob, '/api/v1/entries/chown', [{ lfn: '/grid/shared/alices-file', owner: DN.bob }]) },
        { name: 'reading the private file’s attributes', expect: 'denied items', run: () => post(bob, '/api/v1/attributes/get', [{ lfn: '/grid/alice/private/secret' }]) },
        { name: 'a metadata query matching the private file', expect: 'reveals nothing', run: () => https(bob, 'POST', '/api/v1/query', JSON.stringify({ query: "secret_tag = 'classified'" })) },
        { name: 'a metadata count matching the private file', expect: 'reveals nothing', run: () => https(bob, 'POST', '/api/v1/query', JSON.stringify({ query: 'EXISTS secret_tag', count: true })) },
        { name: 'a metadata query under the private directory', expect: 'reveals nothing', run: () => https(bob, 'POST', '/api/v1/query', JSON.stringify({ query: 'EXISTS secret_tag', under: '/grid/alice' })) },
        { name: 'SOAP stat of the private file', expect: 'soap refusal', run: () => soap(bob, `<f:getLfnStat xmlns:f="${FIREMAN}"><lfns><item>/grid/alice/private/secret</item></lfns></f:getLfnStat>`) },
        { name: 'SOAP stat through the symlink', expect: 'soap refusal', run: () => soap(bob, `<f:getLfnStat xmlns:f="${FIREMAN}"><lfns><item>/grid/bob/peek</item></lfns></f:getLfnStat>`) },
        { name: 'SOAP move out of the shared directory', expect: 'soap refusal', run: () => soap(bob, `<f:mv xmlns:f="${FIREMAN}"><entries><item><string1>/grid/shared/alices-file</string1><string2>/grid/bob/x</string2></item></entries></f:mv>`) },
        { name: 'SOAP permission change without the right', expect: 'soap refusal', run: () => soap(bob, `<f:setPermission xmlns:f="${FIREMAN}"><permissions><item><item>/grid/shared/alices-file</item><permission><userName>${DN.bob}</userName><otherPerm><permission>true</permission><remove>true</remove><read>true</read><write>true</write><list>true</list><execute>true</execute><getMetadata>true</getMetadata><setMetadata>true</setMetadata></otherPerm></permission></item></permissions></f:setPermission>`) },
      ];
      const refused: { name: string; requestId: string }[] = [];
      for (const attack of attacks) {
        const answer = await attack.run();
        const verdict = judge(attack.expect, answer);
        context.say(`  ${verdict === undefined ? 'refused' : 'NOT REFUSED'}  ${attack.name} (${answer.status})`);
        if (verdict !== undefined) problems.push(`${attack.name}: ${verdict}`);
        // Every refusal is audited; a query that only filtered what the caller may not read refused nothing.
        if ((attack.expect !== 'reveals nothing' || answer.status === 403) && answer.status !== 0) refused.push({ name: attack.name, requestId: answer.requestId });
      }

      // Nothing changed: Alice still sees her files where they were, with her rights.
      const check = await post(alice, '/api/v1/entries/stat', [{ lfn: '/grid/shared/alices-file' }, { lfn: '/grid/alice/private/secret' }]);
      const results = (JSON.parse(check.body) as { results: { ok: boolean }[] }).results;
      if (results.some((r) => !r.ok)) problems.push(`after the attacks Alice's view changed: ${check.body.slice(0, 300)}`);
      const stayed = (await asAdmin('/api/v1/entries/stat', { items: [{ lfn: '/grid/shared/bobs-file' }] })).results ?? [];
      if (!stayed[0]?.ok) problems.push("Bob's file left the shared directory");
      const aliceQuery = await https(alice, 'POST', '/api/v1/query', JSON.stringify({ query: "secret_tag = 'classified'" }));
      if (!aliceQuery.body.includes('/grid/alice/private/secret')) problems.push(`control: Alice's own query does not find her file: ${aliceQuery.body.slice(0, 200)}`);
      // The administrator may look (bypass), and it is audited.
      const peek = await fetch(`${service.url}/api/v1/entries/stat`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json', 'x-request-id': 'admin-peek' }, body: JSON.stringify({ items: [{ lfn: '/grid/alice/private/secret' }] }) });
      if (!peek.ok) problems.push(`admin stat failed: ${peek.status}`);

      await sleep(500); // the last audit lines reach the log
      const audits = service.auditLines();
      let audited = 0;
      for (const r of refused) {
        if (audits.some((a) => a.requestId === r.requestId && String(a.action).startsWith('refused:'))) audited++;
        else problems.push(`not in the audit log: ${r.name} (request ${r.requestId})`);
      }
      if (!audits.some((a) => a.requestId === 'admin-peek' && String(a.action).startsWith('admin-bypass:'))) problems.push('the admin bypass was not audited');
      const permissionChanges = audits.filter((a) => a.action === 'set-permission' || String(a.action).startsWith('set-permission')).length;
      if (permissionChanges === 0) problems.push("Alice's permission change was not audited");
      return {
        figures: { attacks: attacks.length, refused: attacks.length - problems.filter((p) => attacks.some((a) => p.startsWith(a.name))).length, auditedRefusals: `${audited}/${refused.length}`, auditLines: audits.length },
        problems,
      };
    } finally {
      await service.stop();
      pki.remove();
    }
  },
};

/** The HTTPS port the service chose (TLS_PORT=0), from its listening line. */
async function tlsPortOf(service: ServiceProcess): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const line = service.kept.find((l) => typeof l.tlsUrl === 'string');
    if (line) return Number(new URL(String(line.tlsUrl)).port);
    await sleep(100);
  }
  throw new Error('the service did not log its HTTPS address');
}

function judge(expect: Expectation, answer: Answer): string | undefined {
  switch (expect) {
    case 'unauthenticated':
      return answer.status === 401 || answer.status === 0 ? undefined : `expected 401, got ${answer.status} ${answer.body.slice(0, 200)}`;
    case 'denied request':
      return answer.status === 403 ? undefined : `expected 403, got ${answer.status} ${answer.body.slice(0, 200)}`;
    case 'denied items': {
      if (answer.status !== 200) return `expected 200 with refused items, got ${answer.status} ${answer.body.slice(0, 200)}`;
      const results = (JSON.parse(answer.body) as { results: { ok: boolean; error?: { code: string } }[] }).results;
      return results.every((r) => !r.ok && r.error?.code === 'PermissionDenied') ? undefined : `not refused: ${answer.body.slice(0, 300)}`;
    }
    case 'soap refusal':
      return answer.body.includes('AuthorizationException') ? undefined : `expected an AuthorizationException, got ${answer.status} ${answer.body.slice(0, 300)}`;
    case 'reveals nothing':
      // Refusing the whole query (403, naming only what the caller asked about) reveals nothing either.
      if (answer.status === 403) return undefined;
      if (answer.status !== 200) return `unexpected ${answer.status}`;
      return answer.body.includes('/grid/alice') || /"count":\s*[1-9]/.test(answer.body) ? `revealed: ${answer.body.slice(0, 300)}` : undefined;
  }
}
