# t/091_notifier.t again, with FCM behind a front on TLS and HTTP/2
# (nginx, proxying to the same fake), as Google serves it: the notifier
# sends on its own HTTP/2 client (workers/lib/h2.c) instead of libcurl's,
# and every behaviour there holds here.
use strict;
use warnings;

$ENV{TEST_FCM_FRONT} = 'h2';
do './t/091_notifier.t';
die $@ if $@;
