#!/bin/sh
# C unit tests of the polling estimator (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_poll"
