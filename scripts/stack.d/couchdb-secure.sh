# A second pouchdb-server (scripts/stack up --secure): https on 127.0.0.1:$WHARF_COUCHDB_SECURE_PORT
# (CouchDB's own TLS port) with the stack's server certificate, require_valid_user (no anonymous
# request at all, not even GET /) and its admin `wharf` with a generated password. Its own data.
# A second instance rather than the plain one changed, because the plain instance must behave as
# the plain tests know it; it costs ~70 MiB and starts in under a second. Both run the patched
# packages (couchdb.sh couchdb_patch), so an unauthenticated PUT /<db> no longer crashes either.

COUCHDB_SECURE_ADMIN=wharf

couchdb_secure_install() { couchdb_install; }

couchdb_secure_start() {
  local dir; dir=$(svc_dir couchdb-secure)
  tls_ensure
  mkdir -p "$dir/data"
  # Written on every start from the stack's secrets; pouchdb-server replaces the plain-text admin
  # password by its pbkdf2 hash, and the file stays readable by root only.
  (umask 077 && cat >"$dir/data/config.json") <<CFG
{
  "admins": { "$COUCHDB_SECURE_ADMIN": "$(secret couchdb-admin-password)" },
  "couch_httpd_auth": { "require_valid_user": true },
  "ssl": { "enable": true, "cert_file": "$(tls_dir)/server.crt", "key_file": "$(tls_dir)/server.key" },
  "log": { "file": "$dir/data/couchdb-requests.log", "level": "warning" },
  "httpd": { "bind_address": "127.0.0.1", "port": $WHARF_COUCHDB_SECURE_PORT }
}
CFG
  svc_spawn couchdb-secure node "$(couchdb_home)/node_modules/pouchdb-server/bin/pouchdb-server" \
    --host 127.0.0.1 --port "$WHARF_COUCHDB_SECURE_PORT" --dir "$dir/data" --config "$dir/data/config.json"
}

# Usable = the admin lists databases over https (certificate checked against the stack CA).
couchdb_secure_ready() {
  curl -sf --cacert "$(tls_dir)/ca.crt" -K <(printf 'user = "%s:%s"\n' "$COUCHDB_SECURE_ADMIN" "$(secret couchdb-admin-password)") \
    "https://127.0.0.1:$WHARF_COUCHDB_SECURE_PORT/_all_dbs" >/dev/null
}

couchdb_secure_ports() { echo "$WHARF_COUCHDB_SECURE_PORT"; }
couchdb_secure_version() { echo "pouchdb-server $POUCHDB_SERVER_VERSION, patched, https"; }
