# No answered mail is lost with Redis (issue 16): the API writes a reset
# mail to the task outbox in the statement that makes its token, the
# relay copies it to Redis, and whatever Redis then loses (a restart, a
# restart with its data gone, a FLUSHALL, a relay killed -9 between its
# LPUSH and its commit), each mail reaches the SMTP sink exactly once.
# The relay's lease is 1 s here, so repeats are on the queue too: the
# mailer drops them by Message-ID.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Jobscoutd;
use JobScout::SmtpSink;

plan skip_all => 'run through "make test"'
    unless $ENV{TEST_NGINX_JWT_KEY} && $ENV{STACK_DIR} && $ENV{REDIS_PORT};

my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/$_" for qw(relay mailer);
my $queue = 'jobscout:queue:mail';

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

my $sink = JobScout::SmtpSink->new("$dir/sink");
my $log_start = start_api();

my $relay = JobScout::Jobscoutd->new(dir => "$dir/relay", workers => { relay => 1 },
                                     directives => { relay_lease => '1s' });
my $mailer = JobScout::Jobscoutd->new(dir => "$dir/mailer", workers => { mailer => 1 },
    smtp_url => 'smtp://127.0.0.1:' . $sink->port,
    directives => { mail_backoff => '100ms 300ms' });

# the test Redis of conf/stack.sh, stopped and started again as it was;
# $lose: without its append-only file, as a Redis without persistence
my $rdir = "$ENV{STACK_DIR}/redis";
sub redis_up { system("redis-cli -p $ENV{REDIS_PORT} ping >/dev/null 2>&1") == 0 }
sub redis_restart {
    my ($lose) = @_;
    redis('shutdown');
    wait_until(10, sub { !redis_up() }) or die 'Redis did not stop';
    system('rm', '-rf', "$rdir/appendonlydir") if $lose;
    system('redis-server', '--port', $ENV{REDIS_PORT}, '--bind', '127.0.0.1', '--save', '',
           '--appendonly', 'yes', '--appendfsync', 'everysec', '--daemonize', 'yes',
           '--dir', $rdir, '--pidfile', "$rdir/redis.pid", '--logfile', "$rdir/redis.log") == 0
        or die 'Redis did not start';
    wait_until(10, \&redis_up) or die 'Redis did not answer';
}

# the append-only file as conf/stack.sh configures it (a suite before
# may have restarted Redis without): rewritten from the data at once
redis('config', 'set', 'appendfsync', 'everysec');
redis('config', 'set', 'appendonly', 'yes');
ok(wait_until(20, sub { my $p = join "\n", redis('info', 'persistence');
                        $p =~ /aof_enabled:1/ && $p =~ /aof_rewrite_in_progress:0/
                        && $p =~ /aof_rewrite_scheduled:0/ }),
   'Redis keeps an append-only file');

# leftovers of other suites would be relayed to this sink
psql('DELETE FROM task_outbox');
redis('del', $queue, 'jobscout:delayed');

my $email = "outbox$$\@example.com";
psql("INSERT INTO users (email, hashed_password, full_name, email_verified,"
     . " email_verified_at) VALUES ('$email', '!', 'Otieno Outbox', true, now())");

# five reset mails answered 202, relayed: their Message-IDs
sub five_resets {
    my ($what) = @_;
    my $before = psql('SELECT count(*) FROM task_outbox');
    my @s = map { (api(POST => '/auth/forgot-password', { email => $email }))[0] } 1 .. 5;
    is("@s", '202 202 202 202 202', "$what: five reset mails, 202 each");
    my @ids = split /\n/, psql("SELECT id FROM task_outbox ORDER BY created_at DESC LIMIT 5");
    is(scalar @ids, 5, '... in the outbox');
    ok(wait_until(10, sub {
           psql("SELECT count(*) FROM task_outbox WHERE relayed_at IS NOT NULL") == 5
           && redis('llen', $queue) >= 5 }),
       '... and relayed to Redis') or diag psql('SELECT id, relayed_at, relays FROM task_outbox');
    return @ids;
}

# the mailer started: each of @ids received once, nothing left open
sub delivered_once {
    my ($what, @ids) = @_;
    $mailer->start;
    my %want = map { $_ => 1 } @ids;
    ok(wait_until(20, sub { (grep { $want{ $_->{id} // '' } } $sink->mails) == 5 }),
       "$what: all five mails arrive");
    sleep 2;              # the repeats on the queue, and re-relays if any
    my %n;
    $n{ $_->{id} }++ for grep { $want{ $_->{id} // '' } } $sink->mails;
    is(join(',', map { $n{$_} // 0 } @ids), '1,1,1,1,1', '... each once');
    my $list = join ',', map { "'$_'" } @ids;
    is(psql("SELECT count(*) FROM mail_deliveries WHERE message_id IN ($list)"
            . " AND sent_at IS NOT NULL"), 5, '... recorded sent by Message-ID');
    is(psql("SELECT count(*) FROM task_outbox WHERE id IN ($list)"), 0,
       '... their outbox rows done');
    $mailer->stop;
}

$relay->start;

# 1. Redis restarted with its append-only file: the relayed copies survive
my @ids = five_resets('Redis restarted');
redis_restart(0);
cmp_ok(redis('llen', $queue), '>=', 5, '... the queue survives the restart (appendonly)');
delivered_once('Redis restarted', @ids);

# 2. Redis restarted empty: the marker is gone, the relay relays again
@ids = five_resets('Redis restarted without its data');
redis_restart(1);
ok(wait_until(10, sub { redis('llen', $queue) >= 5 }), '... relayed again at once');
like($relay->log_text, qr/redis lost its data: relaying the open tasks again/,
     '... which the relay logs');
delivered_once('Redis restarted without its data', @ids);

# 3. FLUSHALL, with repeats already queued by the lease
@ids = five_resets('FLUSHALL');
ok(wait_until(10, sub { redis('llen', $queue) > 5 }), '... past its lease, relayed again: repeats');
redis('flushall');
ok(wait_until(10, sub { redis('llen', $queue) >= 5 }), '... after FLUSHALL relayed again');
delivered_once('FLUSHALL', @ids);

# 4. the relay killed -9 after its LPUSHes, before its commit: its
# UPDATE is held by a trigger that sleeps
$relay->stop;
redis('del', $queue);
my @s = map { (api(POST => '/auth/forgot-password', { email => $email }))[0] } 1 .. 5;
is("@s", '202 202 202 202 202', 'kill -9: five reset mails, 202 each');
@ids = split /\n/, psql("SELECT id FROM task_outbox ORDER BY created_at DESC LIMIT 5");
psql("CREATE FUNCTION t056_slow() RETURNS trigger LANGUAGE plpgsql"
     . " AS \$\$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END \$\$");
psql("CREATE TRIGGER t056_slow BEFORE UPDATE ON task_outbox"
     . " FOR EACH STATEMENT EXECUTE FUNCTION t056_slow()");
$relay->start;
ok(wait_until(10, sub { redis('llen', $queue) == 5 }), '... pushed by the relay');
is(psql("SELECT count(*) FROM task_outbox WHERE relayed_at IS NOT NULL"), 0,
   '... not yet marked relayed');
my ($worker) = $relay->consumers('jobscout:queue:outbox');
ok($worker && kill('KILL', $worker), '... when its worker is killed -9');
psql('DROP TRIGGER t056_slow ON task_outbox');
psql('DROP FUNCTION t056_slow()');
ok(wait_until(20, sub { redis('llen', $queue) == 10 }),
   '... the respawned worker relays them again: five repeats on the queue');
delivered_once('relay killed -9', @ids);
my @dropped = $mailer->log_text =~ /mail already sent, repeat dropped/g;
cmp_ok(scalar @dropped, '>=', 5, 'the mailer logs the repeats it dropped');

$relay->stop;
unlike($relay->log_text . $mailer->log_text, qr/AddressSanitizer|runtime error/,
       'no sanitizer report');
done_testing();
