#!/usr/bin/env bash
# Job Scout local stack: a private PostgreSQL 15 cluster, a private Redis,
# the packaged nginx with our module, and jobscoutd, all under one directory
# (var/ by default), on loopback and non-default ports.
#
# With them, for a demo that needs no network: a local job board
# (conf/demo/board.py) that the demo sources scrape and that publishes a
# new posting every few minutes, and local sinks for what jobscoutd sends:
# an SMTP server writing a Maildir, and t/fakes/fcm.py standing in for FCM,
# writing every push it accepts as a file.
#
#   conf/stack.sh up | down | migrate | seed | seed-live | demo-post | test
#   conf/stack.sh bench | pg-start | pg-stop | redis-start | redis-stop
#   conf/stack.sh backup | restore FILE   (sql/backup.sh: BACKUP_DIR,
#                                          BACKUP_KEEP newest kept)
#
# Settings (environment): STACK_DIR, PG_PORT, PG_DB, REDIS_PORT, HTTP_PORT,
# SMTP_PORT, DEMO_BOARD_PORT, FCM_PORT, DEMO_POST_INTERVAL (seconds between
# the board's postings, 0: only demo-post), BUILD, PG_SHARED_BUFFERS;
# PG_CONNINFO and REDIS_ADDR point nginx and jobscoutd elsewhere, SMTP_URL
# points the mailer at a real SMTP server instead of the local sink (a
# Maildir under $STACK_DIR/mail), FCM_SERVICE_ACCOUNT the notifier at
# Firebase instead of the local stand-in (pushes as files under
# $STACK_DIR/push/new).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

STACK_DIR=${STACK_DIR:-$ROOT/var}
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
HTTP_PORT=${HTTP_PORT:-8080}
SMTP_PORT=${SMTP_PORT:-2525}
DEMO_BOARD_PORT=${DEMO_BOARD_PORT:-8091}
FCM_PORT=${FCM_PORT:-8092}
DEMO_POST_INTERVAL=${DEMO_POST_INTERVAL:-180}
PG_DB=${PG_DB:-jobscout}
# PostgreSQL's default of 128MB holds less than the notifier's working set
# (the users it matches, the alerts and their indexes): backends then write
# out dirty pages themselves, inside the inserts.
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-1GB}

PG_BIN=/usr/lib/postgresql/15/bin

# PostgreSQL runs as "postgres" and nginx workers as "nobody": they must
# reach their directories.  A STACK_DIR under a private parent (/root,
# mktemp -d) is out of their reach, so their files then go to /var/tmp.
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
if runuser -u postgres -- test -x "$STACK_DIR" 2>/dev/null \
   && runuser -u nobody -- test -x "$STACK_DIR" 2>/dev/null; then
    SHARED_DIR=$STACK_DIR
else
    SHARED_DIR=/var/tmp/jobscout-$(printf %s "$STACK_DIR" | sha256sum | cut -c1-12)
    mkdir -p "$SHARED_DIR"
    chmod 755 "$SHARED_DIR"
fi
PG_ROOT=$SHARED_DIR/pg
PG_DATA=$PG_ROOT/data
NGINX_TMP=$SHARED_DIR/nginx-tmp
CV_DIR=$SHARED_DIR/cv
WEB_ROOT=$SHARED_DIR/web
JWT_KEY=$STACK_DIR/jwt.key
WEBHOOK_KEY=$STACK_DIR/webhook.key
PG_CONNINFO=${PG_CONNINFO:-"host=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=postgres"}
REDIS_ADDR=${REDIS_ADDR:-127.0.0.1:$REDIS_PORT}
SMTP_SINK=${SMTP_URL:+no}
SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:$SMTP_PORT}
PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:$HTTP_PORT}
BOARD_URL=http://127.0.0.1:$DEMO_BOARD_PORT
PUSH_DIR=$STACK_DIR/push
FCM_SINK=${FCM_SERVICE_ACCOUNT:+no}
FCM_SERVICE_ACCOUNT=${FCM_SERVICE_ACCOUNT:-$PUSH_DIR/service-account.json}
FCM_BASE_URL=${FCM_BASE_URL:-$(if [ -z "$FCM_SINK" ]; then
    echo "http://127.0.0.1:$FCM_PORT"; else echo https://fcm.googleapis.com; fi)}
NGINX_DIR=$STACK_DIR/nginx
MODULE=$BUILD/nginx/ngx_http_jobscout_module.so
JOBSCOUTD=$BUILD/jobscoutd

log() { printf '%s\n' "$*" >&2; }
die() { log "stack: $*"; exit 1; }

# wait_for SECONDS CMD...: poll until CMD succeeds
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.05
    done
}

# stop_pid FILE SIGNAL SECONDS: signal the process, wait until it is gone
stop_pid() {
    local file=$1 sig=$2 secs=$3 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file" 2>/dev/null) || return 0
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -"$sig" "$pid"
        if ! wait_for "$secs" bash -c "! kill -0 $pid"; then
            log "stack: pid $pid ignored SIG$sig, killing it"
            kill -KILL "$pid" 2>/dev/null || true
            wait_for 5 bash -c "! kill -0 $pid" || true
        fi
    fi
    rm -f "$file"
}

psql_admin() {
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

pg_start() {
    # initdb refuses root: the cluster belongs to the postgres user
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        mkdir -p "$PG_DATA"
        chown -R postgres: "$PG_ROOT"
        chmod 700 "$PG_DATA"
        (cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" \
            -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
            >"$PG_ROOT/initdb.log" 2>&1) || die "initdb failed: see $PG_ROOT/initdb.log"
    fi
    if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -w \
            -l "$PG_ROOT/postgresql.log" \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_ROOT -c fsync=off -c shared_buffers=$PG_SHARED_BUFFERS" \
            start >/dev/null) || die "PostgreSQL did not start: see $PG_ROOT/postgresql.log"
    fi
    if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]; then
        psql_admin -c "CREATE DATABASE \"$PG_DB\""
    fi
}

pg_stop() {
    [ -f "$PG_DATA/postmaster.pid" ] || return 0
    (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null) || true
}

redis_start() {
    mkdir -p "$STACK_DIR/redis"
    if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        # the append-only file, fsynced every second: a restart keeps the
        # queues and revocations (the task outbox covers the rest)
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
            --appendonly yes --appendfsync everysec \
            --daemonize yes --dir "$STACK_DIR/redis" \
            --pidfile "$STACK_DIR/redis/redis.pid" \
            --logfile "$STACK_DIR/redis/redis.log"
        wait_for 5 redis-cli -p "$REDIS_PORT" ping || die "Redis did not start"
    fi
}

redis_stop() {
    stop_pid "$STACK_DIR/redis/redis.pid" TERM 10
}

migrate() {
    "$ROOT/sql/migrate.sh" "$PG_CONNINFO"
}

# a pg_dump of the database into BACKUP_DIR, the BACKUP_KEEP newest kept
backup() {
    "$ROOT/sql/backup.sh" backup -k "${BACKUP_KEEP:-14}" "$PG_CONNINFO" \
        "${BACKUP_DIR:-$STACK_DIR/backups}"
}

# a backup loaded back, then the migrations it predates
restore() {
    [ -n "${1:-}" ] || die "usage: $0 restore FILE (see $0 backup)"
    "$ROOT/sql/backup.sh" restore "$PG_CONNINFO" "$1"
    migrate
}

# the demo users, and the sources that scrape the local demo board
seed() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v board_url="$BOARD_URL" \
        -d "$PG_CONNINFO" -f "$ROOT/sql/seed/demo.sql" >/dev/null
    log "demo data loaded"
}

# real East African employers' sources, for a machine with internet access
seed_live() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$PG_CONNINFO" \
        -f "$ROOT/sql/seed/east_africa.sql" >/dev/null
    log "East African sources loaded: they are scraped from the internet"
}

# render CONF OUT: fill the @...@ values of a configuration template
render() {
    sed -e "s|@MODULE@|$MODULE|g" \
        -e "s|@LISTEN@|127.0.0.1:$HTTP_PORT|g" \
        -e "s|@TEMP@|$NGINX_TMP|g" \
        -e "s|@PG_CONNINFO@|$PG_CONNINFO|g" \
        -e "s|@REDIS_ADDR@|$REDIS_ADDR|g" \
        -e "s|@JWT_KEY@|$JWT_KEY|g" \
        -e "s|@WEBHOOK_KEY@|$WEBHOOK_KEY|g" \
        -e "s|@SMTP_URL@|$SMTP_URL|g" \
        -e "s|@PUBLIC_BASE_URL@|$PUBLIC_BASE_URL|g" \
        -e "s|@CV_DIR@|$CV_DIR|g" \
        -e "s|@WEB_ROOT@|$WEB_ROOT|g" \
        "$1" >"$2"
}

# the pages (make web: $BUILD/web) where nginx's workers reach them
web_install() {
    [ -f "$BUILD/web/index.html" ] || die "$BUILD/web is not built: run make web"
    rm -rf "$WEB_ROOT"
    cp -r "$BUILD/web" "$WEB_ROOT"
    chmod -R a+rX "$WEB_ROOT"
}

# the local SMTP sink: every mail jobscoutd sends lands in a Maildir
mail_sink_start() {
    [ -z "$SMTP_SINK" ] || return 0
    local dir=$STACK_DIR/mail
    mkdir -p "$dir"
    stop_pid "$dir/sink.pid" TERM 5
    setsid /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
        -c aiosmtpd.handlers.Mailbox "$dir/Maildir" \
        </dev/null >"$dir/sink.log" 2>&1 &
    echo $! >"$dir/sink.pid"
    wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT" \
        || die "the SMTP sink did not start: see $dir/sink.log"
}

mail_sink_stop() {
    stop_pid "$STACK_DIR/mail/sink.pid" TERM 5
}

# the local FCM stand-in (t/fakes/fcm.py) on FCM_PORT: Google's token
# endpoint and FCM HTTP v1, every accepted push written to $PUSH_DIR/new.
# Its service account's key is made once; the fake writes the account
# file (token_uri: itself) before it answers.
push_sink_start() {
    [ -z "$FCM_SINK" ] || return 0
    mkdir -p "$PUSH_DIR"
    [ -s "$PUSH_DIR/fcm-key.pem" ] || (umask 077 && openssl genpkey \
        -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$PUSH_DIR/fcm-key.pem" 2>/dev/null)
    stop_pid "$PUSH_DIR/sink.pid" TERM 5
    rm -f "$PUSH_DIR/sink.port"
    # umask: the account file it writes holds the private key
    (umask 077 && exec setsid /usr/bin/python3 "$ROOT/t/fakes/fcm.py" \
        --port "$FCM_PORT" --port-file "$PUSH_DIR/sink.port" \
        --private-key "$PUSH_DIR/fcm-key.pem" \
        --account "$FCM_SERVICE_ACCOUNT" \
        --client-email notifier@jobscout-demo.iam.gserviceaccount.com \
        --project jobscout-demo --spool "$PUSH_DIR" \
        </dev/null >"$PUSH_DIR/sink.log" 2>&1) &
    echo $! >"$PUSH_DIR/sink.pid"
    wait_for 10 test -s "$PUSH_DIR/sink.port" \
        || die "the FCM stand-in did not start: see $PUSH_DIR/sink.log"
}

push_sink_stop() {
    stop_pid "$PUSH_DIR/sink.pid" TERM 5
}

# the demo job board on DEMO_BOARD_PORT; its postings stay in
# $STACK_DIR/demo-board across restarts
demo_board_start() {
    local dir=$STACK_DIR/demo-board
    mkdir -p "$dir"
    stop_pid "$dir/board.pid" TERM 5
    # else the readiness check below would take another server's answer
    ! (exec 3<>"/dev/tcp/127.0.0.1/$DEMO_BOARD_PORT") 2>/dev/null \
        || die "DEMO_BOARD_PORT $DEMO_BOARD_PORT is taken by another program"
    setsid /usr/bin/python3 "$ROOT/conf/demo/board.py" \
        --port "$DEMO_BOARD_PORT" --state "$dir" \
        --interval "$DEMO_POST_INTERVAL" \
        </dev/null >"$dir/board.log" 2>&1 &
    echo $! >"$dir/board.pid"
    wait_for 10 curl -sf "$BOARD_URL/robots.txt" \
        || die "the demo board did not start: see $dir/board.log"
}

demo_board_stop() {
    stop_pid "$STACK_DIR/demo-board/board.pid" TERM 5
}

# one new posting on the demo board now (DEMO_BOARD: greenhouse, lever,
# jsonld or rss; else a random one), printed as JSON
demo_post() {
    local out
    out=$(curl -sS --fail-with-body -X POST \
              "$BOARD_URL/_demo/post${DEMO_BOARD:+?board=$DEMO_BOARD}") \
        || die "demo-post: ${out:-no demo board on $BOARD_URL: make run first}"
    printf '%s\n' "$out"
    log "the board is polled every 20-30 s: the push lands in $PUSH_DIR/new,"
    log "the e-mail in $STACK_DIR/mail/Maildir/new"
}

# The demo board's sources never scraped yet: none once each has been.
demo_unscraped() {
    "$PG_BIN/psql" -X -qAt -v board="$BOARD_URL" -d "$PG_CONNINFO" <<'SQL'
SELECT count(*) FROM job_sources
 WHERE is_active AND last_success_at IS NULL
   AND position(:'board' IN source_url || coalesce(config ->> 'api_base', ''))
       > 0
SQL
}

# Back once the demo board's jobs are in (the first time, some 30 s: the
# sources share a host, which the scraper's per-host delay spaces), so
# that the README's journey finds them at once and their alerts are
# backfilled, not pushed.
demo_scraped() {
    local left deadline=$((SECONDS + 90))
    left=$(demo_unscraped) || die "cannot read job_sources"
    [ "$left" != 0 ] || return 0
    log "waiting for the first scrape of the demo board's $left sources..."
    while [ "$left" != 0 ]; do
        if [ $SECONDS -ge $deadline ]; then
            log "stack: $left demo sources not scraped yet: see" \
                "$STACK_DIR/jobscoutd/logs/jobscoutd.log"
            return 0
        fi
        sleep 1
        left=$(demo_unscraped) || die "cannot read job_sources"
    done
}

# the HS256 secret of this stack's tokens, made once, readable by root only
jwt_key() {
    [ -s "$JWT_KEY" ] || (umask 077 && openssl rand -hex 32 >"$JWT_KEY")
    # and the key the sources' webhook secrets are sealed with
    [ -s "$WEBHOOK_KEY" ] || (umask 077 && openssl rand -hex 32 >"$WEBHOOK_KEY")
}

nginx_start() {
    [ -f "$MODULE" ] || die "$MODULE is not built: run make build"
    jwt_key
    mkdir -p "$NGINX_DIR"/{conf,logs} "$NGINX_TMP"
    render "$ROOT/conf/nginx.conf" "$NGINX_DIR/conf/nginx.conf"
    cp "$ROOT/conf/openapi.json" "$NGINX_DIR/conf/openapi.json"
    cp "$ROOT/conf/pages.conf" "$NGINX_DIR/conf/pages.conf"
    web_install
    # workers run as nobody: they write request bodies and CVs there
    mkdir -p "$CV_DIR"
    chown nobody: "$NGINX_TMP" "$CV_DIR"
    stop_pid "$NGINX_DIR/logs/nginx.pid" QUIT 10
    # NGINX_PRELOAD: the sanitizer runtimes of a module built with them
    local preload=()
    [ -z "${NGINX_PRELOAD:-}" ] || preload=(env LD_PRELOAD="$NGINX_PRELOAD")
    "${preload[@]}" /usr/sbin/nginx -p "$NGINX_DIR/" -c conf/nginx.conf \
        -e logs/error.log \
        || die "nginx did not start: see $NGINX_DIR/logs/error.log"
}

nginx_stop() {
    stop_pid "$NGINX_DIR/logs/nginx.pid" QUIT 15
}

jobscoutd_start() {
    local dir=$STACK_DIR/jobscoutd
    mkdir -p "$dir"/{conf,logs}
    render "$ROOT/conf/jobscoutd.conf" "$dir/conf/jobscoutd.conf"
    # the template's FCM lines are comments (no push without an account):
    # this stack has one, the stand-in's or FCM_SERVICE_ACCOUNT; and the
    # key of the unsubscribe links is nginx's webhook key
    sed -i \
        -e "s|^#\?fcm_service_account .*|fcm_service_account $FCM_SERVICE_ACCOUNT;|" \
        -e "s|^#\?fcm_base_url .*|fcm_base_url $FCM_BASE_URL;|" \
        -e "s|^#\?mail_link_key_file .*|mail_link_key_file $WEBHOOK_KEY;|" \
        "$dir/conf/jobscoutd.conf"
    stop_pid "$dir/logs/jobscoutd.pid" QUIT 15
    "$JOBSCOUTD" -p "$dir/" -c conf/jobscoutd.conf \
        || die "jobscoutd did not start: see $dir/logs/jobscoutd.log"
}

jobscoutd_stop() {
    stop_pid "$STACK_DIR/jobscoutd/logs/jobscoutd.pid" QUIT 15
}

up() {
    pg_start
    redis_start
    migrate
    seed
    nginx_start
    mail_sink_start
    push_sink_start
    demo_board_start
    jobscoutd_start
    wait_for 5 curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" \
        || die "nginx is up but /health/ready does not answer 200"
    demo_scraped
    cat <<EOF

Job Scout is running: http://127.0.0.1:$HTTP_PORT/
  readiness:  curl -s http://127.0.0.1:$HTTP_PORT/health/ready
  demo login: demo@jobscout.dev / jobscout-demo
  PostgreSQL: psql "$PG_CONNINFO"
  Redis:      redis-cli -p $REDIS_PORT
  mail:       $(if [ -z "$SMTP_SINK" ]; then echo "$STACK_DIR/mail/Maildir/new (local sink)"; else echo "$SMTP_URL"; fi)
  push:       $(if [ -z "$FCM_SINK" ]; then echo "$PUSH_DIR/new (local FCM stand-in, port $FCM_PORT)"; else echo "$FCM_BASE_URL"; fi)
  demo board: $BOARD_URL/ ($(if [ "$DEMO_POST_INTERVAL" != 0 ]; then
                  echo "a new posting every $DEMO_POST_INTERVAL s"; else
                  echo "no postings of its own"; fi); make demo-post adds one now)
  logs:       $STACK_DIR/{nginx/logs,jobscoutd/logs,redis}, $PG_ROOT
  stop:       make stop
EOF
}

down() {
    jobscoutd_stop
    demo_board_stop
    push_sink_stop
    mail_sink_stop
    nginx_stop
    redis_stop
    pg_stop
    log "stack stopped"
}

run_tests() {
    local rc=0
    STACK_DIR=$ROOT/var/test PG_PORT=${PG_PORT_TEST:-55433} \
        REDIS_PORT=${REDIS_PORT_TEST:-56380} PG_DB=jobscout_test \
        "$0" test-inner || rc=$?
    return $rc
}

# the test stack's services, and what a suite cut short left running
# (make test stopped): the processes started with this run's
# JOBSCOUT_TEST_RUN in their environment (exported after the stack's
# services started: Test::Nginx's nginx, the suites' jobscoutd, the
# fakes), read with builtins so that no process of this loop carries it
test_down() {
    local p env pids=()
    down
    for p in /proc/[0-9]*; do
        mapfile -d '' env <"$p/environ" 2>/dev/null || continue
        [[ " ${env[*]} " != *" JOBSCOUT_TEST_RUN=$JOBSCOUT_TEST_RUN "* ]] \
            || pids+=("${p#/proc/}")
    done
    [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
}

test_inner() {
    local rc=0
    # what this run starts from the exports on carries it (test_down)
    JOBSCOUT_TEST_RUN=$$-$(date +%s%N)
    trap 'test_down >/dev/null 2>&1' EXIT
    pg_start
    redis_start
    # a fresh database on every run
    psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)"
    psql_admin -c "CREATE DATABASE \"$PG_DB\""
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
    migrate
    export JOBSCOUT_TEST_RUN
    export TEST_NGINX_BINARY=/usr/sbin/nginx
    export TEST_NGINX_LOAD_MODULES=$MODULE
    export TEST_NGINX_SERVROOT=$ROOT/t/servroot
    export TEST_NGINX_PG=$PG_CONNINFO TEST_NGINX_PG_PORT=$PG_PORT
    export TEST_NGINX_REDIS=$REDIS_ADDR
    jwt_key
    export TEST_NGINX_JWT_KEY=$JWT_KEY TEST_NGINX_WEBHOOK_KEY=$WEBHOOK_KEY
    # an RSA key pair for the RS256 tests
    [ -s "$STACK_DIR/rsa.pem" ] || openssl genpkey -algorithm RSA \
        -pkeyopt rsa_keygen_bits:2048 -out "$STACK_DIR/rsa.pem" 2>/dev/null
    openssl pkey -in "$STACK_DIR/rsa.pem" -pubout -out "$STACK_DIR/rsa.pub"
    export TEST_NGINX_RSA_KEY=$STACK_DIR/rsa.pem TEST_NGINX_RSA_PUB=$STACK_DIR/rsa.pub
    # request bodies nginx spills to disk, where its workers reach them
    mkdir -p "$NGINX_TMP" && chown nobody: "$NGINX_TMP"
    export TEST_NGINX_TEMP=$NGINX_TMP
    # the pages, and where the browser tests leave their screenshots
    web_install
    export TEST_NGINX_WEB_ROOT=$WEB_ROOT
    export TEST_JOBSCOUT_SCREENSHOTS=$STACK_DIR/screenshots
    export TEST_JOBSCOUT_BUILD=$BUILD
    export TEST_JOBSCOUT_ROOT=$ROOT
    # what t/ needs to stop and start the test PostgreSQL
    export STACK_DIR PG_PORT REDIS_PORT PG_DB
    if [ "${SANITIZE:-}" = 1 ]; then
        TEST_NGINX_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
        export TEST_NGINX_PRELOAD
        # reports go to files, so that none is lost in a daemon's stderr
        rm -rf "$STACK_DIR/sanitizer"; mkdir -p "$STACK_DIR/sanitizer"
        chmod 777 "$STACK_DIR/sanitizer"
        export ASAN_OPTIONS=detect_leaks=0:log_path=$STACK_DIR/sanitizer/asan
        export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$STACK_DIR/sanitizer/ubsan
    fi
    # Test::Nginx: openresty's, from TEST_NGINX_LIB or installed (CPAN);
    # the project's copy in t/fallback only when neither is there and
    # TEST_NGINX_FALLBACK is not "no" (.ci/run)
    local inc=(-I t/lib)
    if [ -n "${TEST_NGINX_LIB:-}" ]; then
        inc+=(-I "$TEST_NGINX_LIB")
    elif ! perl -MTest::Nginx::Socket -e1 2>/dev/null; then
        if [ "${TEST_NGINX_FALLBACK:-}" = no ]; then
            log "openresty's Test::Nginx: set TEST_NGINX_LIB or install it (cpanm Test::Nginx)"
            return 1
        fi
        log "Test::Nginx not installed: using the fallback in t/fallback"
        inc+=(-I t/fallback)
    fi
    # TESTS: some suites only (make test TESTS="t/100_admin.t t/101_*.t");
    # each suite's time printed, to see what makes the run long
    if [ -n "${TESTS:-}" ]; then
        (cd "$ROOT" && prove -r --timer "${inc[@]}" $TESTS) || rc=$?
    else
        test_all "${inc[@]}" || rc=$?
    fi
    if [ "${SANITIZE:-}" = 1 ] && [ -n "$(ls -A "$STACK_DIR/sanitizer")" ]; then
        log "sanitizer reports:"
        cat "$STACK_DIR"/sanitizer/* >&2
        rc=1
    fi
    return $rc
}

# TERM to the session of t/097's run, then its processes waited for
demo_stop() {
    kill -TERM -- -"$1" 2>/dev/null || return 0
    wait_for 90 bash -c "! kill -0 -- -$1" || kill -KILL -- -"$1" 2>/dev/null \
        || true
}

# Every suite.  t/097_demo_stack.t brings up make run's whole stack on
# services and ports of its own and spends most of its minute waiting on
# the demo sources' polls: it runs beside the others (prove -j waits for
# its slowest suite before starting the next ones), its report after
# theirs.
test_all() {
    local demo=t/097_demo_stack.t rc=0 demo_rc=0 pid suites
    local out=$STACK_DIR/097_demo_stack.out
    mapfile -t suites < <(cd "$ROOT" && find t -name '*.t' ! -path "$demo" | sort)
    # A session of its own, whose id is $pid: this shell has no job
    # control, so the subshell leads no process group and setsid(1) makes
    # prove the leader of the new session itself, without forking.
    # Stopping make test stops that session, whose suite then takes its
    # stack down (TERM ends it through its END block): waited for, 90 s
    # at most, so that a run started next finds it gone.
    (cd "$ROOT" && exec setsid prove --timer "$@" "$demo") >"$out" 2>&1 &
    pid=$!
    trap 'demo_stop '"$pid"'; test_down >/dev/null 2>&1' EXIT
    (cd "$ROOT" && prove --timer "$@" "${suites[@]}") || rc=$?
    wait "$pid" || demo_rc=$?
    trap 'test_down >/dev/null 2>&1' EXIT
    echo "--- $demo, run beside the others:"
    cat "$out"
    [ "$demo_rc" -eq 0 ] || rc=1
    return $rc
}

bench() {
    STACK_DIR=$ROOT/var/bench PG_PORT=${PG_PORT_BENCH:-55434} \
        REDIS_PORT=${REDIS_PORT_BENCH:-56381} \
        HTTP_PORT=${BENCH_PORT:-8089} "$0" bench-inner
}

bench_inner() {
    trap 'down >/dev/null 2>&1' EXIT
    pg_start
    redis_start
    # a fresh database on every run: the same data, comparable figures
    psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)"
    psql_admin -c "CREATE DATABASE \"$PG_DB\""
    migrate
    seed
    jwt_key
    export MODULE HTTP_PORT PG_CONNINFO REDIS_ADDR NGINX_DIR NGINX_TMP JWT_KEY
    export JOBSCOUTD STACK_DIR
    # BENCH_PARTS: some parts only (BENCH_PARTS=fresh)
    local parts=" ${BENCH_PARTS:-nginx scrape cv fresh} "
    [[ $parts != *" nginx "* ]] || "$ROOT/t/bench/run.sh"
    [[ $parts != *" scrape "* ]] || "$ROOT/t/bench/scrape.pl"
    [[ $parts != *" cv "* ]] || "$ROOT/t/bench/cv.pl"
    [[ $parts != *" fresh "* ]] || bench_fresh
}

# freshness (t/bench/fresh.pl): a database of its own, as the parts above
# leave 100,000 users who match its jobs, and an empty Redis; jobscoutd's
# configuration rendered as for make run
bench_fresh() {
    local db=${PG_DB}_fresh
    psql_admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
    psql_admin -c "CREATE DATABASE \"$db\""
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
    PG_CONNINFO="host=127.0.0.1 port=$PG_PORT dbname=$db user=postgres"
    "$ROOT/sql/migrate.sh" "$PG_CONNINFO"
    render "$ROOT/conf/jobscoutd.conf" "$STACK_DIR/fresh.conf"
    FRESH_CONF=$STACK_DIR/fresh.conf "$ROOT/t/bench/fresh.pl"
}

case ${1:-} in
    up)           up ;;
    down)         down ;;
    migrate)      pg_start; migrate ;;
    seed)         pg_start; migrate; seed ;;
    seed-live)    pg_start; migrate; seed_live ;;
    backup)       pg_start; backup ;;
    restore)      pg_start; restore "${2:-}" ;;
    demo-post)    demo_post ;;
    test)         run_tests ;;
    test-inner)   test_inner ;;
    bench)        bench ;;
    bench-inner)  bench_inner ;;
    pg-start)     pg_start ;;
    pg-stop)      pg_stop ;;
    redis-start)  redis_start ;;
    redis-stop)   redis_stop ;;
    *)            die "usage: $0 up|down|migrate|seed|seed-live|demo-post|test|bench|pg-start|pg-stop|redis-start|redis-stop" ;;
esac
