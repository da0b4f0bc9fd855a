#!/usr/bin/env bash
# make bench: wrk against /health/ready (one PostgreSQL and one Redis round
# trip per request), the authenticated listings of LISTS below and a plain
# "return 200" location of the same nginx, on a seeded data set (seed.sql:
# 200 companies, 50,000 jobs, 10,000 users with 20 alerts each).  Runs are
# interleaved and repeated; the median of each is reported.
#
# Called by conf/stack.sh bench with MODULE, HTTP_PORT, PG_CONNINFO,
# REDIS_ADDR, NGINX_DIR, NGINX_TMP, JOBSCOUTD and STACK_DIR set and
# PostgreSQL/Redis running, on a fresh database with the migrations and the
# demo seed applied.  Then t/bench/notify.pl benchmarks the notifier.
set -euo pipefail

RUNS=${BENCH_RUNS:-3}
DURATION=${BENCH_DURATION:-5s}
CONNS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-1}

# Authenticated GETs measured in every run, "label|path"; a route is one
# more line, e.g. "GET /alerts?limit=20|/api/v1/alerts?limit=20".  The
# bench's nginx has no rate limit: one user's token serves every run.
LISTS=(
    "GET /jobs?limit=20|/api/v1/jobs?limit=20"
    "GET /jobs?q=python|/api/v1/jobs?q=python&limit=20"
    "GET /jobs?remote|/api/v1/jobs?location_type=remote&limit=20"
    "GET /alerts?limit=20|/api/v1/alerts?limit=20"
)

started=$SECONDS
psql -X -q -v ON_ERROR_STOP=1 -v companies="${BENCH_COMPANIES:-200}" \
    -v jobs="${BENCH_JOBS:-50000}" -v users="${BENCH_USERS:-10000}" \
    -v alerts="${BENCH_ALERTS:-20}" -d "$PG_CONNINFO" \
    -f "$(dirname "$0")/seed.sql"
echo "seeded in $((SECONDS - started)) s: $(psql -X -At -d "$PG_CONNINFO" -c \
    "SELECT (SELECT count(*) FROM companies) || ' companies, '
         || (SELECT count(*) FROM jobs) || ' jobs, '
         || (SELECT count(*) FROM users) || ' users, '
         || (SELECT count(*) FROM user_job_alerts) || ' alerts'")"

mkdir -p "$NGINX_DIR"/{conf,logs} "$NGINX_TMP"
chown nobody: "$NGINX_TMP"
cat >"$NGINX_DIR/conf/nginx.conf" <<EOC
load_module $MODULE;
worker_processes auto;
thread_pool jobscout threads=$(nproc);
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $NGINX_TMP/client_body;
    proxy_temp_path $NGINX_TMP/proxy;
    fastcgi_temp_path $NGINX_TMP/fastcgi;
    uwsgi_temp_path $NGINX_TMP/uwsgi;
    scgi_temp_path $NGINX_TMP/scgi;
    access_log off;
    jobscout_postgres "$PG_CONNINFO" pool=${BENCH_POOL:-4};
    jobscout_redis $REDIS_ADDR;
    jobscout_jwt_key_file $JWT_KEY;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        location = /plain { return 200 "ok\n"; }
        location / { jobscout_api; }
    }
}
EOC

/usr/sbin/nginx -p "$NGINX_DIR/" -c conf/nginx.conf -e logs/error.log
trap 'kill -QUIT "$(cat "$NGINX_DIR/logs/nginx.pid")" 2>/dev/null || true' EXIT

url=http://127.0.0.1:$HTTP_PORT
for _ in $(seq 50); do
    curl -sf "$url/health/ready" >/dev/null && break
    sleep 0.1
done
curl -sf "$url/health/ready" >/dev/null || { echo "bench: /health/ready is not 200"; exit 1; }

# run NAME PATH [wrk options...]: one wrk run, prints "rps p99_ms non2xx"
run() {
    local out rps p99 bad path=$2
    shift 2
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url$path")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { v = $2;
              if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
              else if (v ~ /ms$/) { sub(/ms/, "", v) }
              else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
              printf "%.2f", v }' <<<"$out")
    bad=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
    echo "$rps $p99 ${bad:-0}"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# a seeded user (seed.sql's password hash is the demo user's) and its token
email="bench-user-0@example.com"
password="jobscout-demo"
token=$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "$url/api/v1/auth/login" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "bench: cannot log in as $email"; exit 1; }
login_lua=$(mktemp --suffix=.lua)
cat >"$login_lua" <<EOL
wrk.method = "POST"
wrk.body = '{"email":"$email","password":"$password"}'
wrk.headers["Content-Type"] = "application/json"
EOL

for list in "${LISTS[@]}"; do
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url${list#*|}" \
        || { echo "bench: ${list%%|*} does not answer 200"; exit 1; }
done

declare -a plain_rps plain_p99 ready_rps ready_p99
declare -A list_rps list_p99
failed=0
for i in $(seq "$RUNS"); do
    read -r rps p99 bad < <(run plain /plain)
    plain_rps+=("$rps"); plain_p99+=("$p99")
    read -r rps p99 bad < <(run ready /health/ready)
    ready_rps+=("$rps"); ready_p99+=("$p99")
    [ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers from /health/ready"; failed=1; }
    line=$(printf 'run %d: return 200 %s req/s, /health/ready %s req/s' \
        "$i" "${plain_rps[-1]}" "${ready_rps[-1]}")
    for list in "${LISTS[@]}"; do
        read -r rps p99 bad < <(run list "${list#*|}" \
                                    -H "Authorization: Bearer $token")
        list_rps[$list]+="$rps "; list_p99[$list]+="$p99 "
        [ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers from ${list%%|*}"; failed=1; }
        line+=", ${list%%|*} $rps req/s"
    done
    echo "$line"
done

read -r me_rps me_p99 bad < <(run me /api/v1/users/me \
                                  -H "Authorization: Bearer $token")
[ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers from /users/me"; failed=1; }
read -r login_rps login_p99 bad < <(CONNS=8 run login /api/v1/auth/login \
                                        -s "$login_lua")
[ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers from /auth/login"; failed=1; }
rm -f "$login_lua"

p_rps=$(printf '%s\n' "${plain_rps[@]}" | median)
p_p99=$(printf '%s\n' "${plain_p99[@]}" | median)
r_rps=$(printf '%s\n' "${ready_rps[@]}" | median)
r_p99=$(printf '%s\n' "${ready_p99[@]}" | median)

echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION, median of $RUNS runs, $(nproc) cores"
printf '%-24s %12s %10s\n' location req/s p99_ms
printf '%-24s %12.0f %10s\n' "return 200" "$p_rps" "$p_p99"
printf '%-24s %12.0f %10s\n' "/health/ready" "$r_rps" "$r_p99"
awk -v r="$r_rps" -v p="$p_rps" 'BEGIN { printf "%-24s %11.1f%%  (target >= 25%%)\n", "ratio", 100 * r / p }'
for list in "${LISTS[@]}"; do
    rps=$(tr ' ' '\n' <<<"${list_rps[$list]}" | grep . | median)
    p99=$(tr ' ' '\n' <<<"${list_p99[$list]}" | grep . | median)
    printf '%-24s %12.0f %10s  (%.1f%% of return 200, authenticated)\n' \
        "${list%%|*}" "$rps" "$p99" \
        "$(awk -v r="$rps" -v p="$p_rps" 'BEGIN { print 100 * r / p }')"
done
printf '%-24s %12.0f %10s  (bearer token: JWT + Redis + PostgreSQL)\n' \
    "GET /users/me" "$me_rps" "$me_p99"
printf '%-24s %12.1f %10s  (bcrypt cost 12 on %d threads, 8 connections)\n' \
    "POST login" "$login_rps" "$login_p99" "$(nproc)"

# the notifier: matching, alerts, pushes, commit-to-push latency
perl "$(dirname "$0")/notify.pl" || failed=1
exit $failed
