#!/bin/sh
# C unit tests of the source adapters against t/fixtures/, and against
# hostile bodies (TAP).  Under make asan, leaks of libxml2 and jansson
# objects count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_adapters" t/fixtures
