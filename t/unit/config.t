#!/bin/sh
# C unit tests of jobscoutd's configuration parser (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_config"
