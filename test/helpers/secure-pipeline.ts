/**
 * The secured local stack as a PipelineStack (test/helpers/pipeline.ts): Kafka's SASL_SSL
 * listener (SCRAM-SHA-512) with the stack's CA, Elasticsearch over https with an API key,
 * CouchDB over https with its admin, ZooKeeper with digest credentials. wharf gets every secret
 * as a file reference (mode 600 files in a temporary folder), as systemd's LoadCredential= gives
 * them; the test itself reads and manages the sinks with the stack's administrators.
 *
 * The Elasticsearch API key wharf uses is minted per run by the stack's superuser with exactly
 * the privileges docs/security.md documents (src/sinks/elasticsearch/privileges.ts), on the
 * indices the runs use: the pipeline, replay, dlq replay and verify working with it proves them.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CouchdbSinkSchema } from '../../src/sinks/couchdb/config';
import { ElasticsearchSinkSchema } from '../../src/sinks/elasticsearch/config';
import { CLUSTER_PRIVILEGES, INDEX_PRIVILEGES } from '../../src/sinks/elasticsearch/privileges';
import type { PipelineStack } from './pipeline';
import { basic, https, secureEnv } from './secure-stack';

/** Writes a secret to a file only its owner reads, and returns the file reference for the configuration. */
export function secretFile(dir: string, name: string, value: string): { file: string } {
  const file = join(dir, name);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file };
}

export interface MintedKey {
  id: string;
  encoded: string;
}

/** Elasticsearch's API key API, as the stack's superuser. */
export class EsKeys {
  constructor(private readonly env = secureEnv()) {}

  private admin(method: string, path: string, body: object): Promise<{ status: number; body: string }> {
    const { WHARF_ES_URL: url, WHARF_ES_CA: caFile, WHARF_ES_ADMIN_USERNAME: user, WHARF_ES_ADMIN_PASSWORD: password } = this.env;
    return https(`${url}${path}`, { method, caFile, headers: basic(user, password), body: JSON.stringify(body) });
  }

  /** A key with exactly wharf's least privileges on the indices `${prefix}*`; `expiration` e.g. "1s". */
  async mint(name: string, prefix: string, expiration?: string): Promise<MintedKey> {
    const roleDescriptors = {
      wharf_least_privileges: { cluster: Object.keys(CLUSTER_PRIVILEGES), indices: [{ names: [`${prefix}*`], privileges: Object.keys(INDEX_PRIVILEGES) }] },
    };
    const answer = await this.admin('POST', '/_security/api_key', { name, role_descriptors: roleDescriptors, ...(expiration ? { expiration } : {}) });
    if (answer.status !== 200) throw new Error(`minting an API key failed: ${answer.status} ${answer.body}`);
    const { id, encoded } = JSON.parse(answer.body) as MintedKey;
    return { id, encoded };
  }

  async invalidate(id: string): Promise<void> {
    const answer = await this.admin('DELETE', '/_security/api_key', { ids: [id] });
    if (answer.status !== 200) throw new Error(`invalidating API key ${id} failed: ${answer.status} ${answer.body}`);
  }
}

export interface SecuredStackOptions {
  /** The encoded API key wharf uses (default: the stack's own, role wharf_writer). */
  apiKey?: string;
  /** The Kafka user and its password (default: the stack's writer). */
  kafkaUser?: { username: string; password: string };
}

export interface SecuredStack extends PipelineStack {
  /** The ops listener's bearer token (its file is in the configuration). */
  opsToken: string;
  /** Where the secret files are. */
  credentials: string;
}

/** The secured stack with every secret in a file; names start with the prefix the stack's ACLs and role cover. */
export function securedStack(options: SecuredStackOptions = {}, env = secureEnv()): SecuredStack {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-credentials-'));
  const opsToken = `ops-${Date.now().toString(36)}`;
  const kafkaUser = options.kafkaUser ?? { username: env.WHARF_KAFKA_SASL_USERNAME, password: env.WHARF_KAFKA_SASL_PASSWORD };
  const esTls = { caFile: env.WHARF_ES_CA };
  const couchTls = { caFile: env.WHARF_COUCHDB_CA };
  const operatorEs = ElasticsearchSinkSchema.parse({ id: 'search', type: 'elasticsearch', node: env.WHARF_ES_URL, index: 'unused', username: env.WHARF_ES_ADMIN_USERNAME, password: env.WHARF_ES_ADMIN_PASSWORD, tls: esTls });
  const operatorCouch = CouchdbSinkSchema.parse({ id: 'docs', type: 'couchdb', url: env.WHARF_COUCHDB_URL, db: 'unused', username: env.WHARF_COUCHDB_ADMIN_USERNAME, password: env.WHARF_COUCHDB_ADMIN_PASSWORD, tls: couchTls });
  return {
    prefix: `${env.WHARF_SECURE_NAME_PREFIX}-sec`,
    zookeeperParent: '/wharf-secure-test',
    kafka: {
      brokers: env.WHARF_KAFKA_BROKERS.split(','),
      tls: { caFile: env.WHARF_KAFKA_CA },
      sasl: { mechanism: env.WHARF_KAFKA_SASL_MECHANISM, username: kafkaUser.username, password: secretFile(dir, `kafka-${kafkaUser.username}`, kafkaUser.password) },
    },
    zookeeper: { connect: env.WHARF_ZK_CONNECT, digest: secretFile(dir, 'zk-digest', env.WHARF_ZK_DIGEST) },
    elasticsearch: { id: 'search', type: 'elasticsearch', node: env.WHARF_ES_URL, apiKey: secretFile(dir, 'es-api-key', options.apiKey ?? env.WHARF_ES_API_KEY), tls: esTls },
    couchdb: { id: 'docs', type: 'couchdb', url: env.WHARF_COUCHDB_URL, username: env.WHARF_COUCHDB_ADMIN_USERNAME, password: secretFile(dir, 'couchdb-password', env.WHARF_COUCHDB_ADMIN_PASSWORD), tls: couchTls },
    sections: { metrics: { port: 0, token: secretFile(dir, 'ops-token', opsToken) } },
    operator: { elasticsearch: operatorEs, couchdb: operatorCouch },
    opsToken,
    credentials: dir,
  };
}
