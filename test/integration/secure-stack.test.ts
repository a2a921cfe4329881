/**
 * The secured local stack (`scripts/stack up --secure`) against its real servers: what
 * `scripts/stack env --secure` hands out works, wrong or missing credentials are refused, and the
 * Elasticsearch role reaches wharf's indices only. Kafka and ZooKeeper: secure-stack-kafka.test.ts.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { uniqueName } from '../helpers/names';
import { apiKey, basic, https, secureEnv, STACK } from '../helpers/secure-stack';

describe('secured local stack: env, Elasticsearch and CouchDB (real servers)', function () {
  this.timeout(120_000);
  let env: Record<string, string>;

  before(() => {
    env = secureEnv();
  });

  describe('scripts/stack env --secure and status --secure', () => {
    it('exports every variable wharf and the tests need, from secret files only root can read, the same on every call', () => {
      for (const name of [
        'WHARF_ES_URL', 'WHARF_ES_CA', 'WHARF_ES_API_KEY', 'WHARF_ES_USERNAME', 'WHARF_ES_PASSWORD', 'WHARF_ES_REVOCABLE_API_KEY',
        'WHARF_ES_ADMIN_USERNAME', 'WHARF_ES_ADMIN_PASSWORD', 'WHARF_KAFKA_BROKERS', 'WHARF_KAFKA_CA', 'WHARF_KAFKA_SASL_MECHANISM',
        'WHARF_KAFKA_SASL_USERNAME', 'WHARF_KAFKA_SASL_PASSWORD', 'WHARF_KAFKA_READER_USERNAME', 'WHARF_KAFKA_READER_PASSWORD',
        'WHARF_ZK_DIGEST', 'WHARF_COUCHDB_URL', 'WHARF_COUCHDB_CA', 'WHARF_COUCHDB_ADMIN_USERNAME', 'WHARF_COUCHDB_ADMIN_PASSWORD',
      ]) {
        expect(env[name], name).to.be.a('string').and.not.equal('');
      }
      expect(env.WHARF_ES_URL).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(env.WHARF_COUCHDB_URL).to.match(/^https:\/\//);
      expect(env.WHARF_KAFKA_SASL_MECHANISM).to.equal('SCRAM-SHA-512');
      expect(env.WHARF_ZK_DIGEST).to.match(/^wharf:[0-9a-f]{32}$/);
      const secrets = `${dirname(dirname(env.WHARF_ES_CA))}/secrets`;
      expect(statSync(secrets).mode & 0o777).to.equal(0o700);
      for (const file of ['es-api-key', 'es-admin-password', 'kafka-writer-password', 'zk-wharf-password', 'couchdb-admin-password']) {
        expect(statSync(`${secrets}/${file}`).mode & 0o777, file).to.equal(0o600);
      }
      expect(statSync(`${dirname(env.WHARF_ES_CA)}/server.key`).mode & 0o777).to.equal(0o600);
      expect(secureEnv()).to.deep.equal(env);
    });

    it('status --secure reports the secured variants ready', () => {
      const status = execFileSync(STACK, ['status', '--secure'], { encoding: 'utf8' });
      for (const row of ['elasticsearch-secure', 'couchdb-secure', 'kafka (SASL_SSL, mTLS)']) {
        expect(status).to.match(new RegExp(`^${row.replace(/[()]/g, '\\$&')} +ready `, 'm'));
      }
    });
  });

  describe('Elasticsearch over https with security on', () => {
    const es = (path: string, call: Parameters<typeof https>[1] = {}) => https(`${env.WHARF_ES_URL}${path}`, { caFile: env.WHARF_ES_CA, ...call });
    const admin = () => basic(env.WHARF_ES_ADMIN_USERNAME, env.WHARF_ES_ADMIN_PASSWORD);
    const created: string[] = [];

    after(async () => {
      for (const index of created) await es(`/${index}`, { method: 'DELETE', headers: admin() });
    });

    it('answers the API key and the wharf user, and refuses no credentials, a wrong key and a wrong password', async () => {
      expect((await es('/_cluster/health', { headers: apiKey(env.WHARF_ES_API_KEY) })).status).to.equal(200);
      expect((await es('/_cluster/health', { headers: basic(env.WHARF_ES_USERNAME, env.WHARF_ES_PASSWORD) })).status).to.equal(200);
      expect((await es('/_cluster/health')).status).to.equal(401);
      const wrongKey = Buffer.from(`${env.WHARF_ES_API_KEY.length}:not-the-key`).toString('base64');
      expect((await es('/_cluster/health', { headers: apiKey(wrongKey) })).status).to.equal(401);
      expect((await es('/_cluster/health', { headers: basic(env.WHARF_ES_USERNAME, 'wrong') })).status).to.equal(401);
    });

    it('is refused by a client that does not trust the stack CA', async () => {
      const refused = await https(`${env.WHARF_ES_URL}/_cluster/health`, { headers: apiKey(env.WHARF_ES_API_KEY) }).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(refused).to.match(/CERT|SIGNATURE|ISSUER/);
    });

    it('lets the key do what wharf does on a wharf-* index: create with a filtered alias, bulk with external versions, refresh, search, delete', async () => {
      const index = uniqueName('wharf-secure');
      created.push(index);
      const key = apiKey(env.WHARF_ES_API_KEY);
      const create = await es(`/${index}`, { method: 'PUT', headers: key, body: JSON.stringify({ aliases: { [`${index}-live`]: { filter: { term: { gone: false } } } } }) });
      expect(create.status, create.body).to.equal(200);
      const bulk = await es('/_bulk', {
        method: 'POST',
        headers: { ...key, 'content-type': 'application/x-ndjson' },
        body: `${JSON.stringify({ index: { _index: index, _id: 'a', version: 7, version_type: 'external' } })}\n${JSON.stringify({ gone: false })}\n`,
      });
      expect((JSON.parse(bulk.body) as { errors: boolean }).errors, bulk.body).to.equal(false);
      expect((await es(`/${index}/_refresh`, { method: 'POST', headers: key })).status).to.equal(200);
      const found = await es(`/${index}-live/_search`, { headers: key });
      expect((JSON.parse(found.body) as { hits: { total: { value: number } } }).hits.total.value, found.body).to.equal(1);
      expect((await es(`/${index}/_doc/a`, { method: 'DELETE', headers: key })).status).to.equal(200);
    });

    it('refuses the key any index outside wharf-*, orders, orders-*: create, write and read all get 403', async () => {
      const other = uniqueName('other-secure');
      created.push(other);
      const key = apiKey(env.WHARF_ES_API_KEY);
      expect((await es(`/${other}`, { method: 'PUT', headers: key })).status).to.equal(403);
      expect((await es(`/${other}`, { method: 'PUT', headers: admin() })).status).to.equal(200);
      expect((await es(`/${other}/_doc/x`, { method: 'PUT', headers: key, body: '{}' })).status).to.equal(403);
      expect((await es(`/${other}/_search`, { headers: key })).status).to.equal(403);
      expect((await es(`/${other}`, { method: 'DELETE', headers: key })).status).to.equal(403);
    });

    it('refuses an API key once it is invalidated', async () => {
      const minted = await es('/_security/api_key', { method: 'POST', headers: admin(), body: JSON.stringify({ name: uniqueName('wharf-test-key') }) });
      const { id, encoded } = JSON.parse(minted.body) as { id: string; encoded: string };
      expect((await es('/_cluster/health', { headers: apiKey(encoded) })).status).to.equal(200);
      expect((await es('/_security/api_key', { method: 'DELETE', headers: admin(), body: JSON.stringify({ ids: [id] }) })).status).to.equal(200);
      expect((await es('/_cluster/health', { headers: apiKey(encoded) })).status).to.equal(401);
    });
  });

  describe('CouchDB server over https, no anonymous access, patched', () => {
    const couch = (path: string, call: Parameters<typeof https>[1] = {}) => https(`${env.WHARF_COUCHDB_URL}${path}`, { caFile: env.WHARF_COUCHDB_CA, ...call });
    const admin = () => basic(env.WHARF_COUCHDB_ADMIN_USERNAME, env.WHARF_COUCHDB_ADMIN_PASSWORD);
    const member = { name: uniqueName('wharf-member'), password: uniqueName('pw') };
    const dbs: string[] = [];

    after(async () => {
      for (const db of dbs) await couch(`/${db}`, { method: 'DELETE', headers: admin() });
      const doc = await couch(`/_users/org.couchdb.user:${member.name}`, { headers: admin() });
      const rev = doc.status === 200 ? (JSON.parse(doc.body) as { _rev: string })._rev : undefined;
      if (rev) await couch(`/_users/org.couchdb.user:${member.name}?rev=${rev}`, { method: 'DELETE', headers: admin() });
    });

    it('refuses anonymous reads and a wrong password, and serves its admin', async () => {
      for (const path of ['/', '/_all_dbs', '/_users/_all_docs']) expect((await couch(path)).status, path).to.equal(401);
      expect((await couch('/_all_dbs', { headers: basic(env.WHARF_COUCHDB_ADMIN_USERNAME, 'wrong') })).status).to.equal(401);
      expect((await couch('/_all_dbs', { headers: admin() })).status).to.equal(200);
    });

    it('answers 401 to an unauthenticated PUT /<db>, and to a valid non-admin user, and keeps serving', async () => {
      const db = uniqueName('wharf-secure-db');
      dbs.push(db);
      expect((await couch(`/${db}`, { method: 'PUT' })).status).to.equal(401);
      const user = { _id: `org.couchdb.user:${member.name}`, name: member.name, password: member.password, roles: [], type: 'user' };
      expect((await couch(`/_users/${user._id}`, { method: 'PUT', headers: admin(), body: JSON.stringify(user) })).status).to.equal(201);
      // A logged-in non-admin reaches the route the patch guards (the crash was PouchDB.new's 401).
      const byMember = await couch(`/${db}`, { method: 'PUT', headers: basic(member.name, member.password) });
      expect(byMember.status, byMember.body).to.equal(401);
      expect((await couch('/_all_dbs', { headers: admin() })).status).to.equal(200);
      expect((await couch(`/${db}`, { method: 'PUT', headers: admin() })).status).to.equal(201);
    });

    it('is refused by a client that does not trust the stack CA', async () => {
      const refused = await https(`${env.WHARF_COUCHDB_URL}/_all_dbs`, { headers: admin() }).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(refused).to.match(/CERT|SIGNATURE|ISSUER/);
    });
  });
});
