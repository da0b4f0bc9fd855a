#!/bin/sh
# C unit tests of the Recruitee, Personio and Teamtailor adapters against
# t/fixtures/ (TAP).  Under make asan, leaks of libxml2 and jansson
# objects count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_feeds" t/fixtures
