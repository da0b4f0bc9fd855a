package JobScout::Subreaper;

# nginx daemonizes, so its master is re-parented to PID 1, which in some
# containers reaps zombies late or never, and kill 0 still sees a zombie:
# openresty's Test::Nginx then waits 1.4-1.8 s for every restart.  Loading
# this module makes the test process a child subreaper (prctl), so the
# master is re-parented to it and the harness's own waitpid reaps it.
#
#   use JobScout::Subreaper;    # before run_tests() in a data-driven suite

use strict;
use warnings;

my $done;

sub become {
    return if $done++;
    eval {
        require 'syscall.ph';    ## no critic
        syscall(&SYS_prctl, 36, 1, 0, 0, 0);    # PR_SET_CHILD_SUBREAPER
    };
}

sub import { become() }

1;
