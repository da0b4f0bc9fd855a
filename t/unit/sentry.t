#!/bin/sh
# C unit tests of error tracking: DSNs, hostile datagrams, rate limits,
# events and envelopes (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_sentry"
