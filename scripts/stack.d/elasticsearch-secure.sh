# A second Elasticsearch node with security on (scripts/stack up --secure): its own copy of the
# plain node's distribution (plus the analysis plugin the .security index needs, see
# elasticsearch-security-analysis/), its own folder, https on 127.0.0.1:$WHARF_ES_SECURE_PORT with
# the stack's server certificate (secrets.sh), a small heap. A separate cluster, because the plain
# tests need the plain node without security. Transport stays plain: one node bound to loopback.
#
# Who exists (made on every `up --secure`, idempotently):
#   stack-admin     file-realm superuser: the stack's own setup, and tests that revoke or mint keys
#   role wharf_writer  exactly elasticsearch-wharf-role.json, on indices wharf-*, orders, orders-*
#                   only (any other index: 403):
#                     cluster monitor   cluster health (wharf's readiness)
#                     index             bulk index with external versions
#                     delete            deletes (tombstones)
#                     read              search, point in time (wharf verify)
#                     manage            create index, exists, settings, refresh, and the filtered
#                                       alias for tombstones: Elasticsearch grants aliases only
#                                       through manage (measured: create_index alone gets 403 on
#                                       indices:admin/aliases). Without that alias, create_index +
#                                       view_index_metadata + maintenance would replace it.
#   wharf           native user with that role (Basic auth)
#   API keys        "wharf" and "wharf-revocable", both limited to wharf_writer; a key that no
#                   longer authenticates (revoked by a test, or a new data folder) is replaced.

ES_SECURE_ADMIN=stack-admin
ES_SECURE_USER=wharf
ES_SECURE_ROLE_FILE="$STACK_REPO/scripts/stack.d/elasticsearch-wharf-role.json"

# The secured node's own copy of the distribution (hard links: no extra disk), plus the plugin
# that gives the .security index its analysis components (elasticsearch-security-analysis/).
# Rebuilt when the plugin's source changes.
es_secure_home() { echo "$WHARF_STACK_CACHE/elasticsearch-$WHARF_ES_VERSION-secure"; }

elasticsearch_secure_install() {
  elasticsearch_install
  local home src digest; home=$(es_secure_home); src="$STACK_REPO/scripts/stack.d/elasticsearch-security-analysis"
  digest=$(cat "$src"/* | sha256sum | cut -c1-64)
  [ "$(cat "$home/.installed" 2>/dev/null)" = "$digest" ] && return 0
  log "building the secured Elasticsearch node's copy of the distribution in $home"
  jdk_ensure
  rm -rf "$home"
  cp -al "$(es_home)" "$home" 2>/dev/null || cp -r "$(es_home)" "$home"
  rm -f "$home/.installed"
  local plugin="$home/plugins/wharf-security-analysis" build; build=$(mktemp -d)
  mkdir -p "$plugin"
  "$WHARF_JAVA17_HOME/bin/javac" -nowarn -d "$build" -cp "$home/lib/*" "$src/WharfSecurityAnalysis.java" >"$build/javac.log" 2>&1 \
    || { cat "$build/javac.log" >&2; die "could not compile the Elasticsearch analysis plugin"; }
  "$WHARF_JAVA17_HOME/bin/jar" --create --file "$plugin/wharf-security-analysis.jar" -C "$build" wharf
  cat >"$plugin/plugin-descriptor.properties" <<CFG
description=pattern_capture, unique and uax_url_email for the .security index (wharf local stack)
version=$WHARF_ES_VERSION
name=wharf-security-analysis
classname=wharf.stack.WharfSecurityAnalysis
java.version=17
elasticsearch.version=$WHARF_ES_VERSION
CFG
  rm -rf "$build"
  chmod -R a+rX "$home/plugins"
  echo "$digest" >"$home/.installed"
}

elasticsearch_secure_start() {
  local dir; dir=$(svc_dir elasticsearch-secure)
  tls_ensure
  es_prepare elasticsearch-secure "$WHARF_ES_SECURE_HEAP"
  mkdir -p "$dir/config/certs"
  cp "$(tls_dir)/ca.crt" "$(tls_dir)/server.crt" "$(tls_dir)/server.key" "$dir/config/certs/"
  cat >"$dir/config/elasticsearch.yml" <<CFG
$(es_node_settings wharf-secure "$WHARF_ES_SECURE_PORT" "$WHARF_ES_SECURE_TRANSPORT_PORT" "$dir")
xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.certificate: certs/server.crt
xpack.security.http.ssl.key: certs/server.key
xpack.security.http.ssl.certificate_authorities: [certs/ca.crt]
xpack.security.transport.ssl.enabled: false
xpack.security.authc.api_key.enabled: true
$(es_test_settings)
CFG
  es_secure_file_realm "$dir"
  es_spawn elasticsearch-secure "$(es_secure_home)"
}

# The file realm's superuser. elasticsearch-users (a JVM, ~2 s) runs only when the password is new;
# its output is kept beside the config, which es_prepare re-copies from the distribution.
es_secure_file_realm() {
  local dir=$1 kept="$1/file-realm"
  if [ ! -s "$kept/users" ] || [ "$(secrets_dir)/es-admin-password" -nt "$kept/users" ]; then
    local password; password=$(secret es-admin-password)
    printf '%s\n%s\n' "$password" "$password" | env "ES_PATH_CONF=$dir/config" "ES_JAVA_HOME=$WHARF_JAVA17_HOME" \
      "$(es_secure_home)/bin/elasticsearch-users" useradd "$ES_SECURE_ADMIN" -r superuser >/dev/null 2>&1 \
      || die "elasticsearch-users could not create the $ES_SECURE_ADMIN user"
    mkdir -p "$kept" && cp "$dir/config/users" "$dir/config/users_roles" "$kept/"
  else
    cp "$kept/users" "$kept/users_roles" "$dir/config/"
  fi
}

# curl against the secured node; AUTH is a curl config line (user or header) handed over through a
# pipe, so credentials never show on curl's command line.
es_secure_curl() {
  local auth=$1; shift
  curl -s --cacert "$(tls_dir)/ca.crt" -K <(printf '%s\n' "$auth") "$@"
}
es_admin_auth() { echo "user = \"$ES_SECURE_ADMIN:$(secret es-admin-password)\""; }
es_url() { echo "https://127.0.0.1:$WHARF_ES_SECURE_PORT$1"; }

# Usable = cluster health yellow or green over https, as the admin (certificate checked).
elasticsearch_secure_ready() {
  es_secure_curl "$(es_admin_auth)" -f "$(es_url '/_cluster/health?wait_for_status=yellow&timeout=2s')" | grep -qE '"status":"(green|yellow)"'
}

# The role, the user and the API keys (see the top of this file).
elasticsearch_secure_provision() {
  local role; role=$(cat "$ES_SECURE_ROLE_FILE")
  es_admin_call PUT /_security/role/wharf_writer "$role"
  es_admin_call PUT "/_security/user/$ES_SECURE_USER" \
    "$(jq -n --arg p "$(secret es-wharf-password)" '{password: $p, roles: ["wharf_writer"]}')"
  es_secure_api_key es-api-key wharf "$role"
  es_secure_api_key es-revocable-api-key wharf-revocable "$role"
}

# Calls the secured node as the admin; fails the stack (without printing any body) unless 2xx.
es_admin_call() {
  local method=$1 path=$2 body=$3 status
  status=$(es_secure_curl "$(es_admin_auth)" -X "$method" "$(es_url "$path")" -H 'Content-Type: application/json' \
    --data-binary @- -o /dev/null -w '%{http_code}' <<<"$body" 2>/dev/null) || status=000
  [[ "$status" == 2* ]] || die "Elasticsearch (secured) refused $method $path: HTTP $status"
}

# Keeps the API key NAME in the secret file SECRET (encoded form, and its id in SECRET-id) while
# it still authenticates, its privileges brought up to the role file (a key keeps the role
# descriptors it was given); otherwise mints a new one for wharf_writer.
es_secure_api_key() {
  local secret_name=$1 name=$2 role=$3 file descriptors
  file="$(secrets_dir)/$secret_name"
  descriptors=$(jq -n --argjson role "$role" '{role_descriptors: {wharf_writer: $role}}')
  if [ -s "$file" ] && [ "$(es_secure_curl "header = \"Authorization: ApiKey $(cat "$file")\"" -o /dev/null -w '%{http_code}' \
      "$(es_url /_security/_authenticate)")" = 200 ]; then
    es_admin_call PUT "/_security/api_key/$(secret "$secret_name-id")" "$descriptors"
    return 0
  fi
  local response
  response=$(es_secure_curl "$(es_admin_auth)" -X POST "$(es_url /_security/api_key)" -H 'Content-Type: application/json' \
    -d "$(jq --arg name "$name" '. + {name: $name}' <<<"$descriptors")")
  local encoded id
  encoded=$(jq -r '.encoded // empty' <<<"$response")
  id=$(jq -r '.id // empty' <<<"$response")
  [ -n "$encoded" ] || die "Elasticsearch (secured) did not create the API key $name"
  secret_store "$secret_name" "$encoded"
  secret_store "$secret_name-id" "$id"
  log "made the Elasticsearch API key $name"
}

elasticsearch_secure_ports() { echo "$WHARF_ES_SECURE_PORT $WHARF_ES_SECURE_TRANSPORT_PORT"; }
elasticsearch_secure_version() { echo "$WHARF_ES_VERSION, security on"; }
