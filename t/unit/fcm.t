#!/bin/sh
# C unit tests of FCM: the service account, the RS256 assertion, the
# message, Retry-After, FCM's answers and the notifier's directives
# (TAP).  Under make asan, leaks count too.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1" \
    exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_fcm"
