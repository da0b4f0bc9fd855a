# jobscoutd's mailer: a mail task LPUSHed on jobscout:queue:mail (the
# format of workers/lib/jobscout_task.h) arrives at an SMTP server with
# the right envelope, To, Subject and link; a task with a header
# injection goes to the dead letters unsent; the tasks of a consumer
# whose heartbeat expired are reaped and sent; QUIT lets the mail in
# flight finish; with the SMTP server down a task is retried through the
# delayed set and lands in the dead letters after mail_max_attempts,
# and nothing is left in a queue, processing list or the delayed set.
#
# The SMTP sink is a child of this test: it saves each message, with its
# envelope in front, as a file.
use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;
use MIME::QuotedPrint qw(decode_qp);
use POSIX ();
use Time::HiRes qw(sleep);

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
my $jobscoutd = ($ENV{TEST_JOBSCOUT_BUILD} || "$root/build") . '/jobscoutd';
my ($rhost, $rport) = split /:/, ($ENV{TEST_NGINX_REDIS} || '');
plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $rport;

my $base_url = 'http://127.0.0.1:8080';
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/$_" for qw(conf logs mail);

my $json = JSON::PP->new->canonical;

# --- a minimal Redis client: payloads go as they are, no shell quoting

my $redis_sock;

sub redis {
    my @args = @_;
    $redis_sock ||= IO::Socket::INET->new(PeerAddr => $rhost, PeerPort => $rport)
        or die "redis: $!";
    my $cmd = '*' . @args . "\r\n";
    $cmd .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $redis_sock $cmd;
    return redis_reply();
}

sub redis_reply {
    my $line = <$redis_sock> // die 'redis: connection closed';
    $line =~ s/\r\n\z//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $type eq '+' || $type eq ':';
    die "redis: $rest" if $type eq '-';
    if ($type eq '$') {
        return undef if $rest < 0;
        my $buf = '';
        read($redis_sock, $buf, $rest + 2) == $rest + 2 or die 'redis: short read';
        return substr($buf, 0, $rest);
    }
    return $rest < 0 ? undef : [map { redis_reply() } 1 .. $rest] if $type eq '*';
    die "redis: unexpected reply $line";
}

sub task {
    my ($kind, %args) = @_;
    my $id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    return ($id, $json->encode({ id => $id, kind => $kind, args => \%args,
                                 attempt => 0, enqueued_at => int(time * 1000) }));
}

sub token { return join '', map { sprintf '%02x', int rand 256 } 1 .. 32 }

sub processing_left {
    my $keys = redis('keys', 'jobscout:processing:*');
    return join ',', map { "$_=" . redis('llen', $_) } @$keys;
}

# --- the SMTP sink

sub sink_serve {
    my ($srv) = @_;
    my $n = 0;
    while (my $c = $srv->accept) {
        $c->autoflush(1);
        print $c "220 sink ESMTP\r\n";
        my ($from, @rcpt) = ('');
        while (defined(my $line = <$c>)) {
            $line =~ s/\r?\n\z//;
            if ($line =~ /^EHLO\b/i) {
                print $c "250-sink\r\n250 8BITMIME\r\n";
            } elsif ($line =~ /^HELO\b/i) {
                print $c "250 sink\r\n";
            } elsif ($line =~ /^MAIL FROM:\s*(\S*)/i) {
                ($from, @rcpt) = ($1);
                print $c "250 ok\r\n";
            } elsif ($line =~ /^RCPT TO:\s*(\S*)/i) {
                push @rcpt, $1;
                print $c "250 ok\r\n";
            } elsif ($line =~ /^DATA\b/i) {
                open my $mark, '>', "$dir/mail/receiving"; close $mark;
                print $c "354 end with <CRLF>.<CRLF>\r\n";
                my $data = '';
                while (defined(my $l = <$c>)) {
                    last if $l eq ".\r\n";
                    $l =~ s/^\.//;
                    $data .= $l;
                }
                # a slow server, for the graceful stop
                sleep 2 if $data =~ /SLOWPOKE/;
                $n++;
                open my $fh, '>', "$dir/mail/.tmp" or die $!;
                print $fh "X-Envelope-From: $from\r\nX-Envelope-To: @rcpt\r\n$data";
                close $fh;
                rename "$dir/mail/.tmp", "$dir/mail/$n.eml" or die $!;
                print $c "250 ok: queued as $n\r\n";
            } elsif ($line =~ /^QUIT\b/i) {
                print $c "221 bye\r\n";
                last;
            } else {
                print $c "250 ok\r\n";
            }
        }
        close $c;
    }
}

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                Listen => 5, ReuseAddr => 1) or die "listen: $!";
my $smtp_port = $srv->sockport;
my $sink = fork // die "fork: $!";
if ($sink == 0) {
    undef $redis_sock;
    sink_serve($srv);
    POSIX::_exit(0);
}
close $srv;

# a port nobody listens on: "the SMTP server is down"
my $tmp = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
    or die "listen: $!";
my $down_port = $tmp->sockport;
close $tmp;

sub mails {
    opendir my $d, "$dir/mail" or die $!;
    my @m = sort { $a <=> $b } map { /^(\d+)\.eml$/ ? $1 : () } readdir $d;
    return map {
        local $/;
        open my $fh, '<', "$dir/mail/$_.eml" or die $!;
        scalar <$fh>;
    } @m;
}

# the decoded message (line ends become \n) whose Message-ID is the task id
sub mail_of {
    my ($id) = @_;
    for my $m (mails()) {
        next unless $m =~ /^Message-ID: <\Q$id\E@/m;
        my ($head, $body) = split /\r\n\r\n/, $m, 2;
        return { raw => $m, head => $head, body => decode_qp($body) };
    }
    return undef;
}

# --- jobscoutd

sub write_conf {
    my (%o) = @_;
    open my $in, '<', "$root/conf/jobscoutd.conf" or die $!;
    open my $out, '>', "$dir/conf/jobscoutd.conf" or die $!;
    while (<$in>) {
        s/\@PG_CONNINFO\@/$ENV{TEST_NGINX_PG}/g;
        s/\@REDIS_ADDR\@/$ENV{TEST_NGINX_REDIS}/g;
        s/\@SMTP_URL\@/smtp:\/\/127.0.0.1:$o{smtp_port}/g;
        s/\@PUBLIC_BASE_URL\@/$base_url/g;
        s/^mail_max_attempts .*/mail_max_attempts $o{attempts};/;
        s/^mail_backoff .*/mail_backoff 100ms 300ms;/;
        s/^smtp_timeout .*/smtp_timeout 5s;/;
        print $out $_;
    }
    close $out;
}

sub jobscoutd { return `$jobscoutd -p $dir/ -c conf/jobscoutd.conf @_ 2>&1`; }

sub alive { my $s = `cat /proc/$_[0]/status 2>/dev/null`; return $s =~ /^State:\s+[^Z]/m; }

sub wait_until {
    my ($secs, $cond) = @_;
    for (1 .. $secs * 20) { return 1 if $cond->(); sleep 0.05; }
    return $cond->();
}

sub log_text { local $/; open my $fh, '<', "$dir/logs/jobscoutd.log" or return ''; return <$fh>; }

my $master;

# the mailer's consumer id ("host:pid"), once it has registered
sub mailer_consumer {
    my %c = @{ redis('hgetall', 'jobscout:consumers') };
    for my $id (keys %c) {
        my ($pid) = $id =~ /:(\d+)\z/ or next;
        my $ppid = (split ' ', `cat /proc/$pid/stat 2>/dev/null`)[3] // 0;
        return $id if $ppid == $master && $c{$id} eq 'jobscout:queue:mail';
    }
    return undef;
}

sub start {
    my $out = jobscoutd();
    is($? >> 8, 0, 'jobscoutd starts') or diag $out;
    ok(wait_until(5, sub { -s "$dir/logs/jobscoutd.pid" }), '... and writes its pid file');
    chomp($master = `cat $dir/logs/jobscoutd.pid`);
    my $consumer;
    ok(wait_until(5, sub { $consumer = mailer_consumer() }),
       '... its mailer registers as a consumer of jobscout:queue:mail');
    return $consumer;
}

sub stop {
    my $out = jobscoutd('-s', 'quit');
    is($? >> 8, 0, '-s quit') or diag $out;
    ok(wait_until(15, sub { !alive($master) }), '... the master exits');
}

redis('del', 'jobscout:queue:mail', 'jobscout:delayed', 'jobscout:dead', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });

write_conf(smtp_port => $smtp_port, attempts => 3);
my $out = jobscoutd('-t');
is($? >> 8, 0, '-t accepts the mailer configuration') or diag $out;

my $consumer = start();
my $hb = redis('get', "jobscoutd:heartbeat:$consumer");
like($hb // '', qr/"role":"mailer"/, "the mailer keeps a heartbeat under jobscoutd:heartbeat:$consumer");
cmp_ok(redis('ttl', "jobscoutd:heartbeat:$consumer"), '>', 0, '... with a TTL');

# 1. a verification mail and a reset mail
my $tok = token();
my ($vid, $verify) = task('mail.verify_email', to => "akinyi$$\@example.co.ke",
                          name => 'Akinyi Otieno', token => $tok);
my $tok2 = token();
my ($rid, $reset) = task('mail.reset_password', to => "baraka$$\@example.com",
                         name => 'Baraka Mwangi', token => $tok2);
redis('lpush', 'jobscout:queue:mail', $verify);
redis('lpush', 'jobscout:queue:mail', $reset);

my ($m, $r);
ok(wait_until(10, sub { $m = mail_of($vid) }), 'the verification mail arrives');
like($m->{head}, qr/^X-Envelope-From: <no-reply\@jobscout\.dev>\r$/m, '... envelope sender from smtp_from');
like($m->{head}, qr/^X-Envelope-To: <akinyi$$\@example\.co\.ke>\r$/m, '... envelope recipient');
like($m->{head}, qr/^To: "Akinyi Otieno" <akinyi$$\@example\.co\.ke>\r$/m, '... To:');
like($m->{head}, qr/^From: Job Scout <no-reply\@jobscout\.dev>\r$/m, '... From:');
like($m->{head}, qr/^Subject: Confirm your e-mail address for Job Scout\r$/m, '... Subject:');
like($m->{head}, qr{^Content-Type: multipart/alternative;}m, '... multipart/alternative');
like($m->{body}, qr{Content-Type: text/plain.*Content-Type: text/html}s, '... text, then HTML');
like($m->{body}, qr{\Q$base_url/verify-email?token=$tok\E\r?\n}, '... the link in the text');
like($m->{body}, qr{<a href="\Q$base_url/verify-email?token=$tok\E">}, '... and in the HTML');

ok(wait_until(10, sub { $r = mail_of($rid) }), 'the reset mail arrives');
like($r->{head}, qr/^Subject: Reset your Job Scout password\r$/m, '... Subject:');
like($r->{body}, qr{\Q$base_url/reset-password?token=$tok2\E}, '... the reset link');

# a notice of failed sign-ins: no token (null, as the API's outbox row
# has it, or absent, as an older nginx queued it), a link to choose a new
# password
for my $token ([token => undef], []) {
    my ($lid, $throttled) = task('mail.login_throttled', to => "chebet$$\@example.com",
                                 name => 'Chebet Koech', @$token);
    redis('lpush', 'jobscout:queue:mail', $throttled);
    my $l;
    my $how = @$token ? 'null' : 'absent';
    ok(wait_until(10, sub { $l = mail_of($lid) }),
       "the failed sign-ins mail arrives, its token $how");
    like($l->{head}, qr/^Subject: Failed sign-ins to your Job Scout account\r$/m,
         '... Subject:');
    like($l->{body}, qr{\Q$base_url/forgot-password\E\r?\n},
         '... the link to choose a new password');
}

ok(wait_until(5, sub { redis('llen', "jobscout:processing:$consumer") == 0 }),
   'all are acked: the processing list is empty');
is(redis('llen', 'jobscout:queue:mail'), 0, '... and the queue too');

# 2. a header injection is dead-lettered, never sent
my ($eid, $evil) = task('mail.verify_email', to => "eve$$\@example.com\r\nBcc: all\@example.com",
                        name => 'Eve', token => token());
my ($nid, $evil_name) = task('mail.reset_password', to => "eve$$\@example.com",
                             name => "Eve\r\nBcc: all\@example.com", token => token());
my $before = () = mails();
redis('lpush', 'jobscout:queue:mail', $evil, $evil_name);
ok(wait_until(10, sub { redis('llen', 'jobscout:dead') == 2 }),
   'tasks with CR/LF in the address or the name go to the dead letters');
my @dead = map { $json->decode($_) } @{ redis('lrange', 'jobscout:dead', 0, -1) };
my ($d) = grep { $_->{id} eq $eid } @dead;
like($d->{error} // '', qr/address/, '... with the reason') or diag explain \@dead;
is($d->{attempt}, 1, '... after one attempt: no retry can fix them');
is($d->{queue}, 'jobscout:queue:mail', '... naming their queue');
ok($d->{failed_at}, '... and when');
is(scalar(() = mails()), $before, '... and nothing was sent');
redis('del', 'jobscout:dead');

# 3. the tasks of a consumer whose heartbeat expired are reaped
my $ghost = "ghost-$$:4242";
my ($gid, $gtask) = task('mail.verify_email', to => "ghost$$\@example.com", name => 'G', token => token());
redis('hset', 'jobscout:consumers', $ghost, 'jobscout:queue:mail');
redis('lpush', "jobscout:processing:$ghost", $gtask);
ok(wait_until(15, sub { mail_of($gid) }), 'a dead consumer\'s unacked task is requeued and sent');
ok(wait_until(5, sub { !redis('exists', "jobscout:processing:$ghost") }), '... its processing list is gone');
ok(!defined redis('hget', 'jobscout:consumers', $ghost), '... and so is its registration');
like(log_text(), qr/tasks of a dead consumer requeued.*\Q$ghost\E/, '... which the log says');

# 4. QUIT lets the mail in flight finish
unlink "$dir/mail/receiving";
my ($sid, $slow) = task('mail.verify_email', to => "slow$$\@example.com", name => 'SLOWPOKE', token => token());
redis('lpush', 'jobscout:queue:mail', $slow);
ok(wait_until(10, sub { -e "$dir/mail/receiving" }), 'a slow mail is being sent');
stop();
ok(mail_of($sid), 'QUIT: the mail in flight was delivered first');
is(redis('llen', "jobscout:processing:$consumer"), 0, '... and acked');
is(redis('llen', 'jobscout:queue:mail'), 0, '... not requeued');
ok(!defined redis('hget', 'jobscout:consumers', $consumer), 'a clean exit unregisters the consumer');
ok(!redis('exists', "jobscoutd:heartbeat:$consumer"), '... and removes its heartbeat');

# 5. the SMTP server is down: retries through the delayed set, then the dead letters
write_conf(smtp_port => $down_port, attempts => 3);
$consumer = start();
my ($fid, $fail) = task('mail.verify_email', to => "down$$\@example.com", name => 'Down', token => token());
redis('lpush', 'jobscout:queue:mail', $fail);
my $seen_delayed = 0;
ok(wait_until(20, sub {
       $seen_delayed ||= redis('zcard', 'jobscout:delayed');
       redis('llen', 'jobscout:dead') == 1;
   }), 'with SMTP down the task lands in the dead letters');
ok($seen_delayed, '... after waiting in the delayed set');
my $dl = $json->decode(redis('lindex', 'jobscout:dead', 0));
is($dl->{id}, $fid, '... the same task');
is($dl->{attempt}, 3, '... after mail_max_attempts (3) attempts');
like($dl->{error}, qr/smtp: .*(connect|refused)/i, '... with the last SMTP error');
is_deeply($dl->{args}, $json->decode($fail)->{args}, '... and its args intact');
my @retries = log_text() =~ /"task failed, will retry" id=$fid /g;
is(scalar @retries, 2, 'two retries were logged before it died');
is(redis('zcard', 'jobscout:delayed'), 0, 'nothing is left in the delayed set');
is(redis('llen', 'jobscout:queue:mail'), 0, '... nor in the queue');
is(processing_left(), '', '... nor in a processing list (Redis drops empty lists)');
stop();
is(processing_left(), '', 'no processing list is left after the stop');

unlike(log_text(), qr/AddressSanitizer|runtime error/, 'no sanitizer report');

redis('del', 'jobscout:dead');
kill 'TERM', $sink;
waitpid $sink, 0;

done_testing();
