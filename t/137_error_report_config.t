# Error tracking's configuration (issue 20 §3): jobscoutd -t refuses a
# DSN it could not send to, a listen address off the loopback, a DSN
# without sentry_listen and the sentry role without a DSN; nginx -t
# refuses a jobscout_error_report that is not "off" nor udp:addr:port;
# without a DSN no sentry role runs and nothing reaches Sentry, whatever
# fails.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use JSON::PP;
use Time::HiRes qw(sleep time);

use JobScout::Api qw(redis);
use JobScout::TestNginx qw(write_config test_config);
use JobScout::FakeSentry;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $dir = tempdir(CLEANUP => 1);
my $sentry = JobScout::FakeSentry->start(dir => $dir);
my $dsn = $sentry->{dsn};

sub check {
    my ($name, $workers, %directives) = @_;
    my $d = JobScout::Jobscoutd->new(dir => $dir, workers => $workers,
                                     directives => \%directives);
    my $out = $d->run('-t');
    return ($? == 0, $out);
}

my ($ok, $out) = check('good', { heartbeat => 1 }, sentry_dsn => $dsn,
                       sentry_listen => '127.0.0.1:9');
ok($ok, 'a DSN and a loopback port: valid') or diag($out);

my @refused = (
    [ 'a DSN of another scheme', { sentry_dsn => 'ftp://ab@h/1',
                                   sentry_listen => '127.0.0.1:9' },
      qr/invalid value "ftp:.*sentry_dsn.*http/ ],
    [ 'a DSN without a project', { sentry_dsn => 'https://ab@h',
                                   sentry_listen => '127.0.0.1:9' },
      qr/sentry_dsn.*no host or no project id/ ],
    [ 'a listen address off the loopback',
      { sentry_dsn => $dsn, sentry_listen => '0.0.0.0:9' },
      qr/sentry_listen.*loopback/ ],
    [ 'a DSN without sentry_listen', { sentry_dsn => $dsn },
      qr/"sentry_dsn" needs a "sentry_listen"/ ],
    [ 'sentry_listen without a DSN', { sentry_listen => '127.0.0.1:9' },
      qr/need a "sentry_dsn"/ ],
);
for my $r (@refused) {
    my ($name, $dirs, $re) = @$r;
    ($ok, $out) = check($name, { heartbeat => 1 }, %$dirs);
    ok(!$ok, "refused: $name");
    like($out, $re, '... saying why');
}
($ok, $out) = check('role', { heartbeat => 1, sentry => 1 });
ok(!$ok, 'refused: "workers sentry" without a DSN');
like($out, qr/need a "sentry_dsn"/, '... saying why');

# --- nginx's directive
for my $c ([ 'udp:127.0.0.1:9514', 0 ], [ 'off', 0 ],
           [ 'tcp:127.0.0.1:9514', qr/expects "off" or "udp:127\.0\.0\.1:port"/ ],
           [ 'udp:127.0.0.1', qr/expects a numeric address and a port/ ],
           [ 'udp:sentry.example.com:9514', qr/expects a numeric address/ ],
           [ "udp:127.0.0.1:9514;\n    jobscout_error_report off",
             qr/is duplicate/ ]) {
    my ($value, $refused) = @$c;
    write_config(http_config => "    jobscout_error_report $value;",
                 config => 'location / { return 204; }');
    my ($status, $text) = test_config();
    if ($refused) {
        isnt($status, 0, "nginx -t refuses jobscout_error_report $value");
        like($text, $refused, '... saying why');
    } else {
        is($status, 0, "nginx -t takes jobscout_error_report $value")
            or diag($text);
    }
}

# --- no DSN: no sentry role, nothing sent
redis('del', 'jobscout:queue:match', 'jobscout:dead');
my $d = JobScout::Jobscoutd->new(dir => $dir,
    workers => { notifier => 1, heartbeat => 1 });
my $master = $d->start;
sleep 1;
unlike($d->log_text, qr/worker=sentry/, 'no DSN: no sentry role');

redis('lpush', 'jobscout:queue:match', encode_json({
    id => 'cd' x 16, kind => 'bogus.kind', args => {}, attempt => 0,
    enqueued_at => int(time * 1000) }));
my ($hb) = $d->log_text =~ /worker=heartbeat worker_pid=(\d+)/;
kill 'KILL', $hb;
for (1 .. 50) {
    last if redis('llen', 'jobscout:dead') >= 1;
    sleep 0.1;
}
is(redis('llen', 'jobscout:dead'), 1, 'a task dead-lettered');
sleep 2;
like($d->log_text, qr/worker exited.*worker=heartbeat/s, 'a worker killed');
is($sentry->stats->{requests}, 0, '... and nothing reached Sentry');

$d->stop;
$sentry->stop;
redis('del', 'jobscout:dead', 'jobscout:queue:match');

done_testing();
