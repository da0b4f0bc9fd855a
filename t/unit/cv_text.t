#!/bin/sh
# C unit tests of CV text extraction (PDF, DOCX, in a child under limits)
# and storage keys (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_cv_text"
