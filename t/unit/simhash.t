#!/bin/sh
# C unit tests of SimHash distances and canonical keys (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_simhash"
