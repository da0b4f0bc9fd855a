#!/bin/sh
# Container entrypoint for the Job Scout images (docker/Dockerfile).
#
#   api            render conf/nginx.conf, run nginx in the foreground
#   worker         render conf/jobscoutd.conf, run jobscoutd -f
#   migrate        apply sql/migrations, then load the demo seed
#   health-api     exit 0 when /health/ready answers 200
#   health-worker  exit 0 when this container's heartbeat is in Redis
#   anything else  exec'd as is
#
# Settings come from the environment, with local development defaults;
# the PostgreSQL password is never put in a file: libpq reads PGPASSWORD.
set -eu

ROOT=/srv/jobscout

: "${PG_CONNINFO:=host=postgres port=5432 dbname=jobscout user=postgres}"
: "${REDIS_ADDR:=redis:6379}"
: "${HTTP_PORT:=8080}"
: "${SEED:=1}"
: "${SMTP_URL:=smtp://mailsink:1025}"
: "${PUBLIC_BASE_URL:=http://localhost:$HTTP_PORT}"
: "${JWT_KEY_FILE:=$ROOT/secrets/jwt.key}"
: "${WEBHOOK_KEY_FILE:=$ROOT/secrets/webhook.key}"

MODULE=/usr/lib/nginx/modules/ngx_http_jobscout_module.so

# sed replacement text: escape the delimiter, & and backslashes.
esc() {
    printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# The module resolves host names with blocking DNS (see conf/nginx.conf),
# so give libpq the address too: host= stays for TLS and error messages.
pg_conninfo_resolved() {
    case " $PG_CONNINFO " in
    *" hostaddr="*) printf '%s' "$PG_CONNINFO"; return ;;
    esac
    host=$(printf '%s\n' "$PG_CONNINFO" \
           | sed -n 's/.*\(^\| \)host=\([^ ]*\).*/\2/p')
    addr=
    if [ -n "$host" ]; then
        case $host in
        /*) ;;
        *) addr=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }') ;;
        esac
    fi
    if [ -n "$addr" ]; then
        printf '%s hostaddr=%s' "$PG_CONNINFO" "$addr"
    else
        printf '%s' "$PG_CONNINFO"
    fi
}

# render TEMPLATE OUT CONNINFO: fill the @...@ values, as conf/stack.sh does
render() {
    sed -e "s|@MODULE@|$(esc "$MODULE")|g" \
        -e "s|@LISTEN@|$(esc "$HTTP_PORT")|g" \
        -e "s|@TEMP@|$ROOT/nginx/tmp|g" \
        -e "s|@PG_CONNINFO@|$(esc "$3")|g" \
        -e "s|@REDIS_ADDR@|$(esc "$REDIS_ADDR")|g" \
        -e "s|@JWT_KEY@|$(esc "$JWT_KEY_FILE")|g" \
        -e "s|@WEBHOOK_KEY@|$(esc "$WEBHOOK_KEY_FILE")|g" \
        -e "s|@SMTP_URL@|$(esc "$SMTP_URL")|g" \
        -e "s|@PUBLIC_BASE_URL@|$(esc "$PUBLIC_BASE_URL")|g" \
        -e "s|@CV_DIR@|$(esc "${CV_DIR:-$ROOT/cv}")|g" \
        -e "s|@WEB_ROOT@|$ROOT/web|g" \
        "$1" > "$2"
}

# The HS256 key every api replica must share: a mounted file, or
# JWT_SECRET written to one (readable by root only: nginx's master reads
# it before it drops privileges).
jwt_key() {
    [ -s "$JWT_KEY_FILE" ] && return 0
    [ -n "${JWT_SECRET:-}" ] || {
        echo "jobscout: set JWT_SECRET or mount $JWT_KEY_FILE" >&2
        exit 1
    }
    mkdir -p "$(dirname "$JWT_KEY_FILE")"
    (umask 077 && printf '%s\n' "$JWT_SECRET" > "$JWT_KEY_FILE")
}

# The key webhook secrets are sealed with (64 hex digits), shared by every
# api replica like the JWT key: a mounted file, or WEBHOOK_KEY written to
# one.  Without either, webhooks answer 503 and the rest works.
webhook_key() {
    [ -s "$WEBHOOK_KEY_FILE" ] && return 0
    [ -n "${WEBHOOK_KEY:-}" ] || return 0
    mkdir -p "$(dirname "$WEBHOOK_KEY_FILE")"
    (umask 077 && printf '%s\n' "$WEBHOOK_KEY" > "$WEBHOOK_KEY_FILE")
}

case "${1:-}" in
api)
    dir=$ROOT/nginx
    # the CVs nginx writes and the cv role removes stay in their group
    # (/srv/jobscout/cv, docker/compose.yaml)
    umask 0007
    jwt_key
    webhook_key
    render "$ROOT/templates/nginx.conf" "$dir/conf/nginx.conf" \
           "$(pg_conninfo_resolved)"
    [ -s "$WEBHOOK_KEY_FILE" ] || sed -i '/jobscout_webhook_key_file/d' \
        "$dir/conf/nginx.conf"
    # nginx clears the environment of its workers: keep libpq's variables.
    exec nginx -p "$dir/" -c conf/nginx.conf -e logs/error.log \
        -g 'daemon off; env PGPASSWORD; env PGSSLMODE;'
    ;;

worker)
    dir=$ROOT/jobscoutd
    umask 0007      # as api's
    render "$ROOT/templates/jobscoutd.conf" "$dir/conf/jobscoutd.conf" \
           "$PG_CONNINFO"
    sed -i -e 's/^\([[:space:]]*error_log[[:space:]]\{1,\}\)[^[:space:];]\{1,\}/\1stderr/' \
        "$dir/conf/jobscoutd.conf"
    jobscoutd -p "$dir/" -c conf/jobscoutd.conf -t
    exec jobscoutd -p "$dir/" -c conf/jobscoutd.conf -f
    ;;

migrate)
    "$ROOT/sql/migrate.sh" "$PG_CONNINFO"
    if [ "$SEED" = 1 ]; then
        for f in "$ROOT"/sql/seed/*.sql; do
            [ -e "$f" ] || continue
            echo "seed: loading ${f##*/}"
            psql -X -q -v ON_ERROR_STOP=1 -d "$PG_CONNINFO" -f "$f" >/dev/null
        done
    fi
    ;;

health-api)
    exec curl -fsS -o /dev/null --max-time 2 \
        "http://127.0.0.1:$HTTP_PORT/health/ready"
    ;;

health-worker)
    # Every heartbeat worker refreshes jobscoutd:heartbeat:<host>:<pid>
    # (EX 15) every 5 s: no key for this host means no live worker.
    host=${REDIS_ADDR%:*}
    port=${REDIS_ADDR##*:}
    keys=$(redis-cli -h "$host" -p "$port" --scan \
           --pattern "jobscoutd:heartbeat:$(hostname):*")
    [ -n "$keys" ]
    ;;

*)
    exec "$@"
    ;;
esac
