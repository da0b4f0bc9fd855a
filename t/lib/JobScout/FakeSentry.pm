package JobScout::FakeSentry;

# The local fake of Sentry's envelope endpoint (t/fakes/sentry.py), run by
# a test: start and stop, its DSN, the events it accepted.
#
#   my $sentry = JobScout::FakeSentry->start(dir => $dir);
#   ... sentry_dsn $sentry->{dsn};
#   my @events = $sentry->wait_events(1);    # accepted, in order
#   $sentry->config(status => 429, retry_after => 3, count => 1);
#   $sentry->stop;
#   my $port = JobScout::Fake::free_port('udp');   # for sentry_listen
#
# SENTRY_PORT_TEST fixes its port (an ephemeral one otherwise).

use strict;
use warnings;

use parent 'JobScout::Fake';

use Time::HiRes qw(sleep time);

sub start {
    my ($class, %o) = @_;
    my $dir = $o{dir} or die 'dir';
    my $self = bless { dir => $dir, key => 'f00dfeed0123456789abcdef01234567',
                       project => '42' }, $class;
    unlink "$dir/sentry.port";
    $self->spawn('sentry', '--port-file', "$dir/sentry.port",
                 '--key', $self->{key}, '--project', $self->{project},
                 '--port', $o{port} // $ENV{SENTRY_PORT_TEST} // 0);
    my $port = $self->port_file("$dir/sentry.port");
    $self->{port} = $port;
    $self->{url} = "http://127.0.0.1:$port";
    $self->{dsn} = "http://$self->{key}\@127.0.0.1:$port/$self->{project}";
    return $self;
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

1;
