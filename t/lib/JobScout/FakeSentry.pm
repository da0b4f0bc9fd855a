package JobScout::FakeSentry;

# The local fake of Sentry's envelope endpoint (t/fakes/sentry.py), run by
# a test: start and stop, its DSN, the events it accepted.
#
#   my $sentry = JobScout::FakeSentry->start(dir => $dir);
#   ... sentry_dsn $sentry->{dsn};
#   my @events = $sentry->wait_events(1);    # accepted, in order
#   $sentry->config(status => 429, retry_after => 3, count => 1);
#   $sentry->stop;
#   my $port = JobScout::FakeSentry::free_udp_port();   # for sentry_listen
#
# SENTRY_PORT_TEST fixes its port (an ephemeral one otherwise).

use strict;
use warnings;

use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep time);

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';

sub start {
    my ($class, %o) = @_;
    my $dir = $o{dir} or die 'dir';
    my $self = bless { dir => $dir, key => 'f00dfeed0123456789abcdef01234567',
                       project => '42',
                       http => HTTP::Tiny->new(timeout => 10) }, $class;
    unlink "$dir/sentry.port";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', "$dir/sentry.log";
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec';
          exec '/usr/bin/python3', "$root/t/fakes/sentry.py",
              '--port-file', "$dir/sentry.port", '--key', $self->{key},
              '--project', $self->{project},
              '--port', $o{port} // $ENV{SENTRY_PORT_TEST} // 0; }
        POSIX::_exit(127);
    }
    $self->{pid} = $pid;
    for (1 .. 200) {
        last if -s "$dir/sentry.port";
        sleep 0.05;
    }
    open my $fh, '<', "$dir/sentry.port"
        or die "the fake Sentry did not start: " . `cat $dir/sentry.log`;
    chomp(my $port = <$fh>);
    $self->{port} = $port;
    $self->{url} = "http://127.0.0.1:$port";
    $self->{dsn} = "http://$self->{key}\@127.0.0.1:$port/$self->{project}";
    return $self;
}

sub _call {
    my ($self, $method, $path, $body) = @_;
    my $r = $self->{http}->request($method, "$self->{url}$path",
        defined $body ? { content => encode_json($body) } : {});
    die "fake Sentry $path: $r->{status} $r->{content}" unless $r->{success};
    return decode_json($r->{content});
}

sub events { @{ $_[0]->_call(GET => '/_fake/events') } }

sub stats { $_[0]->_call(GET => '/_fake/stats') }

sub config { my ($self, %c) = @_; $self->_call(POST => '/_fake/config', \%c) }

sub reset { $_[0]->_call(POST => '/_fake/reset', {}) }

# the accepted events once there are at least n (or all after timeout s)
sub wait_events {
    my ($self, $n, $timeout) = @_;
    my $end = time + ($timeout // 20);
    my @e;
    while (1) {
        @e = $self->events;
        last if @e >= $n || time > $end;
        sleep 0.1;
    }
    return @e;
}

# a loopback UDP port free now: where the sentry role is to listen
sub free_udp_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', Proto => 'udp')
        or die "udp socket: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

1;
