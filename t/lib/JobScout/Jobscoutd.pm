package JobScout::Jobscoutd;

# jobscoutd for a test: conf/jobscoutd.conf rendered against the test
# PostgreSQL and Redis, with the roles and directives the test wants,
# started in a private prefix; its workers, its log, its stop.
#
#   my $d = JobScout::Jobscoutd->new(dir => $dir,
#       workers => { notifier => 1 },
#       directives => { fcm_service_account => $file, fcm_timeout => '2s' });
#   $d->start;
#   my ($pid) = $d->consumers('jobscout:queue:match');
#   $d->stop;

use strict;
use warnings;

use Time::HiRes qw(sleep);

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
my $binary = ($ENV{TEST_JOBSCOUT_BUILD} || "$root/build") . '/jobscoutd';

sub new {
    my ($class, %o) = @_;
    my $self = bless { %o }, $class;
    mkdir "$self->{dir}/$_" for qw(conf logs);
    $self->write_conf;
    return $self;
}

# the shipped template; "workers" and the given directives replace its own
sub write_conf {
    my ($self) = @_;
    my %d = %{ $self->{directives} || {} };
    open my $in, '<', "$root/conf/jobscoutd.conf" or die $!;
    open my $out, '>', "$self->{dir}/conf/jobscoutd.conf" or die $!;
    while (<$in>) {
        s/\@PG_CONNINFO\@/$ENV{TEST_NGINX_PG}/g;
        s/\@REDIS_ADDR\@/$ENV{TEST_NGINX_REDIS}/g;
        s/\@SMTP_URL\@/$self->{smtp_url} || 'smtp:\/\/127.0.0.1:9'/ge;
        s/\@PUBLIC_BASE_URL\@/$self->{base_url} || 'http:\/\/127.0.0.1:8080'/ge;
        s/\@CV_DIR\@/$self->{cv_dir} || "$self->{dir}\/cv"/ge;
        next if /^workers /;
        next if /^#?(\w+) / && exists $d{$1};
        print $out $_;
    }
    print $out "workers $_ $self->{workers}{$_};\n" for sort keys %{ $self->{workers} };
    print $out "$_ $d{$_};\n" for sort keys %d;
    close $out;
}

sub run { my ($self, @args) = @_; return `$binary -p $self->{dir}/ -c conf/jobscoutd.conf @args 2>&1` }

sub start {
    my ($self) = @_;
    my $out = $self->run;
    die "jobscoutd did not start: $out" if $?;
    for (1 .. 100) {
        last if -s "$self->{dir}/logs/jobscoutd.pid";
        sleep 0.05;
    }
    chomp($self->{master} = `cat $self->{dir}/logs/jobscoutd.pid`);
    return $self->{master};
}

sub alive { my $s = `cat /proc/$_[0]/status 2>/dev/null`; return $s =~ /^State:\s+[^Z]/m }

# pids of the master's workers that consume a queue, as registered in
# Redis (jobscout:consumers: "host:pid" => queue)
sub consumers {
    my ($self, $queue) = @_;
    my ($host, $port) = split /:/, $ENV{TEST_NGINX_REDIS};
    my %c = split /\n/, `redis-cli -h $host -p $port hgetall jobscout:consumers`;
    my @pids;
    for my $id (keys %c) {
        next unless $c{$id} eq $queue;
        my ($pid) = $id =~ /:(\d+)\z/ or next;
        my $ppid = (split ' ', `cat /proc/$pid/stat 2>/dev/null`)[3] // 0;
        push @pids, $pid if $ppid == $self->{master};
    }
    return @pids;
}

sub log_text {
    my ($self) = @_;
    local $/;
    open my $fh, '<', "$self->{dir}/logs/jobscoutd.log" or return '';
    return <$fh>;
}

sub stop {
    my ($self, $signal) = @_;
    return unless $self->{master} && alive($self->{master});
    kill $signal || 'QUIT', $self->{master};
    for (1 .. 300) {
        last unless alive($self->{master});
        sleep 0.05;
    }
    delete $self->{master};
}

sub DESTROY { $_[0]->stop('TERM') }

1;
