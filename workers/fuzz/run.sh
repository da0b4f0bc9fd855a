#!/usr/bin/env bash
# Runs every libFuzzer target "make -C workers fuzz" built, FUZZ_SECONDS
# each (default 10): first its saved crash inputs (regress/<target>/,
# which must all pass now), then fuzzing from its seed corpus.  Prints
# executions and crashes per target; exits 1 when any target crashed.
#
#   workers/fuzz/run.sh BUILD_DIR [target ...]
#
# A crash leaves its input in BUILD_DIR/fuzz/crashes/; once fixed, copy
# it to workers/fuzz/regress/<target>/ so that every run replays it.

set -u
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../t/fixtures
build=$(cd "${1:?usage: run.sh BUILD_DIR [target ...]}" && pwd)/fuzz
shift
seconds=${FUZZ_SECONDS:-10}

if [ $# -eq 0 ]; then
    set -- $(cd "$build" && ls fuzz_* | sed 's/^fuzz_//')
fi

mkdir -p "$build/crashes" "$build/logs"
failed=0 total_runs=0
printf '%-22s %12s %10s %8s  %s\n' target executions exec/s crashes note

for t in "$@"; do
    bin=$build/fuzz_$t
    log=$build/logs/$t.log
    work=$build/corpus/$t
    mkdir -p "$work"

    # adapters start from the fixtures their unit tests read
    case $t in
    adapter_atom) seeds=$fixtures/rss ;;
    adapter_*)    seeds=$fixtures/${t#adapter_} ;;
    *)            seeds=$here/corpus/$t ;;
    esac

    note=""
    crashes=0
    regress=$here/regress/$t
    if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
        if ! "$bin" -timeout=10 "$regress"/* > "$log.regress" 2>&1; then
            crashes=1
            note="regression input fails: see $log.regress"
        fi
    fi

    "$bin" -max_total_time="$seconds" -print_final_stats=1 \
        -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$build/crashes/$t-" \
        "$work" "$seeds" > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    runs=${runs:-0}
    if [ $rc -ne 0 ]; then
        crashes=$((crashes + 1))
        note="${note:+$note; }$(grep -m1 -o 'Test unit written to .*' "$log" \
            || echo "exit $rc: see $log")"
    fi
    [ $crashes -ne 0 ] && failed=1
    total_runs=$((total_runs + runs))
    printf '%-22s %12d %10d %8d  %s\n' "$t" "$runs" \
        $((runs / seconds)) "$crashes" "$note"
done

printf '%-22s %12d   (%s s per target)\n' total "$total_runs" "$seconds"
exit $failed
