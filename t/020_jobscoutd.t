# jobscoutd: its help; -t names the line at fault; the master starts its
# workers, which keep a heartbeat in Redis; a killed worker is respawned;
# "-s quit" stops everything and removes the pid file.
use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
my $jobscoutd = ($ENV{TEST_JOBSCOUT_BUILD} || "$root/build") . '/jobscoutd';
my ($rhost, $rport) = split /:/, ($ENV{TEST_NGINX_REDIS} || '');
plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $rport;

my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/conf";
mkdir "$dir/logs";

sub write_conf {
    my ($extra) = @_;
    open my $in, '<', "$root/conf/jobscoutd.conf" or die $!;
    open my $out, '>', "$dir/conf/jobscoutd.conf" or die $!;
    while (<$in>) {
        s/\@PG_CONNINFO\@/$ENV{TEST_NGINX_PG}/g;
        s/\@REDIS_ADDR\@/$ENV{TEST_NGINX_REDIS}/g;
        s/\@SMTP_URL\@/smtp:\/\/127.0.0.1:9/g;
        s/\@PUBLIC_BASE_URL\@/http:\/\/127.0.0.1:8080/g;
        print $out $_;
    }
    print $out $extra if $extra;
    close $out;
}

sub jobscoutd { return `$jobscoutd -p $dir/ -c conf/jobscoutd.conf @_ 2>&1`; }

sub heartbeats {
    my @keys = split ' ', `redis-cli -h $rhost -p $rport --scan --pattern 'jobscoutd:heartbeat:*'`;
    my %pids;
    for my $key (@keys) {
        my $v = `redis-cli -h $rhost -p $rport get '$key'`;
        $pids{$1} = 1 if $v =~ /"pid"\s*:\s*(\d+)/;
    }
    return %pids;
}

sub alive { my $s = `cat /proc/$_[0]/status 2>/dev/null`; return $s =~ /^State:\s+[^Z]/m; }

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { return 1 if $cond->(); sleep 0.05; }
    return $cond->();
}

# the help, as nginx's: -h and -? on stdout, 0; an unknown option 1
for my $opt ('-h', "'-?'") {
    my $help = `$jobscoutd $opt 2>/dev/null`;
    is($? >> 8, 0, "$opt: exit 0");
    like($help, qr/^Usage: jobscoutd /m, '... the usage on stdout');
}
my $bad = `$jobscoutd -x 2>&1 >/dev/null`;
is($? >> 8, 1, 'an unknown option: exit 1');
like($bad, qr/invalid option.*^Usage: jobscoutd /ms, '... named, the usage on stderr');

# -t: a bad line is named
write_conf("workers astrologer 2;\n");
my $out = jobscoutd('-t');
isnt($? >> 8, 0, '-t fails on an unknown role');
like($out, qr{jobscoutd\.conf:\d+}, '... naming file and line');
like($out, qr/astrologer/, '... and the role');

write_conf();
$out = jobscoutd('-t');
is($? >> 8, 0, '-t accepts the shipped configuration') or diag $out;

sub psql {
    my $out = `psql -X -q -t -A -d '$ENV{TEST_NGINX_PG}' -c "$_[0]"`;
    chomp $out;
    return $out;
}

# accounts deleted more than 30 days ago, for the heartbeat's purge
my $old = psql("INSERT INTO users (email, hashed_password, deleted_at, is_active)"
               . " VALUES ('gone$$\@example.com', '!', now() - interval '31 days', false)"
               . " RETURNING id");
my $recent = psql("INSERT INTO users (email, hashed_password, deleted_at, is_active)"
                  . " VALUES ('recent$$\@example.com', '!', now() - interval '29 days', false)"
                  . " RETURNING id");

# start: the master daemonizes and its worker beats
`redis-cli -h $rhost -p $rport del \$(redis-cli -h $rhost -p $rport --scan --pattern 'jobscoutd:heartbeat:*') 2>/dev/null`;
$out = jobscoutd();
is($? >> 8, 0, 'jobscoutd starts') or diag $out;
ok(wait_until(5, sub { -s "$dir/logs/jobscoutd.pid" }), 'the pid file is written');
chomp(my $master = `cat $dir/logs/jobscoutd.pid`);
ok(alive($master), 'the master runs');

my %beats;
ok(wait_until(5, sub { %beats = heartbeats(); %beats }), 'a worker heartbeat appears in Redis');
my ($worker) = keys %beats;
my $ppid = (split ' ', `cat /proc/$worker/stat 2>/dev/null`)[3] // 0;
is($ppid, $master, '... from a worker of this master');

ok(wait_until(5, sub { psql("SELECT count(*) FROM users WHERE id = '$old'") eq '0' }),
   'the heartbeat purges an account deleted 31 days ago');
is(psql("SELECT count(*) FROM users WHERE id = '$recent'"), '1',
   '... not one deleted 29 days ago');
like(`cat $dir/logs/jobscoutd.log`, qr/deleted accounts purged.*accounts=1/,
     '... and logs it');

# a killed worker is respawned: a child that was not there before
my %before = map { $_ => 1 } split ' ', `pgrep -P $master`;
kill 'KILL', $worker;
my $respawned;
ok(wait_until(6, sub {
       ($respawned) = grep { !$before{$_} } split ' ', `pgrep -P $master`;
       $respawned;
   }), 'a killed worker is respawned');
ok(wait_until(6, sub { my %b = heartbeats(); $b{$respawned} }), '... and beats');

# -s quit: graceful stop
$out = jobscoutd('-s', 'quit');
is($? >> 8, 0, '-s quit signals the master') or diag $out;
ok(wait_until(10, sub { !alive($master) }), 'the master exits');
ok(!alive($respawned), 'its worker is gone too');
ok(!-e "$dir/logs/jobscoutd.pid", 'the pid file is removed');
my %left = heartbeats();
ok(!$left{$respawned}, 'a clean exit removes the heartbeat');

unlike(`cat $dir/logs/jobscoutd.log`, qr/AddressSanitizer|runtime error/,
       'no sanitizer report');

done_testing();
