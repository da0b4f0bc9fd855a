#!/usr/bin/env bash
# conf/debian/build.sh BUILD OUT: the two Debian packages of Job Scout
# from make build's tree, into OUT ("make deb": build/deb):
#
#   libnginx-mod-http-jobscout  the module, as Debian packages its nginx
#                               modules (modules-available, enabled by a
#                               link in modules-enabled, nginx-abi-*)
#   jobscoutd                   the daemon, its conffile, system user,
#                               systemd unit, logrotate, the migrations
#                               with jobscout-migrate, jobscout-backup
#
# Plain dpkg-deb over staged trees: the files are this directory's, the
# library dependencies dpkg-shlibdeps's, the nginx ABI the one the
# installed nginx (whose nginx-dev built the module) provides.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BUILD OUT" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)

die() { echo "deb: $*" >&2; exit 1; }

MODULE=$BUILD/nginx/ngx_http_jobscout_module.so
JOBSCOUTD=$BUILD/jobscoutd
[ -f "$MODULE" ] && [ -x "$JOBSCOUTD" ] || die "run make build first"

UPSTREAM=$(sed -n 's/^#define JS_VERSION *"\(.*\)"/\1/p' \
           "$ROOT/workers/lib/version.h")
[ -n "$UPSTREAM" ] || die "no JS_VERSION in workers/lib/version.h"
VERSION=$UPSTREAM-1
ARCH=$(dpkg --print-architecture)
NGINX_ABI=$(dpkg-query -W -f='${Provides}' nginx | tr ',' '\n' \
            | sed -n 's/^ *\(nginx-abi-[^ ]*\).*/\1/p')
[ -n "$NGINX_ABI" ] || die "the installed nginx provides no nginx-abi-*"
# the last commit's time: the same tree gives the same packages
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 \
    --format=%ct 2>/dev/null || date +%s)}
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)

umask 022
STAGE=$OUT/stage
rm -rf "$STAGE"
rm -f "$OUT"/*.deb

# dpkg-shlibdeps reads a debian/control: a minimal one beside the trees
mkdir -p "$STAGE/src/debian"
printf 'Source: jobscout\n\nPackage: jobscoutd\nArchitecture: any\n' \
    >"$STAGE/src/debian/control"

# shlibs BINARY...: the Depends of the libraries the binaries link
shlibs() {
    (cd "$STAGE/src" && dpkg-shlibdeps -O "$@" 2>/dev/null) \
        | sed -n 's/^shlibs:Depends=//p' | grep . \
        || die "dpkg-shlibdeps found no libraries for $*"
}

# doc PACKAGE TREE: copyright and changelog, as Debian wants them
doc() {
    local dir=$2/usr/share/doc/$1
    install -d "$dir"
    install -m 0644 "$HERE/copyright" "$dir/copyright"
    {
        printf '%s (%s) unstable; urgency=medium\n\n' jobscout "$VERSION"
        printf '  * Built from the Job Scout repository, commit %s.\n\n' \
            "$COMMIT"
        printf ' -- Job Scout <ops@jobscout.dev>  %s\n' \
            "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
    } | gzip -9n >"$dir/changelog.Debian.gz"
    chmod 0644 "$dir/changelog.Debian.gz"
}

# finish PACKAGE TREE SHLIBS: control, md5sums, maintainer scripts, .deb
finish() {
    local pkg=$1 tree=$2 script shlibs
    # sed's replacement: Depends alternatives ("a | b") hold its delimiter
    shlibs=$(printf '%s' "$3" | sed 's/[|&\\]/\\&/g')
    install -d "$tree/DEBIAN"
    for script in preinst postinst prerm postrm; do
        [ ! -f "$HERE/$pkg.$script" ] \
            || install -m 0755 "$HERE/$pkg.$script" "$tree/DEBIAN/$script"
    done
    (cd "$tree" && find . -type f -path './etc/*' -printf '/%P\n' \
        | LC_ALL=C sort) >"$tree/DEBIAN/conffiles"
    [ -s "$tree/DEBIAN/conffiles" ] || rm "$tree/DEBIAN/conffiles"
    (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' \
        | LC_ALL=C sort | xargs -d '\n' md5sum) >"$tree/DEBIAN/md5sums"
    sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" \
        -e "s|@NGINX_ABI@|$NGINX_ABI|" -e "s|@SHLIBS@|$shlibs|" \
        -e "s|@SIZE@|$(du -sk --exclude=DEBIAN "$tree" | cut -f1)|" \
        "$HERE/$pkg.control" >"$tree/DEBIAN/control"
    find "$tree" -newermt "@$SOURCE_DATE_EPOCH" \
        -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    dpkg-deb --root-owner-group -Zxz --build "$tree" \
        "$OUT/${pkg}_${VERSION}_$ARCH.deb" >/dev/null
    echo "$OUT/${pkg}_${VERSION}_$ARCH.deb"
}

# --- libnginx-mod-http-jobscout ---------------------------------------------
pkg=libnginx-mod-http-jobscout
tree=$STAGE/$pkg
install -d "$tree/usr/lib/nginx/modules" \
           "$tree/usr/share/nginx/modules-available"
install -m 0644 "$MODULE" "$tree/usr/lib/nginx/modules/"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$tree/usr/lib/nginx/modules/ngx_http_jobscout_module.so"
install -m 0644 "$HERE/mod-http-jobscout.conf" \
    "$tree/usr/share/nginx/modules-available/"
doc $pkg "$tree"
finish $pkg "$tree" \
    "$(shlibs "$tree/usr/lib/nginx/modules/ngx_http_jobscout_module.so")"

# --- jobscoutd ----------------------------------------------------------------
pkg=jobscoutd
tree=$STAGE/$pkg
share=$tree/usr/share/jobscout
install -d "$tree/usr/sbin" "$tree/etc/jobscout" "$tree/etc/logrotate.d" \
           "$tree/lib/systemd/system" "$share/sql/migrations"
install -m 0755 "$JOBSCOUTD" "$tree/usr/sbin/jobscoutd"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$tree/usr/sbin/jobscoutd"
# conf/jobscoutd.conf with a system's paths and local services: pid under
# the unit's RuntimeDirectory, the log under /var/log (logrotate)
sed -e 's|^pid .*|pid /run/jobscout/jobscoutd.pid;|' \
    -e 's|^error_log logs/|error_log /var/log/jobscout/|' \
    -e 's|@PG_CONNINFO@|host=/var/run/postgresql dbname=jobscout user=jobscout|' \
    -e 's|@REDIS_ADDR@|127.0.0.1:6379|' \
    -e 's|@SMTP_URL@|smtp://127.0.0.1:25|' \
    -e 's|@PUBLIC_BASE_URL@|https://jobscout.example|' \
    -e 's|@CV_DIR@|/var/lib/jobscout/cv|' \
    "$ROOT/conf/jobscoutd.conf" >"$tree/etc/jobscout/jobscoutd.conf"
! grep -n '@[A-Z_]*@' "$tree/etc/jobscout/jobscoutd.conf" \
    || die "conf/jobscoutd.conf has a placeholder this script does not fill"
install -m 0644 "$HERE/jobscoutd.logrotate" "$tree/etc/logrotate.d/jobscoutd"
install -m 0644 "$HERE/jobscoutd.service" "$tree/lib/systemd/system/"
# the migrations and their runner, backups: sql/ as it is
install -m 0644 "$ROOT"/sql/migrations/[0-9][0-9][0-9][0-9]_*.sql \
    "$share/sql/migrations/"
install -m 0755 "$ROOT/sql/migrate.sh" "$ROOT/sql/backup.sh" "$share/sql/"
ln -s ../share/jobscout/sql/migrate.sh "$tree/usr/sbin/jobscout-migrate"
ln -s ../share/jobscout/sql/backup.sh "$tree/usr/sbin/jobscout-backup"
install -d "$tree/usr/share/man/man8"
for page in jobscoutd jobscout-migrate jobscout-backup; do
    gzip -9n <"$HERE/$page.8" >"$tree/usr/share/man/man8/$page.8.gz"
    chmod 0644 "$tree/usr/share/man/man8/$page.8.gz"
done
doc $pkg "$tree"
install -m 0644 "$HERE/README.Debian" "$tree/usr/share/doc/$pkg/"
finish $pkg "$tree" "$(shlibs "$tree/usr/sbin/jobscoutd")"
