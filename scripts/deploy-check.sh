#!/usr/bin/env bash
# Exercises the deployment recipe of docs/operations.md on this machine, on loopback:
#   a fresh PostgreSQL database -> migrations once (`cli migrate`) -> N app processes in
#   production mode (their settings from deploy/pishkhan.env.example, as systemd's
#   EnvironmentFile reads it) -> nginx from Debian with the site rendered from deploy/ (its own
#   prefix, pid and logs in a temp dir) -> checks through nginx: /readyz, the home page, a
#   citizen's SMS sign-in and submission, requests spread over every process, the site still
#   answering after one process is killed -> SIGTERM drains the others -> the database dropped.
# Exits non-zero on the first failure; cleans up on any exit.
#
#   DEPLOY_CHECK_PROCESSES=3   app processes (2-4)
#   DEPLOY_CHECK_PORT=4100     nginx; the app processes take the next ports, the fake SMS
#                              provider PORT+98
#   TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   where to create the database
#
# Only for this check: the database gets the demo province (`cli seed-demo`, run outside
# production) so there is a service to apply for, and SMS go to deploy/check/fake-kavenegar.mjs
# (a stand-in answering like Kavenegar) instead of Kavenegar.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

N="${DEPLOY_CHECK_PROCESSES:-3}"
NGINX_PORT="${DEPLOY_CHECK_PORT:-4100}"
SMS_PORT=$((NGINX_PORT + 98))  # not 4190: fetch refuses that port (sieve)
PG_ADMIN="${TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
NGINX_BIN="${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ "$N" -ge 2 ] && [ "$N" -le 4 ] || { echo "DEPLOY_CHECK_PROCESSES must be 2-4" >&2; exit 2; }

started=$(date +%s)
step() { printf '\n--> [%ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
fail() { printf '\nDEPLOY CHECK FAILED: %s\n' "$*" >&2; exit 1; }
status_of() { node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => { console.log(r.status); }).catch(() => console.log(0))' "$1"; }

[ -x "$NGINX_BIN" ] || fail "nginx not found (apt-get install nginx)"
command -v psql >/dev/null || fail "psql not found (apt-get install postgresql-client)"

work="$(mktemp -d /tmp/pishkhan-deploy-check.XXXXXX)"
chmod 755 "$work"
db="pishkhan_deploy_check_$(node -e 'process.stdout.write(require("node:crypto").randomBytes(5).toString("hex"))')"
db_url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; process.stdout.write(u.toString())' "$PG_ADMIN" "$db")"
declare -A app_pid=()
sms_pid=''
db_created=''

stop_pid() { # pid [signal]: signal the process group setsid gave it, wait up to 15 s, then kill
  local pid="$1" sig="${2:-TERM}"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  set +e
  if [ -f "$work/nginx/nginx.pid" ]; then "$NGINX_BIN" -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null; fi
  for p in "${app_pid[@]}"; do stop_pid "$p"; done
  [ -n "$sms_pid" ] && stop_pid "$sms_pid"
  if [ $rc -ne 0 ]; then
    for f in "$work"/app-*.log "$work/sms.log" "$work/nginx/error.log"; do
      [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  [ -n "$db_created" ] && psql "$PG_ADMIN" -qX -v ON_ERROR_STOP=1 -c "drop database if exists $db with (force)" >/dev/null
  rm -rf "$work"
  if [ $rc -eq 0 ]; then echo "cleaned up: processes stopped, database $db dropped, $work removed"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "ports $NGINX_PORT-$((NGINX_PORT + N)) and $SMS_PORT are free"
for p in $(seq "$NGINX_PORT" $((NGINX_PORT + N))) "$SMS_PORT"; do
  [ "$(status_of "http://127.0.0.1:$p/")" = 0 ] || fail "something already answers on port $p"
done

step "a fresh PostgreSQL database: $db"
psql "$PG_ADMIN" -qX -v ON_ERROR_STOP=1 -c "create database $db" >/dev/null || fail "cannot create a database at $PG_ADMIN"
db_created=1

step "the environment file, from deploy/pishkhan.env.example"
env_file="$work/pishkhan.env"
secret="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(48).toString("base64"))')"
node -e '
  const fs = require("node:fs");
  const [src, dst, ...pairs] = process.argv.slice(1);
  const set = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
  const lines = fs.readFileSync(src, "utf8").split("\n").map((l) => {
    const k = /^([A-Z_]+)=/.exec(l)?.[1];
    if (k && k in set) { const v = set[k]; delete set[k]; return `${k}=${v}`; }
    return l;
  });
  for (const [k, v] of Object.entries(set)) lines.push(`${k}=${v}`);
  fs.writeFileSync(dst, lines.join("\n"), { mode: 0o600 });
' deploy/pishkhan.env.example "$env_file" \
  "PUBLIC_URL=http://127.0.0.1:$NGINX_PORT" "SESSION_SECRET=$secret" "DATABASE_URL=$db_url" "DATA_DIR=$work/data" \
  "WORKERS=1" "LOG_LEVEL=warn" "KAVENEGAR_API_KEY=deploy-check" "KAVENEGAR_BASE_URL=http://127.0.0.1:$SMS_PORT" "SMTP_URL=" \
  "ZARINPAL_MERCHANT_ID=00000000-0000-4000-8000-000000000000"
# Read it as systemd's EnvironmentFile does: KEY=VALUE lines, # comments, no shell quoting.
load_env() {
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    export "${line?}"
  done <"$env_file"
}
run_with_env() { ( load_env; export "$@" 2>/dev/null || true; exec env "$@" node --import tsx "${cmd[@]}" ); }

step "migrations, once (npm run cli -- migrate)"
( load_env; node --import tsx src/cli.ts migrate ) | tail -n 1
( load_env; node --import tsx src/cli.ts migrate ) | grep -q 'up to date' || fail "a second migrate still had work to do"
echo "a second run: the schema is up to date"

step "for this check only: the demo province (seed-demo runs outside production), for a service to apply for"
( load_env; NODE_ENV=development PISHKHAN_DEMO_ACTIVITY=0 PUBLIC_URL= node --import tsx src/cli.ts seed-demo ) >/dev/null

step "the SMS provider stand-in on port $SMS_PORT"
setsid node deploy/check/fake-kavenegar.mjs "$SMS_PORT" >"$work/sms.log" 2>&1 &
sms_pid=$!
for _ in $(seq 1 50); do [ "$(status_of "http://127.0.0.1:$SMS_PORT/sent.json")" = 200 ] && break; sleep 0.2; done
[ "$(status_of "http://127.0.0.1:$SMS_PORT/sent.json")" = 200 ] || fail "the SMS provider stand-in did not start"

step "$N app processes in production mode, ports $((NGINX_PORT + 1))-$((NGINX_PORT + N)) (as pishkhan@PORT units)"
for i in $(seq 1 "$N"); do
  port=$((NGINX_PORT + i))
  ( load_env; export PORT="$port"; exec setsid node --import tsx src/main.ts ) >"$work/app-$port.log" 2>&1 &
  app_pid[$port]=$!
done
for i in $(seq 1 "$N"); do
  port=$((NGINX_PORT + i))
  ok=''
  for _ in $(seq 1 240); do
    if [ "$(status_of "http://127.0.0.1:$port/readyz")" = 200 ]; then ok=1; break; fi
    kill -0 "${app_pid[$port]}" 2>/dev/null || break
    sleep 0.5
  done
  [ -n "$ok" ] || fail "the app process on port $port did not answer /readyz within 120 s"
done
echo "all $N processes answer /readyz"

step "nginx with the site rendered from deploy/ (prefix $work/nginx)"
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
chmod 1777 "$work/nginx/tmp"
addrs=''
for i in $(seq 1 "$N"); do addrs+="127.0.0.1:$((NGINX_PORT + i)) "; done
APP_ADDRS="$addrs" LISTEN="127.0.0.1:$NGINX_PORT" SERVER_NAME=localhost ACCESS_LOG="$work/nginx/access.log" \
  deploy/render-nginx.sh >"$work/nginx/pishkhan.conf"
cat >"$work/nginx/nginx.conf" <<NGINX
# The parts of Debian's /etc/nginx/nginx.conf the site needs, with everything in $work/nginx.
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  sendfile on;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  include $work/nginx/pishkhan.conf;
}
NGINX
"$NGINX_BIN" -p "$work/nginx" -c "$work/nginx/nginx.conf" -t -q 2>&1 | grep -v 'could not open error log\|the "user" directive' || true
"$NGINX_BIN" -p "$work/nginx" -c "$work/nginx/nginx.conf" -t -q >/dev/null 2>&1 || fail "nginx -t refused the rendered site"
"$NGINX_BIN" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>/dev/null
for _ in $(seq 1 50); do [ -f "$work/nginx/nginx.pid" ] && break; sleep 0.1; done
[ -f "$work/nginx/nginx.pid" ] || fail "nginx did not start"
base="http://127.0.0.1:$NGINX_PORT"

step "through nginx: /readyz, home page, citizen sign-in by SMS code, a submission and its SMS"
node deploy/check/through-nginx.mjs "$base" "http://127.0.0.1:$SMS_PORT" site

step "requests spread over every app process"
node deploy/check/through-nginx.mjs "$base" "http://127.0.0.1:$SMS_PORT" burst $((N * 8))
used="$(grep -o 'upstream=[0-9.:]*' "$work/nginx/access.log" | sort -u | sed 's/upstream=//' | tr '\n' ' ')"
echo "app processes that answered: $used"
for i in $(seq 1 "$N"); do
  case " $used" in *" 127.0.0.1:$((NGINX_PORT + i)) "*) ;; *) fail "no request reached the process on port $((NGINX_PORT + i))" ;; esac
done

victim=$((NGINX_PORT + 1))
step "kill -9 the process on port $victim: the site keeps answering"
kill -KILL "${app_pid[$victim]}"
wait "${app_pid[$victim]}" 2>/dev/null || true
unset "app_pid[$victim]"
[ "$(status_of "http://127.0.0.1:$victim/readyz")" = 0 ] || fail "port $victim still answers after kill -9"
node deploy/check/through-nginx.mjs "$base" "http://127.0.0.1:$SMS_PORT" burst $((N * 8))
node deploy/check/through-nginx.mjs "$base" "http://127.0.0.1:$SMS_PORT" site

step "SIGTERM: each remaining process drains and exits 0"
for port in "${!app_pid[@]}"; do
  pid="${app_pid[$port]}"
  kill -TERM "$pid"
  code=''
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" && code=0 || code=$?; break; fi
    sleep 0.2
  done
  [ "$code" = 0 ] || fail "the process on port $port did not exit 0 within 30 s of SIGTERM (${code:-still running})"
  unset "app_pid[$port]"
  echo "port $port: stopped cleanly"
done

step "deploy check passed ($N app processes behind nginx, $(( $(date +%s) - started )) s)"
