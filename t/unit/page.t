#!/bin/sh
# C unit tests of the adapters' normalization (workers/adapters/page.c):
# keyword filters, skills, the checks every job passes (TAP).
# Under make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_page"
