#!/bin/sh
# C unit tests of the queue: backoff, task parsing, failed-task
# payloads (TAP).
exec "${TEST_JOBSCOUT_BUILD:-build}/tests/test_queue"
