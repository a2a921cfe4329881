# Secrets and TLS material of the local stack, made once per run folder and kept there:
#   $WHARF_STACK_RUN/secrets/NAME   one generated password or key per file (folder 700, files 600)
#   $WHARF_STACK_RUN/tls/           the stack's CA (ca.crt public, ca.key 600), one server
#                                   certificate for 127.0.0.1/localhost that every TLS listener
#                                   uses, and a client certificate (CN=wharf) for Kafka's mTLS listener
# Nothing here prints a secret: callers read the files, or hand curl/kcat a config on stdin or in
# a 600 file, so no password shows in a log, an error or `ps`.

secrets_dir() { echo "$WHARF_STACK_RUN/secrets"; }
tls_dir() { echo "$WHARF_STACK_RUN/tls"; }

# The secret NAME: generated on first use (hex, so it needs no quoting in JAAS, URLs or JSON).
secret() {
  local dir file; dir=$(secrets_dir); file="$dir/$1"
  if [ ! -s "$file" ]; then
    (umask 077 && mkdir -p "$dir" && openssl rand -hex 16 >"$file") || die "could not create the secret $1"
  fi
  cat "$file"
}

# Keeps a value the stack obtained (an API key) beside the generated secrets, mode 600.
secret_store() {
  (umask 077 && mkdir -p "$(secrets_dir)" && printf '%s\n' "$2" >"$(secrets_dir)/$1") || die "could not store the secret $1"
}

# The CA, the server certificate and the client certificate, made once. RSA keys in PKCS#8 PEM:
# Kafka's PEM key store, Elasticsearch and Node all read that form without a key password.
tls_ensure() {
  local dir; dir=$(tls_dir)
  [ -s "$dir/server.crt" ] && [ -s "$dir/client.crt" ] && return 0
  command -v openssl >/dev/null || apt_ensure openssl
  log "making the stack's CA and certificates in $dir"
  (umask 077 && mkdir -p "$dir")
  chmod 755 "$dir" # the CA and certificates are public; the keys stay 600
  local days=3650
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/O=wharf local stack/CN=wharf local stack CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$dir/ca.key" -out "$dir/ca.crt") >/dev/null 2>&1 || die "openssl could not make the stack CA"
  tls_issue "$dir" server "/O=wharf local stack/CN=localhost" serverAuth "subjectAltName=IP:127.0.0.1,DNS:localhost"
  tls_issue "$dir" client "/O=wharf local stack/CN=wharf" clientAuth ""
  chmod 644 "$dir/ca.crt" "$dir/server.crt" "$dir/client.crt"
}

# Issues $dir/NAME.crt and NAME.key (PKCS#8) signed by the stack CA.
tls_issue() {
  local dir=$1 name=$2 subject=$3 usage=$4 san=$5 ext
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n%s\n' "$usage" "$san" >"$ext"
  (umask 077 && openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$dir/$name.key" -out "$dir/$name.csr" \
    && openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
      -extfile "$ext" -out "$dir/$name.crt") >/dev/null 2>&1 || { rm -f "$ext"; die "openssl could not issue the $name certificate"; }
  rm -f "$ext" "$dir/$name.csr"
}

# SHA-256 fingerprint of the stack CA, as colon-separated hex (what Elasticsearch clients pin).
tls_ca_fingerprint() {
  openssl x509 -in "$(tls_dir)/ca.crt" -noout -fingerprint -sha256 | sed 's/^.*=//'
}
