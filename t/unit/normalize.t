#!/bin/sh
# C unit tests of the adapters' normalization: salaries, location and
# employment types, clean text, URLs, dates, keyword filters (TAP).
# Under make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_normalize"
