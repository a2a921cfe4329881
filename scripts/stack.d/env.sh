# `scripts/stack env [--secure]`: shell export lines for the stack's endpoints and, with --secure,
# the secured variants' endpoints, CA and credentials (read from the run folder's secret files;
# `eval "$(scripts/stack env --secure)"`). Names a test or config/secure.example.json may use:
#
#   WHARF_ES_URL, WHARF_ES_CA, WHARF_ES_CA_FINGERPRINT   https node, its CA (PEM), CA's SHA-256
#   WHARF_ES_API_KEY                   encoded, as sent after `Authorization: ApiKey`
#   WHARF_ES_USERNAME, WHARF_ES_PASSWORD                 Basic auth, same role as the key
#   WHARF_ES_REVOCABLE_API_KEY, WHARF_ES_REVOCABLE_API_KEY_ID   a second key, for revocation tests
#   WHARF_ES_ADMIN_USERNAME, WHARF_ES_ADMIN_PASSWORD     superuser: revoke or mint keys in tests
#   WHARF_KAFKA_BROKERS, WHARF_KAFKA_CA                  SASL_SSL listener
#   WHARF_KAFKA_SASL_MECHANISM, WHARF_KAFKA_SASL_USERNAME, WHARF_KAFKA_SASL_PASSWORD
#                                      (the same user also works with SCRAM-SHA-256 and PLAIN)
#   WHARF_KAFKA_READER_USERNAME, WHARF_KAFKA_READER_PASSWORD   may read, may not write
#   WHARF_KAFKA_MTLS_BROKERS, WHARF_KAFKA_CLIENT_CERT, WHARF_KAFKA_CLIENT_KEY   SSL listener that
#                                      requires a client certificate (CN=wharf is user wharf)
#   WHARF_ZK_CONNECT, WHARF_ZK_DIGEST  user:password for ZooKeeper's digest scheme
#   WHARF_COUCHDB_URL, WHARF_COUCHDB_CA, WHARF_COUCHDB_ADMIN_USERNAME, WHARF_COUCHDB_ADMIN_PASSWORD
#   WHARF_SECURE_NAME_PREFIX           what the Kafka ACLs and the Elasticsearch role cover: name
#                                      topics, groups and indices "$WHARF_SECURE_NAME_PREFIX-..."

stack_env() {
  emit WHARF_ZK_PORT "$WHARF_ZK_PORT"
  emit WHARF_KAFKA_PORT "$WHARF_KAFKA_PORT"
  emit WHARF_ES_PORT "$WHARF_ES_PORT"
  emit WHARF_COUCHDB_PORT "$WHARF_COUCHDB_PORT"
  [ "${1:-}" = --secure ] || return 0

  local tls; tls=$(tls_dir)
  for name in es-api-key es-revocable-api-key; do
    [ -s "$(secrets_dir)/$name" ] || die "no secured stack in $WHARF_STACK_RUN yet: run scripts/stack up --secure first"
  done
  emit WHARF_ES_URL "https://127.0.0.1:$WHARF_ES_SECURE_PORT"
  emit WHARF_ES_CA "$tls/ca.crt"
  emit WHARF_ES_CA_FINGERPRINT "$(tls_ca_fingerprint)"
  emit WHARF_ES_API_KEY "$(secret es-api-key)"
  emit WHARF_ES_USERNAME "$ES_SECURE_USER"
  emit WHARF_ES_PASSWORD "$(secret es-wharf-password)"
  emit WHARF_ES_REVOCABLE_API_KEY "$(secret es-revocable-api-key)"
  emit WHARF_ES_REVOCABLE_API_KEY_ID "$(secret es-revocable-api-key-id)"
  emit WHARF_ES_ADMIN_USERNAME "$ES_SECURE_ADMIN"
  emit WHARF_ES_ADMIN_PASSWORD "$(secret es-admin-password)"

  emit WHARF_KAFKA_BROKERS "127.0.0.1:$WHARF_KAFKA_SASL_PORT"
  emit WHARF_KAFKA_CA "$tls/ca.crt"
  emit WHARF_KAFKA_SASL_MECHANISM SCRAM-SHA-512
  emit WHARF_KAFKA_SASL_USERNAME "$KAFKA_WRITER"
  emit WHARF_KAFKA_SASL_PASSWORD "$(secret kafka-writer-password)"
  emit WHARF_KAFKA_READER_USERNAME "$KAFKA_READER"
  emit WHARF_KAFKA_READER_PASSWORD "$(secret kafka-reader-password)"
  emit WHARF_KAFKA_MTLS_BROKERS "127.0.0.1:$WHARF_KAFKA_MTLS_PORT"
  emit WHARF_KAFKA_CLIENT_CERT "$tls/client.crt"
  emit WHARF_KAFKA_CLIENT_KEY "$tls/client.key"

  emit WHARF_ZK_CONNECT "127.0.0.1:$WHARF_ZK_PORT"
  emit WHARF_ZK_DIGEST "wharf:$(secret zk-wharf-password)"

  emit WHARF_COUCHDB_URL "https://127.0.0.1:$WHARF_COUCHDB_SECURE_PORT"
  emit WHARF_COUCHDB_CA "$tls/ca.crt"
  emit WHARF_COUCHDB_ADMIN_USERNAME "$COUCHDB_SECURE_ADMIN"
  emit WHARF_COUCHDB_ADMIN_PASSWORD "$(secret couchdb-admin-password)"

  emit WHARF_SECURE_NAME_PREFIX "$KAFKA_ACL_PREFIX"
}

emit() { printf 'export %s=%q\n' "$1" "$2"; }
