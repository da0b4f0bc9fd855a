#!/bin/sh
# C unit tests of the skills extractor over the taxonomy of migration 0017
# (aliases, C / C++ / C# apart, ambiguous words, years, nice-to-have
# sections, hostile texts) (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_skills" \
    sql/migrations/0017_skills_taxonomy.sql
