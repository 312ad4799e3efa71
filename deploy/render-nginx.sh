#!/usr/bin/env bash
# Renders deploy/nginx/pishkhan.conf.template to stdout.
#   APP_ADDRS="127.0.0.1:3001 127.0.0.1:3002" SERVER_NAME=pishkhan.example.ir \
#   TLS_CERT=/etc/letsencrypt/live/pishkhan.example.ir/fullchain.pem \
#   TLS_KEY=/etc/letsencrypt/live/pishkhan.example.ir/privkey.pem \
#   deploy/render-nginx.sh > /etc/nginx/sites-available/pishkhan
# Without TLS_CERT the site listens on plain HTTP (LISTEN, default 80): only for a check on
# loopback or behind another TLS terminator.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${APP_ADDRS:?APP_ADDRS: the app processes as host:port, separated by spaces}"
SERVER_NAME="${SERVER_NAME:-_}"
ACCESS_LOG="${ACCESS_LOG:-/var/log/nginx/pishkhan.access.log}"
upstreams=''
for a in $APP_ADDRS; do
  # A process that fails is left out for 10 s; the others take its requests.
  upstreams+="    server $a max_fails=1 fail_timeout=10s;"$'\n'
done
if [ -n "${TLS_CERT:-}" ]; then
  : "${TLS_KEY:?TLS_KEY: the private key of the certificate}"
  # Debian 12's nginx 1.22 spells HTTP/2 on the listen line (newer ones also take "http2 on;").
  LISTEN="${LISTEN:-443 ssl http2}"
  tls="    ssl_certificate $TLS_CERT;
    ssl_certificate_key $TLS_KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:pishkhan_tls:10m;"
  redirect="server {
    listen 80;
    server_name $SERVER_NAME;
    return 301 https://\$host\$request_uri;
}"
else
  LISTEN="${LISTEN:-80}"
  tls=''
  redirect=''
fi
APP_UPSTREAMS="$upstreams" TLS_LINES="$tls" REDIRECT="$redirect" LISTEN="$LISTEN" SERVER_NAME="$SERVER_NAME" ACCESS_LOG="$ACCESS_LOG" \
node -e '
  const fs = require("node:fs");
  const e = process.env;
  let s = fs.readFileSync(process.argv[1], "utf8");
  const marks = { UPSTREAM_SERVERS: e.APP_UPSTREAMS.replace(/\n$/, ""), LISTEN: e.LISTEN, SERVER_NAME: e.SERVER_NAME, TLS: e.TLS_LINES, HTTP_REDIRECT: e.REDIRECT, ACCESS_LOG: e.ACCESS_LOG };
  for (const [k, v] of Object.entries(marks)) s = s.split(`@@${k}@@`).join(v);
  if (/@@[A-Z_]+@@/.test(s)) { console.error("unreplaced marker", s.match(/@@[A-Z_]+@@/)[0]); process.exit(1); }
  process.stdout.write(s);
' "$here/nginx/pishkhan.conf.template"
