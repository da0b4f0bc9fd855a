package JobScout::FakeS3;

# The local fake of an S3-compatible store (t/fakes/s3.py), which checks
# every request's AWS Signature V4 with botocore.
#
#   my $s3 = JobScout::FakeS3->start(dir => $dir, port => 2061);
#   ... $s3->{url}, $s3->{bucket}, $s3->{region}, $s3->{access_key},
#       $s3->{secret_key}, $s3->{secret_file}
#   my @requests = $s3->log;     # {method, path, auth, ok}
#   -f $s3->object($key)
#   $s3->stop;

use strict;
use warnings;

use parent 'JobScout::Fake';

use HTTP::Tiny;
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep);

sub start {
    my ($class, %o) = @_;
    my $self = bless { dir => $o{dir}, port => $o{port}, bucket => 'cvs',
                       region => 'eu-test-1', access_key => 'AKIAJOBSCOUTTEST',
                       secret_key => 'fake/Secret+Key' . int(rand 1e9) }, $class;
    $self->{url} = "http://127.0.0.1:$o{port}";
    mkdir "$o{dir}/objects";
    $self->{secret_file} = "$o{dir}/s3.secret";
    open my $fh, '>', $self->{secret_file} or die $!;
    print $fh "$self->{secret_key}\n";
    close $fh;
    $self->spawn('s3', '--port', $o{port}, '--dir', "$o{dir}/objects",
                 '--bucket', $self->{bucket},
                 '--access-key', $self->{access_key},
                 '--secret-key', $self->{secret_key},
                 '--region', $self->{region});
    for (1 .. 100) {
        my $r = HTTP::Tiny->new(timeout => 1)->get("$self->{url}/_fake/log");
        return $self if $r->{status} == 200;
        sleep 0.05;
    }
    die 'the fake S3 did not start: ' . $self->log_text;
}

sub log {
    my ($self) = @_;
    my $r = HTTP::Tiny->new(timeout => 5)->get("$self->{url}/_fake/log");
    return map { decode_json($_) } split /\n/, $r->{content};
}

sub object { "$_[0]{dir}/objects/$_[1]" }

1;
