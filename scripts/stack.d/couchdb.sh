# A CouchDB-compatible server: pouchdb-server (npm), since Apache CouchDB is not packaged for
# Debian 12. Installed from a pinned lock file into the stack cache, never into the project.
# An admin is seeded in its config file before the first start (without one, any credentials fail).

POUCHDB_SERVER_VERSION=4.2.0

couchdb_home() { echo "$WHARF_STACK_CACHE/pouchdb-server-$POUCHDB_SERVER_VERSION"; }

couchdb_install() {
  local home src; home=$(couchdb_home); src="$STACK_REPO/scripts/stack.d/pouchdb-server"
  if [ -f "$home/.installed" ] && cmp -s "$src/package-lock.json" "$home/package-lock.json"; then return 0; fi
  log "installing pouchdb-server $POUCHDB_SERVER_VERSION into $home"
  mkdir -p "$home"
  cp "$src/package.json" "$src/package-lock.json" "$home/"
  # Install scripts are skipped: leveldown ships prebuilt binaries, and sqlite3 is not used.
  (cd "$home" && npm ci --ignore-scripts --no-audit --no-fund) >"$home/npm.log" 2>&1 \
    || { tail -n 30 "$home/npm.log" >&2; die "npm could not install pouchdb-server"; }
  touch "$home/.installed"
}

couchdb_start() {
  local dir; dir=$(svc_dir couchdb)
  mkdir -p "$dir/data"
  # pouchdb-server replaces a plain-text admin password by its pbkdf2 hash on start.
  if [ ! -f "$dir/data/config.json" ]; then
    cat >"$dir/data/config.json" <<CFG
{
  "admins": { "$WHARF_COUCHDB_USER": "$WHARF_COUCHDB_PASSWORD" },
  "log": { "file": "$dir/data/couchdb-requests.log", "level": "warning" },
  "httpd": { "bind_address": "127.0.0.1", "port": $WHARF_COUCHDB_PORT }
}
CFG
  fi
  svc_spawn couchdb node "$(couchdb_home)/node_modules/pouchdb-server/bin/pouchdb-server" \
    --host 127.0.0.1 --port "$WHARF_COUCHDB_PORT" --dir "$dir/data" --config "$dir/data/config.json"
}

# Usable = the seeded admin can list databases.
couchdb_ready() {
  curl -sf -u "$WHARF_COUCHDB_USER:$WHARF_COUCHDB_PASSWORD" "http://127.0.0.1:$WHARF_COUCHDB_PORT/_all_dbs" >/dev/null
}

couchdb_ports() { echo "$WHARF_COUCHDB_PORT"; }
couchdb_version() { echo "pouchdb-server $POUCHDB_SERVER_VERSION"; }
