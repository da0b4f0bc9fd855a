#!/bin/sh
# C unit tests of the notifier's matcher (workers/lib/matcher.c): PostgreSQL's
# text arrays and decimals, each filter, the score's exact rounding,
# updates, removals and compaction, UTF-8 locations (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_matcher"
