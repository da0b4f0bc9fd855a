#!/bin/sh
# C unit tests of the source adapters against t/fixtures/, and against
# hostile bodies (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_adapters" t/fixtures
