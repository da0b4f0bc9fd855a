#!/usr/bin/env bash
# make bench: wrk against a plain "return 200" location of the bench's
# nginx, /health/ready (one PostgreSQL and one Redis round trip per
# request) and the authenticated routes of LISTS below, on a seeded data
# set (seed.sql: 200 companies, 50,000 jobs, 10,000 users with 20 alerts
# each).  Each run measures every route once, in turn, each run beginning
# with "return 200"; a route's share of "return 200" is taken within a run.
# The table gives each figure's median over the runs: req/s, the share,
# p50, p99, and the CPU time per request of the bench's nginx workers, of
# every process of its PostgreSQL cluster and of redis-server (utime +
# stime from /proc/PID/stat before and after each wrk run, over the
# requests it made).  Then login, and t/bench/notify.pl: the push path and
# matching.
#
# Called by conf/stack.sh bench (ports: PG_PORT_BENCH, REDIS_PORT_BENCH,
# BENCH_PORT) with MODULE, HTTP_PORT, PG_CONNINFO, REDIS_ADDR, NGINX_DIR,
# NGINX_TMP, JOBSCOUTD and STACK_DIR set and PostgreSQL/Redis running, on
# a fresh database with the migrations and the demo seed applied.
set -euo pipefail

RUNS=${BENCH_RUNS:-3}
DURATION=${BENCH_DURATION:-5s}
CONNS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-1}

# Authenticated GETs measured in every run, "label|path|target", the
# target (issue 19) a share of "return 200" and optional; a route is one
# more line, e.g. "GET /alerts?limit=20|/api/v1/alerts?limit=20|15".  The
# bench's nginx has no rate limit: one user's token serves every run.
LISTS=(
    "GET /jobs?limit=20|/api/v1/jobs?limit=20|20"
    "GET /jobs, filtered|/api/v1/jobs?location=kenya&location_type=remote&skill=python&limit=20|20"
    "GET /jobs?q=python|/api/v1/jobs?q=python&limit=20|10"
    "GET /users/me|/api/v1/users/me|30"
    "GET /alerts?limit=20|/api/v1/alerts?limit=20|15"
    "GET /jobs?location_type=remote|/api/v1/jobs?location_type=remote&limit=20|20"
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

# CPU ticks (utime + stime, 1/CLK_TCK s) used so far by the processes
# named, those gone meanwhile aside
ticks() {
    local pid t=0 f
    for pid in "$@"; do
        f=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        f=${f##*) }
        t=$((t + $(awk '{ print $12 + $13 }' <<<"$f")))
    done
    echo "$t"
}

# the processes whose CPU a request costs: nginx's workers, the bench
# cluster's postmaster and every child of it, redis-server
nginx_pids() { pgrep -P "$(cat "$NGINX_DIR/logs/nginx.pid")" | tr '\n' ' '; }
pg_master=$(ps -o ppid= -p "$(psql -X -At -d "$PG_CONNINFO" -c \
    "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")" | tr -d ' ')
pg_pids() { echo "$pg_master $(pgrep -P "$pg_master" | tr '\n' ' ')"; }
redis_pid=$(redis-cli -h "${REDIS_ADDR%:*}" -p "${REDIS_ADDR##*:}" info server \
                | awk -F: '/^process_id:/ { print $2 + 0 }')
us_per_tick=$((1000000 / $(getconf CLK_TCK)))

# the largest resident set of nginx's workers, in kB
worker_rss() {
    local pid
    for pid in $(nginx_pids); do
        awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null
    done | sort -n | tail -1
}

# run PATH [wrk options...]: one wrk run; prints "rps p50_ms p99_ms non2xx
# nginx_us pg_us redis_us requests", the CPU per request
run() {
    local out path=$1 n0 p0 r0 n1 p1 r1
    shift
    n0=$(ticks $(nginx_pids)); p0=$(ticks $(pg_pids)); r0=$(ticks "$redis_pid")
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$@" "$url$path")
    n1=$(ticks $(nginx_pids)); p1=$(ticks $(pg_pids)); r1=$(ticks "$redis_pid")
    awk -v n=$((n1 - n0)) -v p=$((p1 - p0)) -v r=$((r1 - r0)) -v us="$us_per_tick" '
        function ms(v) {
            if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms/, "", v); return v + 0 }
            if (v ~ /s$/) { sub(/s/, "", v); return v * 1000 }
            return v + 0
        }
        / requests in / { req = $1 }
        /^Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx/ { bad = $NF }
        END {
            req = req > 0 ? req : 1
            printf "%s %.2f %.2f %d %.0f %.0f %.0f %d\n", rps, p50, p99, bad,
                n * us / req, p * us / req, r * us / req, req
        }' <<<"$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

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

# every route of the table: "label|path|target|auth"
ROUTES=("return 200|/plain||" "/health/ready|/health/ready|40|")
for list in "${LISTS[@]}"; do
    IFS='|' read -r label path target <<<"$list"
    ROUTES+=("$label|$path|$target|auth")
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url$path" \
        || { echo "bench: $label does not answer 200"; exit 1; }
done

# per route, each run's figures: "rps share p50 p99 nginx_us pg_us redis_us"
declare -A runs
failed=0
rss_before=$(worker_rss)
requests=0
for i in $(seq "$RUNS"); do
    line="run $i:"
    for route in "${ROUTES[@]}"; do
        IFS='|' read -r label path target auth <<<"$route"
        read -r rps p50 p99 bad cn cp cr req < <(run "$path" \
            ${auth:+-H "Authorization: Bearer $token"})
        requests=$((requests + req))
        [ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers from $label"; failed=1; }
        [ "$path" != /plain ] || plain=$rps
        share=$(awk -v r="$rps" -v p="$plain" 'BEGIN { printf "%.2f", 100 * r / p }')
        runs[$label]+="$rps $share $p50 $p99 $cn $cp $cr"$'\n'
        line+=" $label $rps req/s,"
    done
    echo "${line%,}"
done
rss_after=$(worker_rss)

read -r login_rps _ login_p99 bad _ < <(CONNS=8 run /api/v1/auth/login \
                                            -s "$login_lua")
[ "$bad" = 0 ] || { echo "bench: $bad non-2xx answers from /auth/login"; failed=1; }
rm -f "$login_lua"

echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION, median of $RUNS runs, $(nproc) cores;" \
     "CPU: microseconds per request"
printf '%-30s %9s %7s %7s %8s %8s %6s %6s %6s\n' route req/s share target \
    p50_ms p99_ms nginx pg redis
# col LABEL N: the median of the route's Nth figure
col() { awk -v c="$2" 'NF { print $c }' <<<"${runs[$1]}" | median; }
for route in "${ROUTES[@]}"; do
    IFS='|' read -r label path target auth <<<"$route"
    printf '%-30s %9.0f %6.1f%% %7s %8.2f %8.2f %6.0f %6.0f %6.0f\n' "$label" \
        "$(col "$label" 1)" "$(col "$label" 2)" "${target:+>= $target%}" \
        "$(col "$label" 3)" "$(col "$label" 4)" "$(col "$label" 5)" \
        "$(col "$label" 6)" "$(col "$label" 7)"
done
printf '%-30s %9.1f %7s %7s %8s %8s  (bcrypt cost 12 on %d threads, 8 connections)\n' \
    "POST /auth/login" "$login_rps" "" "" "" "$login_p99" "$(nproc)"
echo "nginx worker RSS (the largest): $rss_before kB before, $rss_after kB" \
     "after $requests requests (target <= 32768 kB, flat)"
[ "$rss_after" -le 32768 ] || { echo "bench: a worker grew past 32 MB"; failed=1; }

# the notifier: matching, alerts, pushes, commit-to-push latency
perl "$(dirname "$0")/notify.pl" || failed=1
exit $failed
