#!/bin/sh
# C unit tests of the adapter catalogue: the same adapters as the
# adapter table, its JSON, and the config check (types, bounds, CSS and
# XPath selectors, required keys, every fixture's config) (TAP).  Under
# make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_catalogue" t/fixtures
