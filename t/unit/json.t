#!/bin/sh
# C unit tests of the adapters' normalization (workers/adapters/json.c):
# provider JSON helpers, a source's first URL and its config (TAP).
# Under make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_json"
