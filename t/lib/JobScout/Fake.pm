package JobScout::Fake;

# What the local fakes of outside services (t/fakes/NAME.py) share, as
# their Perl side's base class: the fake runs as the test's child, its
# output in DIR/NAME.log; its port, when it picks one, is written to a
# port file; its control endpoints (/_fake/...) speak JSON; it stops
# with its object.
#
#   package JobScout::FakeX;
#   use parent 'JobScout::Fake';
#   my $self = bless { dir => $dir, ... }, $class;
#   $self->spawn('x', '--port-file', "$dir/x.port", ...);   # t/fakes/x.py
#   my $port = $self->port_file("$dir/x.port");
#   $self->{url} = "http://127.0.0.1:$port";
#   $self->_call(GET => '/_fake/stats');   # at $self->{control} // {url}
#   my $port = JobScout::Fake::free_port('udp');   # nothing listens there

use strict;
use warnings;

use Cpanel::JSON::XS ();
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP qw(encode_json);
use POSIX ();
use Time::HiRes qw(sleep);

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';

# t/fakes/NAME.py ARGS, a child of the test
sub spawn {
    my ($self, $name, @args) = @_;
    my $dir = $self->{dir} or die 'dir';
    $self->{name} = $name;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>>', "$dir/$name.log";
        open STDERR, '>&', \*STDOUT;
        { no warnings 'exec';
          exec '/usr/bin/python3', "$root/t/fakes/$name.py", @args; }
        POSIX::_exit(127);
    }
    $self->{pid} = $pid;
    return $pid;
}

# what the fake wrote to its log: why it did not start
sub log_text {
    my ($self) = @_;
    open my $fh, '<', "$self->{dir}/$self->{name}.log" or return '';
    local $/;
    return <$fh> // '';
}

# the port the fake writes to FILE once it listens (10 s at most)
sub port_file {
    my ($self, $file) = @_;
    for (1 .. 200) {
        last if -s $file;
        sleep 0.05;
    }
    open my $fh, '<', $file
        or die "the fake $self->{name} did not start: " . $self->log_text;
    chomp(my $port = <$fh>);
    return $port;
}

# a control endpoint: its JSON answer, or die
sub _call {
    my ($self, $method, $path, $body) = @_;
    $self->{http} //= HTTP::Tiny->new(timeout => 10);
    my $r = $self->{http}->request($method, ($self->{control} // $self->{url}) . $path,
        defined $body ? { content => encode_json($body),
                          headers => { 'Content-Type' => 'application/json' } }
                      : {});
    die "fake $self->{name} $path: $r->{status} $r->{content}"
        unless $r->{success};
    # a fake's record may be megabytes (every message of a backlog):
    # JSON::PP takes seconds on it, the XS decoder a few hundred ms
    return Cpanel::JSON::XS::decode_json($r->{content});
}

# A self-signed certificate for 127.0.0.1 and localhost, a day long:
# $key and $cert written (PEM).  Servers of the tests and benches speak
# TLS with it; a client trusts it as its CA file.
sub self_signed {
    my ($key, $cert) = @_;
    system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $key -out $cert"
           . " -days 1 -subj /CN=127.0.0.1"
           . " -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null") == 0
        or die "openssl req failed\n";
}

# a loopback port ('tcp' or 'udp') nothing listens on now: for a service
# to come, or one that refuses
sub free_port {
    my ($proto) = @_;
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', Proto => $proto,
                                  $proto eq 'tcp' ? (Listen => 1) : ())
        or die "$proto socket: $!";
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
