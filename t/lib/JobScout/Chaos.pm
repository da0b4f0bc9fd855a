package JobScout::Chaos;

# What t/chaos/run.pl (make chaos) needs besides the stack: HTTP requests
# from any loopback address (the API's rate limits are per address, and
# a load from one address would meet little but 429), the load
# generator's processes, and the sinks' records (mails per Message-ID,
# pushes per device and job).
#
#   my ($status, $data) = request($port, POST => '/api/v1/auth/login',
#                                 { email => ..., password => ... },
#                                 token => $t, from => '127.3.4.5');
#   my $pid = start_load(port => $port, dir => $dir, id => 1, ...);
#   my @mails = maildir_mails("$stack/mail/Maildir");   # {to, id}
#   my @pushes = spooled_pushes("$stack/push/new");     # {token, job_id}

use strict;
use warnings;

use Exporter 'import';
use IO::Select;
use IO::Socket::INET;
use JSON::PP qw(decode_json encode_json);
use POSIX ();
use Time::HiRes qw(time sleep);

use JobScout::TestNginx qw(parse_http_response);

our @EXPORT = qw(request random_address start_load maildir_mails
                 spooled_pushes redis_connect redis_llen);

# an address of 127.0.0.0/8 other than 127.0.0.1, each as likely
sub random_address {
    return join '.', 127, 1 + int rand 254, int rand 256, 1 + int rand 254;
}

# One request on its own connection; status 'err' when no complete
# answer came (refused, reset, timed out)
sub request {
    my ($port, $method, $path, $body, %o) = @_;
    my $json = defined $body ? encode_json($body) : '';
    my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            . ($o{token} ? "Authorization: Bearer $o{token}\r\n" : '')
            . (defined $body ? "Content-Type: application/json\r\n"
                               . 'Content-Length: ' . length($json) . "\r\n"
                             : '')
            . "\r\n$json";
    my $timeout = $o{timeout} || 15;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     LocalAddr => $o{from} || random_address(),
                                     Proto => 'tcp', Timeout => $timeout)
        or return ('err');
    my $off = 0;
    while ($off < length $req) {
        my $n = syswrite $sock, $req, length($req) - $off, $off;
        return ('err') unless $n;
        $off += $n;
    }
    my $sel = IO::Select->new($sock);
    my ($raw, $end) = ('', time + $timeout);
    while (1) {
        my $left = $end - time;
        return ('err') if $left <= 0 || !$sel->can_read($left);
        my $n = sysread $sock, my $buf, 65536;
        return ('err') unless defined $n;
        $raw .= $buf;
        my ($status, $h, $content, $complete) = parse_http_response($raw);
        if ($complete || ($n == 0 && defined $status
                          && !defined $h->{'content-length'})) {
            my $data = eval { decode_json($content) };
            return ($status, $data);
        }
        return ('err') if $n == 0;
    }
}

# A client of the load, forked: sessions of "load-N" users, each a login,
# authenticated reads, an application (the tracker's alert) and a
# forgot-password (a mail through the outbox) for a recipient of the
# current phase ("m-PHASE-K"), then a logout; every answer logged as
# "time phase operation status [recipient]" in DIR/load.ID.  The phase
# is DIR/phase; DIR/stop ends it.
sub start_load {
    my (%o) = @_;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    srand($$ ^ time);
    open my $log, '>>', "$o{dir}/load.$o{id}" or die $!;
    $log->autoflush(1);
    my $phase = sub {
        open my $fh, '<', "$o{dir}/phase" or return 'none';
        chomp(my $p = <$fh> // 'none');
        return $p;
    };
    my $call = sub {
        my ($op, $method, $path, $body, %r) = @_;
        my $p = $phase->();
        my ($status, $data) = request($o{port}, $method, $path, $body, %r);
        print $log join(' ', sprintf('%.3f', time), $p, $op, $status,
                        $r{to} // ()), "\n";
        return ($status, $data);
    };
    until (-e "$o{dir}/stop") {
        my $from = random_address();
        my $user = 'load-' . (1 + int rand $o{users}) . '@chaos.test';
        my ($s, $d) = $call->(login => POST => '/api/v1/auth/login',
                              { email => $user, password => $o{password} },
                              from => $from);
        my $token = $s eq '200' && $d ? $d->{access_token} : undef;
        # a stack answering 503 is not hammered
        sleep 0.1 unless $token;
        if ($token) {
            for (1 .. 3) {
                $call->(me => GET => '/api/v1/users/me', undef, token => $token,
                        from => $from);
                $call->(jobs => GET => '/api/v1/jobs?limit=5', undef,
                        token => $token, from => $from);
                $call->(alerts => GET => '/api/v1/alerts?limit=5', undef,
                        token => $token, from => $from);
            }
            $call->(application => POST => '/api/v1/applications',
                    { title => 'Chaos Engineer', company => 'Chaos Ltd' },
                    token => $token, from => $from);
        }
        my $p = $phase->();
        my $to = "m-$p-" . (1 + int rand $o{recipients}) . '@chaos.test';
        $call->(forgot => POST => '/api/v1/auth/forgot-password', { email => $to },
                from => $from, to => $to);
        $call->(logout => POST => '/api/v1/auth/logout', undef, token => $token,
                from => $from) if $token;
        sleep $o{pause} if $o{pause};
    }
    POSIX::_exit(0);
}

# a Redis connection of its own, for polls a few ms apart
sub redis_connect {
    my ($port) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     Proto => 'tcp', Timeout => 5)
        or die "redis on $port: $!";
    return $sock;
}

# the length of a list, on that connection
sub redis_llen {
    my ($sock, $key) = @_;
    print $sock "*2\r\n\$4\r\nLLEN\r\n\$" . length($key) . "\r\n$key\r\n";
    my $reply = <$sock> // die 'redis: connection closed';
    $reply =~ /^:(\d+)\r\n\z/ or die "redis: $reply";
    return $1;
}

# every mail of a Maildir: its recipient and Message-ID
sub maildir_mails {
    my ($maildir) = @_;
    my @m;
    for my $f (glob "$maildir/new/*") {
        open my $fh, '<', $f or next;
        my $head = '';
        while (my $line = <$fh>) {
            last if $line =~ /^\r?$/;
            $head .= $line;
        }
        my ($to) = $head =~ /^To:.*?<?([^\s<>]+@[^\s<>]+)>?\s*$/mi;
        my ($id) = $head =~ /^Message-ID:\s*<([^>]+)>/mi;
        push @m, { to => lc($to // ''), id => $id // '' };
    }
    return @m;
}

# every push the FCM stand-in accepted: device token and job id
sub spooled_pushes {
    my ($spool) = @_;
    my @p;
    for my $f (glob "$spool/*.json") {
        open my $fh, '<', $f or next;
        my $m = eval { decode_json(do { local $/; <$fh> }) } or next;
        push @p, { token => $m->{token},
                   job_id => $m->{message}{data}{job_id} // '' };
    }
    return @p;
}

1;
