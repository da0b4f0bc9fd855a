package JobScout::Psql;

# One psql session for a test's SQL: each query costs a round trip, not a
# new process and connection (which take some 100 ms here).
#
#   my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});
#   my $n = $db->query("SELECT count(*) FROM jobs");     # unaligned, trimmed
#
# A failing statement dies with psql's message.

use strict;
use warnings;

use IPC::Open3 qw(open3);
use Symbol qw(gensym);

my $Marker = '--jobscout-psql-done--';

sub new {
    my ($class, $conninfo) = @_;
    my $err = gensym;
    my $pid = open3(my $in, my $out, $err, 'psql', '-X', '-q', '-t', '-A',
                    '-v', 'ON_ERROR_STOP=0', '-d', $conninfo);
    return bless { pid => $pid, in => $in, out => $out, err => $err }, $class;
}

# the output of the SQL (one or more statements), rows joined by newlines
sub query {
    my ($self, $sql) = @_;
    my $in = $self->{in};
    print $in "$sql\n;\n\\echo $Marker\n\\warn $Marker\n";
    $in->flush;
    my ($out, $err) = ('', '');
    my $fh = $self->{out};
    while (defined(my $line = <$fh>)) {
        last if $line eq "$Marker\n";
        $out .= $line;
    }
    $fh = $self->{err};
    while (defined(my $line = <$fh>)) {
        last if $line eq "$Marker\n";
        $err .= $line;
    }
    die "psql: $err" if $err =~ /\bERROR:/;
    $out =~ s/\s+\z//;
    return $out;
}

sub DESTROY {
    my ($self) = @_;
    return unless $self->{pid};
    close $self->{in};
    waitpid $self->{pid}, 0;
    $self->{pid} = undef;
}

1;
