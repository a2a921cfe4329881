# A CouchDB-compatible server: pouchdb-server (npm), since Apache CouchDB is not packaged for
# Debian 12. Installed from a pinned lock file into the stack cache, never into the project.
# An admin is seeded in its config file before the first start (without one, any credentials fail).

POUCHDB_SERVER_VERSION=4.2.0

couchdb_home() { echo "$WHARF_STACK_CACHE/pouchdb-server-$POUCHDB_SERVER_VERSION"; }

couchdb_install() {
  local home src; home=$(couchdb_home); src="$STACK_REPO/scripts/stack.d/pouchdb-server"
  if [ -f "$home/.installed" ] && cmp -s "$src/package-lock.json" "$home/package-lock.json"; then
    couchdb_patch
    return 0
  fi
  log "installing pouchdb-server $POUCHDB_SERVER_VERSION into $home"
  mkdir -p "$home"
  cp "$src/package.json" "$src/package-lock.json" "$home/"
  # Install scripts are skipped: leveldown ships prebuilt binaries, and sqlite3 is not used.
  (cd "$home" && npm ci --ignore-scripts --no-audit --no-fund) >"$home/npm.log" 2>&1 \
    || { tail -n 30 "$home/npm.log" >&2; die "npm could not install pouchdb-server"; }
  touch "$home/.installed"
  couchdb_patch
}

# Applies scripts/stack.d/pouchdb-server/patches/*.patch to the installed packages, each once:
# one that already applies in reverse is in place. A running server keeps the code it loaded;
# it gets a new patch on its next start. The patches:
#   01  an unauthenticated PUT /<db> answers 401 instead of crashing the server
#   02  couch_httpd_auth.require_valid_user (as CouchDB's; off unless a config sets it)
#   03  https when the config's ssl section enables it (as CouchDB's ssl.enable/cert_file/key_file)
couchdb_patch() {
  local modules patch; modules="$(couchdb_home)/node_modules"
  command -v patch >/dev/null || apt_ensure patch
  for patch in "$STACK_REPO"/scripts/stack.d/pouchdb-server/patches/*.patch; do
    if patch -d "$modules" -p1 -R -s -f --dry-run <"$patch" >/dev/null 2>&1; then continue; fi
    log "patching pouchdb-server: $(basename "$patch")"
    patch -d "$modules" -p1 -s -f -N --no-backup-if-mismatch <"$patch" >/dev/null \
      || die "could not apply $(basename "$patch") to pouchdb-server $POUCHDB_SERVER_VERSION"
  done
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
