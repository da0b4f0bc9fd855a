#!/usr/bin/env bash
# backup.sh — pg_dump backups of the Job Scout database, and their restore.
#
#   sql/backup.sh backup  [-k KEEP] '<libpq conninfo>' DIR
#   sql/backup.sh restore '<libpq conninfo>' FILE
#
# backup writes DIR/jobscout-<UTC time, ms>.dump (pg_dump's custom format,
# compressed; under a temporary name until complete, so a failed or
# interrupted run never looks like a backup), then deletes all but the
# KEEP newest (default 14) of DIR's jobscout-*.dump.  It prints the file.
#
# restore loads FILE into the database the conninfo names, which must
# exist (createdb it when it was dropped): in one transaction (psql
# --single-transaction over pg_restore's SQL), replacing
# what the database holds of the dump's objects (--clean --if-exists), so
# it is either fully restored or left as it was.  Owners and privileges
# are not restored: the objects belong to the role that restores.
# Afterwards run the migrations (jobscout-migrate, conf/stack.sh migrate):
# a dump older than the code lacks the newer ones.
#
# The package ships this as /usr/sbin/jobscout-backup; conf/stack.sh
# backup and restore run it against make run's database.
set -eu -o pipefail

usage() {
    echo "usage: $0 backup [-k KEEP] '<libpq conninfo>' DIR" >&2
    echo "       $0 restore '<libpq conninfo>' FILE" >&2
    exit 2
}
die() { echo "backup: ERROR: $*" >&2; exit 1; }

export LC_ALL=C   # the names sort by time

backup() {
    local keep=14 opt
    OPTIND=1
    while getopts k: opt; do
        case $opt in
            k) keep=$OPTARG ;;
            *) usage ;;
        esac
    done
    shift $((OPTIND - 1))
    [ $# -eq 2 ] && [ -n "$1" ] && [ -n "$2" ] || usage
    [[ $keep =~ ^[1-9][0-9]*$ ]] || die "KEEP must be 1 or more, not '$keep'"
    local conninfo=$1 dir=$2 file partial old
    mkdir -p -- "$dir"
    file=$dir/jobscout-$(date -u +%Y%m%dT%H%M%S.%3NZ).dump
    [ ! -e "$file" ] || die "$file exists already"
    partial=$file.partial
    # a dump holds every user's data: readable by its owner only
    (umask 077 && pg_dump --format=custom --no-owner --no-privileges \
        --file="$partial" -d "$conninfo") \
        || { rm -f -- "$partial"; die "pg_dump failed; no backup written"; }
    mv -- "$partial" "$file"
    echo "$file"
    # retention: the names sort by time, the newest last
    ls -1 -- "$dir"/jobscout-*.dump | head -n -"$keep" \
        | while IFS= read -r old; do
            rm -f -- "$old"
            echo "backup: removed $old (keeping the $keep newest)" >&2
        done
}

restore() {
    [ $# -eq 2 ] && [ -n "$1" ] || usage
    local conninfo=$1 file=$2
    [ -f "$file" ] || die "no backup file $file"
    # the dump as SQL: every user's data, so mktemp's mode 0600
    sql=$(mktemp) || die "no temporary file"
    trap 'rm -f -- "$sql"' EXIT
    # The SQL whole first: a damaged dump stops here, before the database
    # sees any of it.
    pg_restore --clean --if-exists --no-owner --no-privileges \
        -f "$sql" -- "$file" \
        || die "$file is not a complete dump; the database is unchanged"
    psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$conninfo" \
        -f "$sql" >/dev/null \
        || die "restoring $file failed; the database is unchanged"
    echo "backup: restored $file"
}

case ${1:-} in
    backup)  shift; backup "$@" ;;
    restore) shift; restore "$@" ;;
    *)       usage ;;
esac
