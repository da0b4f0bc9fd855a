# The whole e-mail path, with real parts only: the API queues the mail,
# jobscoutd's mailer sends it over SMTP to a local sink (Debian's
# aiosmtpd, saving to a Maildir), and the test follows the link in the
# received message: the verification and reset tokens work, once.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::SmtpSink;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
my $jobscoutd = ($ENV{TEST_JOBSCOUT_BUILD} || "$root/build") . '/jobscoutd';
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/$_" for qw(conf logs);
my $base_url = 'https://app.jobscout.test';

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

# --- the SMTP sink
my $sink = JobScout::SmtpSink->new("$dir/sink");
my $port = $sink->port;
ok(IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port"), 'the SMTP sink listens');

# --- jobscoutd (the shipped roles: the relay and the mailer), sending to the sink
open my $in, '<', "$root/conf/jobscoutd.conf" or die $!;
open my $out, '>', "$dir/conf/jobscoutd.conf" or die $!;
while (<$in>) {
    s/\@PG_CONNINFO\@/$ENV{TEST_NGINX_PG}/g;
    s/\@REDIS_ADDR\@/$ENV{TEST_NGINX_REDIS}/g;
    s/\@SMTP_URL\@/smtp:\/\/127.0.0.1:$port/g;
    s/\@PUBLIC_BASE_URL\@/$base_url/g;
    print $out $_;
}
close $out;
system($jobscoutd, '-p', "$dir/", '-c', 'conf/jobscoutd.conf') == 0
    or BAIL_OUT('jobscoutd does not start');
END { system($jobscoutd, '-p', "$dir/", '-c', 'conf/jobscoutd.conf', '-s', 'stop') if $dir && -e "$dir/logs/jobscoutd.pid"; }

# --- nginx
my $log_start = start_api();

# the received message to an address with this subject, decoded
my %seen;
sub received {
    my ($to, $subject) = @_;
    return wait_until(15, sub {
        for my $m ($sink->mails($to)) {
            next if $seen{ $m->{id} } || $m->{subject} !~ /$subject/i;
            $seen{ $m->{id} } = 1;
            return $m;
        }
        return undef;
    });
}

my $email = "wanjiru$$\@example.com";
my ($s, $d) = api(POST => '/auth/register',
                  { email => $email, password => 'sunrise over ngong', full_name => 'Wanjiru Kamau' });
is($s, 201, 'registered');

my $m = received($email, 'Confirm');
ok($m, 'the verification mail arrives over SMTP');
my ($token) = ($m->{body} // '') =~ m{\Q$base_url\E/verify-email\?token=([0-9a-f]{64})};
ok($token, '... with a link to the configured base URL and a token');
like($m->{body} // '', qr/Wanjiru Kamau/, '... addressed by name');

($s) = api(POST => '/auth/login', { email => $email, password => 'sunrise over ngong' });
is($s, 403, 'not verified yet: login refused');
($s, $d) = api(POST => '/auth/verify-email', { token => $token });
is($s, 200, 'the mailed token verifies the address');
($s) = api(POST => '/auth/verify-email', { token => $token });
is($s, 400, '... once');
($s) = api(POST => '/auth/login', { email => $email, password => 'sunrise over ngong' });
is($s, 200, 'now login works');

($s) = api(POST => '/auth/forgot-password', { email => $email });
is($s, 202, 'forgot-password: 202');
$m = received($email, 'password');
ok($m, 'the reset mail arrives over SMTP');
($token) = ($m->{body} // '') =~ m{\Q$base_url\E/reset-password\?token=([0-9a-f]{64})};
ok($token, '... with its link');
($s) = api(POST => '/auth/reset-password', { token => $token, password => 'moonrise over kilimani' });
ok($s == 200 || $s == 204, 'the mailed token resets the password');
($s) = api(POST => '/auth/reset-password', { token => $token, password => 'another new password' });
is($s, 400, '... once');
($s) = api(POST => '/auth/login', { email => $email, password => 'moonrise over kilimani' });
is($s, 200, 'the new password logs in');

is(redis('llen', 'jobscout:queue:mail'), 0, 'no mail left in the queue');
is(psql("SELECT count(*) FROM task_outbox WHERE task::jsonb->'args'->>'to' = '" . lc($email) . "'"),
   0, '... nor in the outbox: sent mails leave it');

stop_nginx();
$sink->stop;
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');
done_testing();
