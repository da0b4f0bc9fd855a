#!/bin/sh
# C unit tests of robots.txt parsing and matching, RFC 9309 (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_robots"
