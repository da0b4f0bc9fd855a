#!/usr/bin/env bash
# migrate.sh — apply pending sql/migrations/NNNN_*.sql to a PostgreSQL database.
#
#   sql/migrate.sh "host=127.0.0.1 port=55432 dbname=jobscout user=postgres"
#
# The argument is anything psql accepts as a connection string (libpq
# key=value or postgresql:// URI); passwords come from PGPASSWORD/.pgpass.
#
# Rules enforced:
#   * Each migration runs in its own transaction together with its
#     schema_migrations row, so a file is either fully applied and recorded
#     or not at all.
#   * Landed migrations are never edited: if an applied file's sha256 no
#     longer matches the recorded one, the run fails and names the file.
#   * Concurrent runners serialise on a transaction-scoped advisory lock and
#     re-check inside it, so nothing is applied twice.
set -eu -o pipefail

usage() { echo "usage: $0 '<libpq conninfo>'" >&2; exit 2; }
die() { echo "migrate: ERROR: $*" >&2; exit 1; }

if [ $# -ne 1 ] || [ -z "$1" ]; then usage; fi
conninfo=$1

# Resolve relative to this script so it works from any cwd, and through
# a symlink (the package's /usr/sbin/jobscout-migrate).
script_dir=$(cd -- "$(dirname -- "$(readlink -f -- "$0")")" && pwd)
migrations_dir=$script_dir/migrations
[ -d "$migrations_dir" ] || die "no migrations directory at $migrations_dir"

# Arbitrary constant shared by every runner ("JobScout" in ASCII hex).
lock_key=5363613791511606644

export LC_ALL=C   # stable glob order and sha256sum output
psql_base=(psql -X -q -v ON_ERROR_STOP=1 -d "$conninfo")

sha256_of() {
    sha256sum -- "$1" | cut -d' ' -f1
}

# --- bootstrap --------------------------------------------------------------
# Under the lock so two first-time runners don't race on CREATE TABLE.
"${psql_base[@]}" --single-transaction -f - <<SQL || die "cannot create schema_migrations"
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock($lock_key) \gset _mig_
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     text        PRIMARY KEY,
    checksum    text        NOT NULL,
    applied_at  timestamptz DEFAULT now()
);
SQL

# --- collect files ------------------------------------------------------------
files=()
declare -A seen_prefix=()
for f in "$migrations_dir"/[0-9][0-9][0-9][0-9]_*.sql; do
    [ -e "$f" ] || continue                     # glob matched nothing
    name=${f##*/}
    # Names become psql variables and log lines; keep them boring.
    [[ $name =~ ^[0-9]{4}_[A-Za-z0-9_]+\.sql$ ]] \
        || die "bad migration file name '$name' (want NNNN_name.sql, name of letters, digits, _)"
    prefix=${name:0:4}
    [ -z "${seen_prefix[$prefix]:-}" ] \
        || die "duplicate migration number $prefix: ${seen_prefix[$prefix]} and $name"
    seen_prefix[$prefix]=$name
    # The runner owns the transaction; an explicit one would split it.
    if grep -Eiq '^[[:space:]]*(BEGIN|START[[:space:]]+TRANSACTION|COMMIT|ROLLBACK)[[:space:]]*;' "$f"; then
        die "$name contains BEGIN/COMMIT; the runner already wraps each file in a transaction"
    fi
    files+=("$f")
done

# --- verify already-applied files -----------------------------------------------
applied_rows=$("${psql_base[@]}" -At -F'|' \
    -c 'SELECT version, checksum FROM schema_migrations ORDER BY version') \
    || die "cannot read schema_migrations"
declare -A applied=()
while IFS='|' read -r version checksum; do
    [ -n "$version" ] || continue
    applied[$version]=$checksum
done <<<"$applied_rows"

declare -A on_disk=()
for f in ${files[@]+"${files[@]}"}; do
    name=${f##*/}
    version=${name%.sql}
    on_disk[$version]=1
    if [ -n "${applied[$version]:-}" ]; then
        sum=$(sha256_of "$f")
        [ "$sum" = "${applied[$version]}" ] \
            || die "$f was changed after it was applied (recorded sha256 ${applied[$version]}, now $sum). Landed migrations are never edited: revert it and add a new migration."
    fi
done
for version in "${!applied[@]}"; do
    [ -n "${on_disk[$version]:-}" ] \
        || die "migration $version is recorded in schema_migrations but $migrations_dir/$version.sql is missing (renamed or deleted?)"
done

# --- apply pending ---------------------------------------------------------------
pending=0
for f in ${files[@]+"${files[@]}"}; do
    name=${f##*/}
    version=${name%.sql}
    [ -z "${applied[$version]:-}" ] || continue
    pending=$((pending + 1))
    sum=$(sha256_of "$f")
    echo "migrate: applying $name"
    # Version/checksum/path reach SQL only as psql variables (:'var' quotes
    # them); the DO block reads them back through transaction-local GUCs
    # because psql does not interpolate inside dollar quotes.
    "${psql_base[@]}" --single-transaction \
        -v "mig_lock=$lock_key" -v "mig_version=$version" -v "mig_checksum=$sum" -v "mig_file=$f" \
        -f - <<'SQL' || die "$name failed; nothing from it was applied"
SELECT pg_advisory_xact_lock(:mig_lock),
       set_config('jobscout.mig_version', :'mig_version', true),
       set_config('jobscout.mig_checksum', :'mig_checksum', true) \gset _mig_
-- Another runner may have applied it while we waited for the lock.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM schema_migrations
               WHERE version = current_setting('jobscout.mig_version')
                 AND checksum <> current_setting('jobscout.mig_checksum')) THEN
        RAISE EXCEPTION 'migration % was applied concurrently with a different checksum',
            current_setting('jobscout.mig_version');
    END IF;
END
$$;
SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = :'mig_version') AS mig_done \gset
\if :mig_done
\echo migrate: :mig_version already applied by a concurrent run, skipping
\else
\i :mig_file
INSERT INTO schema_migrations (version, checksum) VALUES (:'mig_version', :'mig_checksum');
\endif
SQL
done

if [ "$pending" -eq 0 ]; then
    echo "migrate: nothing pending (${#files[@]} migration(s) already applied)"
else
    echo "migrate: done ($pending processed)"
fi
