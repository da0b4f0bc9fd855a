#!/bin/sh
# C unit tests of the mailer: message rendering, header-injection
# checks and its directives (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_mailer"
