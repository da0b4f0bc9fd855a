package JobScout::Scrape;

# What the scraper suites (t/08x_*.t) share: a Redis client, psql, a
# fixture job board (t/lib/fixture_http.py) and a jobscoutd of their own,
# all under "make test", which provides PostgreSQL and Redis.

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempdir);
use IO::Socket::INET;
use IPC::Open2;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep);

our @EXPORT = qw(redis psql wait_until board_routes board_requests
                 board_url start_board write_conf jobscoutd start_daemon
                 stop_daemon alive log_text task lpush_scrape
                 add_source children match_tasks $dir $root);

our $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
our $dir = tempdir(CLEANUP => 1);
mkdir "$dir/$_" for qw(conf logs board);

my $json = JSON::PP->new->canonical;
my $jobscoutd = ($ENV{TEST_JOBSCOUT_BUILD} || "$root/build") . '/jobscoutd';
my ($rhost, $rport) = split /:/, ($ENV{TEST_NGINX_REDIS} || '');
my ($redis_sock, $board_pid, $master);

sub redis {
    my @args = @_;
    $redis_sock ||= IO::Socket::INET->new(PeerAddr => $rhost, PeerPort => $rport)
        or die "redis: $!";
    my $cmd = '*' . @args . "\r\n";
    $cmd .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $redis_sock $cmd;
    return _reply();
}

sub _reply {
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
    return $rest < 0 ? undef : [map { _reply() } 1 .. $rest] if $type eq '*';
    die "redis: unexpected reply $line";
}

# One value per row, columns joined by '|'; the SQL is the test's own
# (one line).  One psql session for the whole test: spawning one per
# query costs more than the queries.
my ($psql_pid, $psql_in, $psql_out);

sub psql {
    my ($sql) = @_;
    $psql_pid ||= open2($psql_out, $psql_in, 'psql', '-X', '-q', '-t', '-A',
                        '-d', $ENV{TEST_NGINX_PG});
    $sql =~ s/\s*;?\s*\z//;
    print $psql_in "$sql;\n\\echo __psql_done__\n";
    my $out = '';
    while (defined(my $line = <$psql_out>)) {
        last if $line eq "__psql_done__\n";
        $out .= $line;
    }
    $out =~ s/\s+\z//;
    return $out;
}

# the match tasks the scrapers wrote to the task outbox, oldest first (a
# relay, when one runs, copies them to Redis); with clear, deleted
sub match_tasks {
    my ($clear) = @_;
    my $sql = $clear ? "DELETE FROM task_outbox WHERE queue = 'jobscout:queue:match'"
                       . " RETURNING task"
                     : "SELECT task FROM task_outbox WHERE queue = 'jobscout:queue:match'"
                       . " ORDER BY created_at, id";
    return map { decode_json($_) } split /\n/, psql($sql);
}

# by the clock, not by tries: a slow condition must not stretch the wait
sub wait_until {
    my ($secs, $cond) = @_;
    my $end = Time::HiRes::time() + $secs;
    while (Time::HiRes::time() < $end) { return 1 if $cond->(); sleep 0.05; }
    return $cond->();
}

sub start_board {
    $board_pid = fork // die "fork: $!";
    if ($board_pid == 0) {
        { exec '/usr/bin/python3', "$root/t/lib/fixture_http.py", "$dir/board" }
        POSIX::_exit(127);
    }
    wait_until(10, sub { -s "$dir/board/port" }) or die 'fixture board did not start';
    board_routes({});
}

sub board_url {
    open my $fh, '<', "$dir/board/port" or die $!;
    my $port = <$fh>;
    return "http://127.0.0.1:$port";
}

# Replaces the routes: path => spec, "file" (and a POST's "files")
# relative to t/fixtures/.
sub board_routes {
    my ($routes) = @_;
    my %r;
    my $abs = sub { $_[0] =~ m{^/} ? $_[0] : "$root/t/fixtures/$_[0]" };
    for my $p (keys %$routes) {
        my %s = %{ $routes->{$p} };
        $s{file} = $abs->($s{file}) if $s{file};
        $s{files} = { map { $_ => $abs->($s{files}{$_}) } keys %{ $s{files} } }
            if $s{files};
        $r{$p} = \%s;
    }
    open my $fh, '>', "$dir/board/routes.tmp" or die $!;
    print $fh $json->encode(\%r);
    close $fh;
    rename "$dir/board/routes.tmp", "$dir/board/routes.json" or die $!;
}

sub board_requests {
    open my $fh, '<', "$dir/board/requests.log" or return ();
    return map { decode_json($_) } <$fh>;
}

sub write_conf {
    my (%o) = @_;
    open my $in, '<', "$root/conf/jobscoutd.conf" or die $!;
    open my $out, '>', "$dir/conf/jobscoutd.conf" or die $!;
    while (<$in>) {
        s/\@PG_CONNINFO\@/$ENV{TEST_NGINX_PG}/g;
        s/\@REDIS_ADDR\@/$ENV{TEST_NGINX_REDIS}/g;
        s/\@SMTP_URL\@/smtp:\/\/127.0.0.1:9/g;
        s/\@PUBLIC_BASE_URL\@/http:\/\/127.0.0.1:8080/g;
        s/^workers (\w+) \d+;/workers $1 @{[ $o{workers}{$1} \/\/ 0 ]};/;
        next if /^workers \w+ 0;/;
        for my $d (keys %{ $o{set} || {} }) {
            s/^#?$d .*/$d $o{set}{$d};/;
        }
        print $out $_;
    }
    print $out "$_\n" for @{ $o{extra} || [] };
    close $out;
}

sub jobscoutd { return `$jobscoutd -p $dir/ -c conf/jobscoutd.conf @_ 2>&1`; }

sub alive { my $s = `cat /proc/$_[0]/status 2>/dev/null`; return $s =~ /^State:\s+[^Z]/m; }

# The pids of the master's live children consuming queue (registered in
# jobscout:consumers).
sub children {
    my ($queue) = @_;
    my %c = @{ redis('hgetall', 'jobscout:consumers') };
    my @pids;
    for my $id (keys %c) {
        my ($pid) = $id =~ /:(\d+)\z/ or next;
        my $ppid = (split ' ', `cat /proc/$pid/stat 2>/dev/null`)[3] // 0;
        push @pids, $pid if $master && $ppid == $master && $c{$id} eq $queue
                            && alive($pid);
    }
    @pids = sort { $a <=> $b } @pids;
    return @pids;    # in scalar context, the count
}

sub start_daemon {
    unlink "$dir/logs/jobscoutd.pid";
    my $out = jobscoutd();
    die "jobscoutd: $out" if $?;
    wait_until(5, sub { -s "$dir/logs/jobscoutd.pid" }) or die 'no pid file';
    chomp($master = `cat $dir/logs/jobscoutd.pid`);
    return $master;
}

sub stop_daemon {
    return unless $master && alive($master);
    jobscoutd('-s', 'quit');
    wait_until(20, sub { !alive($master) }) or kill 'KILL', $master;
}

sub log_text { local $/; open my $fh, '<', "$dir/logs/jobscoutd.log" or return ''; return <$fh>; }

sub task {
    my ($kind, %args) = @_;
    my $id = join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    return $json->encode({ id => $id, kind => $kind, args => \%args,
                           attempt => 0, enqueued_at => int(time * 1000) });
}

sub lpush_scrape {
    my ($source_id, $queue) = @_;
    redis('lpush', 'jobscout:queue:scrape:' . ($queue || 'normal'),
          task('scrape.source', source_id => $source_id));
}

# A company and a source of it; returns the source id.
sub add_source {
    my (%o) = @_;
    my $slug = $o{slug};
    psql("INSERT INTO companies (name, slug) VALUES ('$o{name}', '$slug')"
         . " ON CONFLICT (slug) DO NOTHING");
    my $config = $json->encode($o{config} || {});
    $config =~ s/'/''/g;
    return psql("INSERT INTO job_sources (company_id, scraper_class, source_url, config"
                . ($o{priority} ? ', priority' : '') . ")"
                . " SELECT id, '$o{class}', '$o{url}', '$config'"
                . ($o{priority} ? ", '$o{priority}'" : '')
                . " FROM companies WHERE slug = '$slug' RETURNING id");
}

END {
    local $?;    # the test's exit status, not the children's
    stop_daemon();
    if ($board_pid) {
        kill 'TERM', $board_pid;
        waitpid $board_pid, 0;
    }
    if ($psql_pid) {
        close $psql_in;
        waitpid $psql_pid, 0;
    }
}

1;
