#!/bin/sh
# C unit tests of the adapters with detail calls (smartrecruiters,
# workday, bamboohr) and of the page's detail list, against t/fixtures/
# and hostile bodies (TAP).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_ats_detail" t/fixtures
