package JobScout::Concurrent;

# Many HTTP requests in flight at once against the test nginx, each timed
# from its first byte sent to its last byte received.  Used by the tests
# that prove a worker never waits for PostgreSQL or Redis.

use strict;
use warnings;

use Exporter 'import';
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes qw(time);

use JobScout::TestNginx qw(server_port parse_http_response);

our @EXPORT_OK = qw(send_request collect);

# send_request(PATH [, REQUEST]): opens a connection and sends GET PATH, or
# the whole REQUEST as it is; returns a handle
sub send_request {
    my ($path, $raw) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                     PeerPort => server_port(),
                                     Proto => 'tcp')
        or die "connect: $!";
    my $req = { path => $path, sock => $sock, raw => '', start => time };
    $sock->syswrite($raw // "GET $path HTTP/1.1\r\nHost: localhost\r\n"
                            . "Connection: close\r\n\r\n");
    return $req;
}

# collect(TIMEOUT, REQUESTS...): reads every response to its end; fills in
# status, body and elapsed (seconds) of each request
sub collect {
    my ($timeout, @reqs) = @_;
    my %by_fd = map { fileno($_->{sock}) => $_ } @reqs;
    my $sel = IO::Select->new(map { $_->{sock} } @reqs);
    my $deadline = time + $timeout;

    while ($sel->count && time < $deadline) {
        for my $sock ($sel->can_read($deadline - time)) {
            my $req = $by_fd{fileno $sock};
            my $n = $sock->sysread(my $buf, 65536);
            if ($n) {
                $req->{raw} .= $buf;
                next;
            }
            $req->{elapsed} = time - $req->{start};
            $sel->remove($sock);
            close $sock;
        }
    }

    for my $req (@reqs) {
        my ($status, $headers, $body) = parse_http_response($req->{raw});
        $req->{status} = $status // 0;
        $req->{body} = $body // '';
        $req->{elapsed} //= 'never';
    }
    return @reqs;
}

1;
