#!/bin/sh
# C unit tests of the job mails' signed unsubscribe tokens and their
# List-Unsubscribe headers (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_unsubscribe"
