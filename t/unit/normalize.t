#!/bin/sh
# C unit tests of the adapters' normalization: salaries, location and
# employment types, clean text, URLs, dates, keyword filters (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_normalize"
