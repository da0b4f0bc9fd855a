package JobScout::SmtpSink;

# An SMTP server for the suites that follow a mail to its end: Debian's
# aiosmtpd, saving every message it takes to a Maildir.
#
#   my $sink = JobScout::SmtpSink->new($dir);     # listening on return
#   ... smtp_url => 'smtp://127.0.0.1:' . $sink->port
#   my @m = $sink->mails('someone@');             # {id, subject, head, body}
#   $sink->stop;

use strict;
use warnings;

use IO::Socket::INET;
use MIME::QuotedPrint qw(decode_qp);
use Time::HiRes qw(sleep);

sub new {
    my ($class, $dir) = @_;
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1)
        or die "no free port: $!";
    my $self = bless { dir => $dir, port => $s->sockport }, $class;
    close $s;
    mkdir $dir;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', "$dir/sink.log";
        open STDERR, '>&', \*STDOUT;
        exec '/usr/bin/python3', '-m', 'aiosmtpd', '-n', '-l', "127.0.0.1:$self->{port}",
            '-c', 'aiosmtpd.handlers.Mailbox', "$dir/Maildir";
        exit 127;
    }
    $self->{pid} = $pid;
    for (1 .. 200) {
        last if IO::Socket::INET->new(PeerAddr => "127.0.0.1:$self->{port}");
        sleep 0.05;
    }
    return $self;
}

sub port { $_[0]{port} }

# every message received to an address (all when none is given), decoded
sub mails {
    my ($self, $to) = @_;
    my @m;
    for my $f (sort glob "$self->{dir}/Maildir/new/*") {
        open my $fh, '<', $f or next;
        local $/;
        my ($head, $body) = split /\r?\n\r?\n/, <$fh>, 2;
        next if defined $to && $head !~ /^To:.*\Q$to\E/mi;
        my ($subject) = $head =~ /^Subject: (.*?)\r?$/m;
        my ($id) = $head =~ /^Message-ID: <([^@>]+)/mi;
        push @m, { id => $id, subject => $subject, head => $head,
                   body => decode_qp($body) };
    }
    return @m;
}

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    local $?;                       # the test's exit status, at its end
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
    delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

1;
