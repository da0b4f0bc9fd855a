# A reload (HUP) while logins wait for bcrypt in the thread pool: the old
# worker finishes them before it exits.  It used to exit at once (a
# request waiting for a thread has no timer, and an exiting worker goes
# when no timer is left), dropping every one: "open socket left in
# connection" in the error log, and no answer (found by make chaos).
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();
my $email = "reload$$\@example.com";
verified_user($email, 'a long enough secret');

# six logins at once: with two bcrypt threads, most of them wait
my $logins = 6;
my @kids;
for (1 .. $logins) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my ($s) = api(POST => '/auth/login',
                      { email => $email, password => 'a long enough secret' });
        POSIX::_exit(defined $s && $s == 200 ? 0 : 1);
    }
    push @kids, $pid;
}
sleep 0.1;
ok(kill('HUP', nginx_pid()), 'nginx reloads while the logins wait for bcrypt');

my $ok = 0;
for (@kids) {
    waitpid $_, 0;
    $ok++ if $? == 0;
}
is($ok, $logins, 'every login in flight is answered 200 by the old worker');

my $log = '';
for (1 .. 100) {
    $log = error_log_since($log_start);
    last if $log =~ /: exit$/m;
    sleep 0.05;
}
ok($log !~ /open socket #\d+ left in connection/,
       'the old worker left no connection open');

done_testing();
