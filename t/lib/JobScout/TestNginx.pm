package JobScout::TestNginx;

# Server control for the Job Scout test suites: writes an nginx.conf into a
# private server root, starts/stops nginx there, reads the error log
# incrementally and performs simple blocking HTTP requests.
#
# Used by t/fallback/Test/Nginx/Socket.pm (our Test::Nginx::Socket fallback)
# and directly by hand-written tests that need concurrency:
#
#   use lib 't/lib';
#   use JobScout::TestNginx;
#   write_config(config => 'location /t { return 200 "ok"; }');
#   my ($ok, $err) = start_nginx();
#   my ($status, $headers, $body) = http_request("GET /t");
#   stop_nginx();
#
# Environment:
#   TEST_NGINX_BINARY        nginx executable (default /usr/sbin/nginx)
#   TEST_NGINX_PORT          listen port on 127.0.0.1 (default 1984;
#                            TEST_NGINX_SERVER_PORT is accepted as well)
#   TEST_NGINX_SERVROOT      server root (default t/servroot, made absolute)
#   TEST_NGINX_LOAD_MODULES  space-separated .so paths -> load_module lines
#   TEST_NGINX_WORKERS       worker_processes (default 1)
#   TEST_NGINX_PRELOAD       LD_PRELOAD for nginx (sanitizer runtimes)
#   TEST_NGINX_LOG_LEVEL     error_log level (default debug when nginx was
#                            built --with-debug, info otherwise)

use strict;
use warnings;

use Exporter 'import';
use Carp qw(croak);
use Cwd ();
use File::Spec ();
use File::Path qw(make_path remove_tree);
use File::Temp ();
use File::Copy ();
use IO::Select ();
use IO::Socket::INET ();
use POSIX qw(:sys_wait_h SIGQUIT SIGTERM SIGKILL);
use Time::HiRes qw(sleep time);
use JobScout::Subreaper ();

our @EXPORT = qw(
    write_config write_shipped_config start_nginx stop_nginx test_config
    error_log_since error_log_size http_request
);
our @EXPORT_OK = qw(
    servroot html_dir conf_file error_log_file access_log_file pid_file
    server_port nginx_binary nginx_pid nginx_version nginx_has_debug
    clean_servroot expand_env send_raw parse_http_response
    is_alive last_start_error
);
our %EXPORT_TAGS = (all => [ @EXPORT, @EXPORT_OK ]);

our $Binary = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
our $Port = $ENV{TEST_NGINX_PORT} || $ENV{TEST_NGINX_SERVER_PORT} || 1984;
our $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
our $Workers = $ENV{TEST_NGINX_WORKERS} || 1;
our $LoadModules = $ENV{TEST_NGINX_LOAD_MODULES} // '';
our $StartTimeout = 3;     # seconds to wait for pid file + listening socket
our $StopTimeout = 3;      # seconds to wait after QUIT before TERM/KILL
our $PollStep = 0.01;      # poll granularity while waiting

our $LastStartError = '';
my $StarterPid = $$;       # only this process manages nginx (forks in tests)

# Make the standard values available for $TEST_NGINX_* substitution, as the
# real Test::Nginx does (it sets TEST_NGINX_SERVER_PORT/SERVER_ROOT itself).
$ENV{TEST_NGINX_PORT} //= $Port;
$ENV{TEST_NGINX_SERVER_PORT} //= $Port;
$ENV{TEST_NGINX_SERVROOT} = $ServRoot;
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

sub servroot        { $ServRoot }
sub html_dir        { "$ServRoot/html" }
sub conf_file       { "$ServRoot/conf/nginx.conf" }
sub error_log_file  { "$ServRoot/logs/error.log" }
sub access_log_file { "$ServRoot/logs/access.log" }
sub pid_file        { "$ServRoot/logs/nginx.pid" }
sub server_port     { $Port }
sub nginx_binary    { $Binary }
sub last_start_error { $LastStartError }

my $VersionOutput;

sub _nginx_V {
    $VersionOutput //= `$Binary -V 2>&1` // '';
    return $VersionOutput;
}

# "1.22.1", or undef when the binary cannot be run.
sub nginx_version {
    return _nginx_V() =~ m{nginx/(\d+\.\d+\.\d+)} ? $1 : undef;
}

sub nginx_has_debug { _nginx_V() =~ /--with-debug\b/ ? 1 : 0 }

# Replace $TEST_NGINX_FOO with $ENV{TEST_NGINX_FOO}; $TEST_NGINX_RAND_PORT_N
# gets a free port that stays the same within one $rand_ports hash.
sub expand_env {
    my ($text, $rand_ports) = @_;
    return $text if !defined $text;
    $rand_ports //= {};
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            $rand_ports->{$var} //= _free_port($rand_ports);
        } else {
            defined $ENV{$var} or croak "No environment $var defined";
            $ENV{$var};
        }
    }ge;
    return $text;
}

sub _free_port {
    my ($used) = @_;
    my %used = map { $_ => 1 } $Port, values %$used;
    for (1 .. 1000) {
        my $p = 1985 + int rand 60000;
        next if $used{$p};
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $p, Proto => 'tcp',
                                      ReuseAddr => 1, Listen => 1);
        next if !$s;
        close $s;
        return $p;
    }
    croak "cannot find a free port";
}

# Wipe everything nginx produced (like the real Test::Nginx does before each
# (re)start) but only the subdirectories we own, never the whole servroot.
sub clean_servroot {
    croak "refusing to clean $ServRoot while nginx is running" if nginx_pid();
    remove_tree("$ServRoot/conf", "$ServRoot/logs", "$ServRoot/html",
                glob("$ServRoot/*_temp"), glob("$ServRoot/*_cache"));
    _remove_ours();
    _make_dirs();
    return 1;
}

# openresty's Test::Nginx wipes only conf, html, logs and the caches and
# temp directories before it removes the server root, and bails out of the
# whole run ("not empty?") on anything else: what our suites add there (the
# shipped config's tmp, the CV storage) goes when they end.
sub _remove_ours {
    remove_tree("$ServRoot/tmp", "$ServRoot/cv");
}

sub _make_dirs {
    make_path(map { "$ServRoot/$_" } qw(conf logs html));
    my $index = html_dir() . '/index.html';
    if (!-e $index) {
        open my $fh, '>', $index or croak "cannot write $index: $!";
        print $fh '<html><head><title>It works!</title></head>'
                . '<body>It works!</body></html>';
        close $fh;
    }
}

# The shipped conf/nginx.conf, rendered as conf/stack.sh renders it, into a
# clean server root (its OpenAPI description beside it); TEST_NGINX_* and
# TEST_JOBSCOUT_ROOT as "make test" sets them; http => '...' adds to the
# http block.
sub write_shipped_config {
    my (%a) = @_;
    my $root = $ENV{TEST_JOBSCOUT_ROOT} // croak "TEST_JOBSCOUT_ROOT unset";
    clean_servroot();
    make_path("$ServRoot/tmp");
    for my $file (qw(openapi.json pages.conf)) {
        File::Copy::copy("$root/conf/$file", "$ServRoot/conf/$file")
            or croak "$file: $!";
    }
    open my $in, '<', "$root/conf/nginx.conf" or croak "nginx.conf: $!";
    my $conf = do { local $/; <$in> };
    my %value = (
        MODULE => $LoadModules, LISTEN => "127.0.0.1:$Port",
        # a directory the workers (nobody) reach: a servroot under a
        # private parent (a clone in mktemp -d) is not
        TEMP => $ENV{TEST_NGINX_TEMP} // "$ServRoot/tmp",
        PG_CONNINFO => $ENV{TEST_NGINX_PG},
        REDIS_ADDR => $ENV{TEST_NGINX_REDIS},
        JWT_KEY => $ENV{TEST_NGINX_JWT_KEY},
        WEBHOOK_KEY => $ENV{TEST_NGINX_WEBHOOK_KEY},
        CV_DIR => "$ServRoot/cv",
        WEB_ROOT => $ENV{TEST_NGINX_WEB_ROOT} // "$root/build/web",
    );
    $conf =~ s/@(\w+)@/$value{$1} \/\/ croak "no value for \@$1\@"/ge;
    $conf =~ s/^http \{\n/http {\n$a{http}\n/m if defined $a{http};
    # nginx started by root runs its workers as nobody: they write bodies there
    chown scalar(getpwnam('nobody')), -1, "$ServRoot/tmp" if $> == 0;
    open my $out, '>', conf_file() or croak conf_file() . ": $!";
    print $out $conf;
    close $out;
    return 1;
}

# write_config(
#     main_config => '...', http_config => '...', config => '...',
#     post_main_config => '...', preamble => '...',
#     workers => 1, master_process => 'on', log_level => 'debug',
#     worker_connections => 1024, server_name => 'localhost',
#     root_location => 0, env => [qw(FOO)], client_max_body_size => '1m',
# )
# Returns the path of the written nginx.conf.
sub write_config {
    my (%a) = @_;
    my %rand_ports;
    my $x = sub { expand_env($a{$_[0]} // '', \%rand_ports) };

    my ($main, $http, $server, $post) =
        map { $x->($_) } qw(main_config http_config config post_main_config);
    my $preamble = $x->('preamble');

    my $workers = $a{workers} // $Workers;
    my $master = $a{master_process} // 'on';
    $master = $master =~ /^(?:on|off)$/ ? $master : ($master ? 'on' : 'off');
    my $level = $a{log_level} || $ENV{TEST_NGINX_LOG_LEVEL}
                || (nginx_has_debug() ? 'debug' : 'info');
    my $conns = $a{worker_connections} // 1024;
    my $server_name = $a{server_name} // 'localhost';
    my $body_size = $a{client_max_body_size} // '1m';

    _make_dirs();

    my $modules = join '', map { "load_module $_;\n" }
                           grep { length } split /\s+/, $LoadModules;
    my $env = join '', map { "env $_;\n" } @{ $a{env} || [] };
    # nginx refuses to switch to 'nobody' when started by root and the
    # workers must be able to write into servroot: run them as root then.
    my $user = $> == 0 ? "user root;\n" : '';
    my $temp = join '', map { "    ${_}_temp_path $ServRoot/${_}_temp;\n" }
                        qw(client_body proxy fastcgi uwsgi scgi);
    my $root_loc = $a{root_location} ? <<"EOC" : '';
        location / {
            root $ServRoot/html;
            index index.html index.htm;
        }
EOC
    my $conf = <<"EOC";
${modules}worker_processes $workers;
daemon on;
master_process $master;
pid logs/nginx.pid;
error_log logs/error.log $level;
$user$env
$main

events {
    accept_mutex off;
    worker_connections $conns;
}

http {
$temp
    access_log logs/access.log;
    default_type text/plain;
    keepalive_timeout 68;

$http

    server {
        listen 127.0.0.1:$Port;
        server_name '$server_name';
        client_max_body_size $body_size;

$preamble
        # Begin test case config...
$server
        # End test case config.

$root_loc    }
}

$post
EOC
    my $file = conf_file();
    open my $fh, '>', $file or croak "cannot write $file: $!";
    print $fh $conf;
    close $fh or croak "cannot write $file: $!";
    return $file;
}

sub _nginx_args {
    return ($Binary, '-p', "$ServRoot/", '-c', 'conf/nginx.conf',
            '-e', 'logs/error.log', @_);
}

# Run nginx with the given extra args, stdout to /dev/null and stderr
# captured in a temp file (a pipe could be held open by the daemon).
# Returns (wait status, stderr text).
sub _run_nginx {
    my @cmd = _nginx_args(@_);
    my $err = File::Temp->new;
    my $pid = fork // croak "fork failed: $!";
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>&', $err;
        # sanitizer runtimes for a module built with them (make asan): the
        # stock nginx binary itself is not instrumented
        $ENV{LD_PRELOAD} = $ENV{TEST_NGINX_PRELOAD}
            if $ENV{TEST_NGINX_PRELOAD};
        { no warnings "exec"; exec { $cmd[0] } @cmd; }
        print STDERR "cannot exec $cmd[0]: $!\n";
        POSIX::_exit(127);
    }
    waitpid $pid, 0;
    my $status = $?;
    seek $err, 0, 0;
    my $text = do { local $/; <$err> } // '';
    return ($status, $text);
}

# (exit code, stderr) of `nginx -t` on the current config.
sub test_config {
    my ($status, $text) = _run_nginx('-t');
    return ($status >> 8, $text);
}

sub _proc_state {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/stat" or return undef;
    my $stat = <$fh> // '';
    return $stat =~ /\)\s+(\S)/ ? $1 : undef;
}

# True while $pid exists and is not a zombie (reaping it if it is ours).
sub is_alive {
    my ($pid) = @_;
    return 0 if !$pid;
    waitpid $pid, WNOHANG;
    return 0 if !kill 0, $pid;
    my $state = _proc_state($pid);
    return !(defined $state && $state eq 'Z');
}

# The master pid from the pid file if that process is alive, else undef.
sub nginx_pid {
    open my $fh, '<', pid_file() or return undef;
    my $pid = <$fh>;
    close $fh;
    return undef if !defined $pid || $pid !~ /^\s*(\d+)/;
    return is_alive($1) ? $1 : undef;
}

sub _port_listening {
    # /proc/net/tcp avoids connecting (which would log a client error).
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open my $fh, '<', $f or next;
        while (<$fh>) {
            return 1 if /^\s*\d+:\s+[0-9A-F]+:([0-9A-F]{4})\s+\S+\s+0A\b/
                        && hex($1) == $Port;
        }
    }
    return 0 if -e '/proc/net/tcp';
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $Port,
                                  Proto => 'tcp', Timeout => 0.2);
    return $s ? 1 : 0;
}

sub _wait_until {
    my ($timeout, $cond) = @_;
    my $deadline = time + $timeout;
    while (1) {
        return 1 if $cond->();
        return 0 if time >= $deadline;
        sleep $PollStep;
    }
}

# Start nginx on the written config.  Scalar context: true on success.
# List context: ($ok, $error_text, $exit_status); $error_text is nginx's
# stderr (e.g. '[emerg] unknown directive ...') when it failed to start.
sub start_nginx {
    JobScout::Subreaper::become();
    stop_nginx() if nginx_pid();
    unlink pid_file();
    my ($status, $text) = _run_nginx();
    my $ok = $status == 0;
    if ($ok) {
        # The daemon writes the pid file right after forking; the listening
        # socket exists before that, but check both to be safe.
        $ok = _wait_until($StartTimeout, sub { nginx_pid() && _port_listening() });
        if (!$ok) {
            $text .= "nginx did not come up on 127.0.0.1:$Port within "
                   . "${StartTimeout}s\n" . _tail(error_log_file(), 20);
            stop_nginx();
        }
    }
    $LastStartError = $ok ? '' : ($text ne '' ? $text : "nginx exited with status $status\n");
    return wantarray ? ($ok ? 1 : 0, $LastStartError, $status >> 8) : ($ok ? 1 : 0);
}

sub _tail {
    my ($file, $n) = @_;
    open my $fh, '<', $file or return '';
    my @l = <$fh>;
    return join '', @l[ ($#l - $n + 1 < 0 ? 0 : $#l - $n + 1) .. $#l ];
}

sub _children_of {
    my ($ppid) = @_;
    my @kids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $fh, '<', $stat or next;
        my $line = <$fh> // next;
        push @kids, $1 if $line =~ /^(\d+) .*?\) \S+ (\d+)/ && $2 == $ppid;
    }
    return @kids;
}

# Graceful stop (QUIT), escalating to TERM and finally KILL for the master
# and its workers.  Returns true when nothing is left running.
sub stop_nginx {
    return 1 if $$ != $StarterPid;    # forked test children never stop it
    my $pid = nginx_pid();
    if (!$pid) {
        unlink pid_file();
        return 1;
    }
    my @workers = _children_of($pid);
    my $gone = sub { !is_alive($pid) };
    kill SIGQUIT, $pid;
    if (!_wait_until($StopTimeout, $gone)) {
        warn "nginx $pid did not quit in ${StopTimeout}s, sending TERM\n";
        kill SIGTERM, $pid;
        if (!_wait_until(1, $gone)) {
            warn "nginx $pid did not terminate, sending KILL\n";
            kill SIGKILL, $pid, _children_of($pid);
            _wait_until(1, $gone);
        }
    }
    # Workers exit before a gracefully stopping master; make sure anyway.
    my @left = grep { is_alive($_) } @workers;
    if (@left) {
        kill SIGKILL, @left;
        _wait_until(1, sub { !grep { is_alive($_) } @left });
    }
    unlink pid_file();
    return !is_alive($pid);
}

sub error_log_size {
    return -s error_log_file() || 0;
}

# Text appended to error.log since byte $offset (default 0).  In list
# context also returns the new end offset.
sub error_log_since {
    my ($offset) = @_;
    open my $fh, '<', error_log_file() or return wantarray ? ('', 0) : '';
    seek $fh, $offset || 0, 0;
    my $text = do { local $/; <$fh> } // '';
    my $end = tell $fh;
    close $fh;
    return wantarray ? ($text, $end) : $text;
}

# Send a raw request and return the raw response.  Reads until the response
# is complete (Content-Length/chunked) or, for close-delimited bodies, until
# the server closes.  Returns ($raw_response, $error); $error is set on a
# connect failure or timeout.
sub send_raw {
    my ($req, $timeout, $port) = @_;
    $timeout ||= 3;
    my $sock = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1', PeerPort => $port || $Port,
        Proto => 'tcp', Timeout => $timeout,
    ) or return ('', "connect to 127.0.0.1:" . ($port || $Port) . " failed: $!");
    $sock->autoflush(1);
    my $head = $req =~ /^\s*HEAD\s/ ? 1 : 0;
    my $off = 0;
    while ($off < length $req) {
        my $n = syswrite $sock, $req, length($req) - $off, $off;
        return ('', "write failed: $!") if !defined $n;
        $off += $n;
    }
    my $sel = IO::Select->new($sock);
    my $resp = '';
    my $deadline = time + $timeout;
    while (1) {
        my $left = $deadline - time;
        return ($resp, "timeout after ${timeout}s") if $left <= 0;
        next if !$sel->can_read($left);
        my $n = sysread $sock, my $buf, 65536;
        return ($resp, "read failed: $!") if !defined $n;
        last if $n == 0;
        $resp .= $buf;
        my (undef, undef, undef, $complete) = parse_http_response($resp, $head);
        last if $complete;
    }
    close $sock;
    return ($resp, undef);
}

# Parse a raw HTTP/1.x response.
# Returns ($status, \%headers, $body, $complete, $leftover) where header
# names are lowercased and repeated headers are joined with ", ".
sub parse_http_response {
    my ($raw, $head_req) = @_;
    my $end = index $raw, "\r\n\r\n";
    return (undef, {}, '', 0, '') if $end < 0;
    my @lines = split /\r\n/, substr($raw, 0, $end);
    my $status_line = shift @lines // '';
    my ($status) = $status_line =~ m{^HTTP/\d\.\d\s+(\d{3})};
    my %h;
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*?)\s*$/ or next;
        $k = lc $k;
        $h{$k} = defined $h{$k} ? "$h{$k}, $v" : $v;
    }
    my $rest = substr $raw, $end + 4;
    if ($head_req || (defined $status
                      && ($status =~ /^1/ || $status == 204 || $status == 304))) {
        return ($status, \%h, '', 1, $rest);
    }
    if (($h{'transfer-encoding'} // '') =~ /\bchunked\b/i) {
        my ($body, $pos) = ('', 0);
        while (1) {
            my $eol = index $rest, "\r\n", $pos;
            return ($status, \%h, $body, 0, '') if $eol < 0;
            my ($size) = substr($rest, $pos, $eol - $pos) =~ /^\s*([0-9A-Fa-f]+)/;
            return ($status, \%h, $body, 0, '') if !defined $size;
            $size = hex $size;
            $pos = $eol + 2;
            if ($size == 0) {
                # skip optional trailers up to the empty line
                my $t = index $rest, "\r\n", $pos;
                while ($t >= 0 && $t != $pos) {
                    $pos = $t + 2;
                    $t = index $rest, "\r\n", $pos;
                }
                return ($status, \%h, $body, 0, '') if $t < 0;
                return ($status, \%h, $body, 1, substr($rest, $t + 2));
            }
            return ($status, \%h, $body, 0, '') if length($rest) < $pos + $size + 2;
            $body .= substr $rest, $pos, $size;
            $pos += $size + 2;
        }
    }
    if (defined $h{'content-length'} && $h{'content-length'} =~ /^(\d+)/) {
        my $len = $1;
        return ($status, \%h, $rest, 0, '') if length $rest < $len;
        return ($status, \%h, substr($rest, 0, $len), 1, substr($rest, $len));
    }
    return ($status, \%h, $rest, 0, '');    # close-delimited
}

# http_request($raw_request, $timeout) -> ($status, \%headers, $body, $error)
# $raw_request is sent verbatim; a bare "GET /path" (no CRLF) is completed
# into an HTTP/1.1 request with Host and "Connection: close".
sub http_request {
    my ($req, $timeout) = @_;
    if ($req !~ /\r\n/) {
        my ($line, $body) = split /\n/, $req, 2;
        $line =~ s/^\s+|\s+$//g;
        $line .= ' HTTP/1.1' if $line !~ m{\sHTTP/\d\.\d$};
        $body //= '';
        $req = "$line\r\nHost: localhost\r\nConnection: close\r\n"
             . (length $body ? "Content-Length: " . length($body) . "\r\n" : '')
             . "\r\n$body";
    }
    my ($raw, $err) = send_raw($req, $timeout);
    my ($status, $h, $body, $complete) =
        parse_http_response($raw, $req =~ /^\s*HEAD\s/);
    $err //= 'incomplete response' if !defined $status;
    return ($status, $h, $body, $err);
}

END {
    # Never leave nginx behind when a test script dies.
    local $?;
    return if $$ != $StarterPid;
    stop_nginx() if -e pid_file();
    _remove_ours() if !nginx_pid();
}

1;
