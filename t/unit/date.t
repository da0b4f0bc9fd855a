#!/bin/sh
# C unit tests of the adapters' normalization (workers/adapters/date.c):
# ISO 8601 and RFC 822 dates (TAP).
# Under make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_date"
