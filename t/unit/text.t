#!/bin/sh
# C unit tests of the adapters' normalization (workers/adapters/text.c):
# clean text from HTML and plain text, one-line fields, entities (TAP).
# Under make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_text"
