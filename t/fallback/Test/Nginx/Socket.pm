package Test::Nginx::Socket;

# A compatible re-implementation of openresty's Test::Nginx::Socket (not
# packaged in Debian 12) for the data-driven nginx tests in t/*.t, used by
# make test only when the real one is neither in TEST_NGINX_LIB nor
# installed (conf/stack.sh test).  Blocks,
# sections, environment variables and, importantly, the number of tests
# emitted per block follow the real module so that `plan tests => ...`
# arithmetic written for it holds here too.  Server control lives in
# JobScout::TestNginx.
#
# NOTE: this file is run through Spiffy's -Base source filter (like the real
# one): a named sub written "sub foo {" gets "my $self = shift;" injected,
# hence every sub below carries a prototype.

use v5.10.1;
use Test::Base -Base;

our $VERSION = '0.29_jobscout';

use Encode ();
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use List::Util qw(shuffle min);
use Scalar::Util qw(looks_like_number);
use Test::LongString;
use Time::HiRes qw(sleep time);
use JobScout::TestNginx ();

our @EXPORT = qw( env_to_nginx is_str plan run_tests run_test
  repeat_each config_preamble worker_connections
  master_process_enabled
  no_long_string workers master_on master_off
  log_level no_shuffle no_root_location use_hup
  server_name
  server_addr server_root html_dir server_port server_port_for_client
  timeout no_nginx_manager check_accum_error_log
  add_block_preprocessor bail_out add_cleanup_handler
  add_response_body_check
);

# ---- settings (same names/defaults/env vars as Test::Nginx::Util) ----

our $RepeatEach = 1;
our $NoShuffle = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $NoLongString;
our $NoRootLocation = 0;
our $NoNginxManager = $ENV{TEST_NGINX_NO_NGINX_MANAGER} || 0;
our $Workers = $ENV{TEST_NGINX_WORKERS} || 1;
our $WorkerConnections = 64;
our $LogLevel = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $Timeout = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $TestNginxSleep = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $CheckAccumErrLog = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $ForceRestartOnTest = $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST} // 1;
our $ServerAddr = '127.0.0.1';
our $ServerName = 'localhost';
our $ServerPort = JobScout::TestNginx::server_port();
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $ConfigPreamble = '';
our ($NginxVersion, $PrevConfig, $ErrLogFilePos, $StartupStderr);
our (@EnvToNginx, @BlockPreprocessors, @CleanupHandlers, @ResponseBodyChecks);

sub repeat_each (@) { $RepeatEach = shift if @_; $RepeatEach }
sub no_shuffle () { $NoShuffle = 1 }
sub no_long_string () { $NoLongString = 1 }
sub no_root_location () { $NoRootLocation = 1 }
sub no_nginx_manager () { $NoNginxManager = 1 }
sub use_hup () { }    # HUP reloading is not supported: we always restart
sub check_accum_error_log () { $CheckAccumErrLog = 1 }
sub workers (@) { $Workers = shift if @_; $Workers }
sub worker_connections (@) { $WorkerConnections = shift if @_; $WorkerConnections }
sub log_level (@) { $LogLevel = shift if @_; $LogLevel }
sub master_on () { $MasterProcessEnabled = 'on' }
sub master_off () { $MasterProcessEnabled = 'off' }
sub timeout (@) { $Timeout = shift if @_; $Timeout }
sub config_preamble ($) { $ConfigPreamble = shift }
sub server_name (@) { $ServerName = shift if @_; $ServerName }
sub server_addr (@) { $ServerAddr = shift if @_; $ServerAddr }
sub server_port (@) { $ServerPort }
sub server_port_for_client (@) { $ServerPortForClient = shift if @_; $ServerPortForClient }
sub server_root () { JobScout::TestNginx::servroot() }
sub html_dir () { JobScout::TestNginx::html_dir() }
sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler ($) { unshift @CleanupHandlers, shift }
sub add_response_body_check ($) { push @ResponseBodyChecks, shift }

sub master_process_enabled (@) {
    return $MasterProcessEnabled if !@_;
    $MasterProcessEnabled = shift() ? 'on' : 'off';
}

sub env_to_nginx (@) {
    Carp::croak("env_to_nginx: no arguments specified") if !@_;
    for my $v (@_) {
        Carp::croak("env_to_nginx: bad argument value: $v")
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v =~ /\s/ ? "'$v'" : $v;
    }
}

sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    return like($got, $expected, $desc) if ref $expected eq 'Regexp';
    return is($got, $expected, $desc) if $NoLongString;
    return is_string($got, $expected, $desc);
}

sub cleanup () {
    $_->() for @CleanupHandlers;
    JobScout::TestNginx::stop_nginx();
}

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

sub parse_time ($) {
    my $tm = shift;
    return undef if !defined $tm;
    return $1 / 1000 if $tm =~ /^\s*([\d.]+)\s*ms\s*$/;
    return $1 if $tm =~ /^\s*([\d.]+)\s*s?\s*$/;
    return $tm;
}

sub get_canon_version (@) { sprintf "%d.%03d%03d", $_[0], $_[1], $_[2] }

# ---- driver ----

sub run_tests () {
    my $v = JobScout::TestNginx::nginx_version()
        or bail_out("Failed to get the version of nginx ("
                    . JobScout::TestNginx::nginx_binary() . ")");
    $NginxVersion = get_canon_version(split /\./, $v);

    for my $block ($NoShuffle ? blocks() : shuffle blocks()) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_test($block);
    }
    cleanup();
}

# Evaluate the skip_nginx / skip_eval / todo sections like the real module:
# returns ($tests_to_skip, $should_skip, $skip_reason, $should_todo, $todo_reason).
sub skip_info ($) {
    my $block = shift;
    my $name = $block->name;
    my ($n, $skip, $reason, $todo, $todo_reason);

    if (defined(my $spec = $block->skip_eval)) {
        if ($spec =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            ($n, $reason) = ($1, 'skip_eval');
            $skip = eval $2;
            bail_out("$name - skip_eval - failed to eval \"$2\": $@") if $@;
        }
    }
    if (defined(my $spec = $block->skip_nginx)) {
        $spec =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)(?:\s*:\s*(.*))?\s*$/
            or bail_out("$name - Invalid --- skip_nginx spec: $spec");
        $n = $1;
        my ($op, $ver) = ($2, get_canon_version($3, $4, $5));
        $reason = $6 || "nginx version $op $3.$4.$5";
        $skip = 1 if eval "$NginxVersion $op $ver";
    }
    if (defined(my $spec = $block->todo)) {
        $spec =~ /^\s*(\d+)\s*:\s*(.*)/s
            or bail_out("$name - Invalid --- todo spec: $spec");
        ($todo, $n, $todo_reason) = (1, $1, $2);
    }
    return ($n, $skip, $reason // 'various reasons', $todo,
            $todo_reason // 'various reasons');
}

sub write_user_files ($$) {
    my ($block, $rand_ports) = @_;
    my $files = $block->user_files or return;
    if (!ref $files) {
        my @list;
        for my $line (split /^/, $files) {
            if ($line =~ /^>>> (\S+)(?:\s+(.+))?/) {
                push @list, [$1, undef, $2];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    }
    for my $f (@$files) {
        my ($fname, $body, $date) = @$f;
        my $path = $fname =~ m{^/} ? $fname : html_dir() . "/$fname";
        File::Path::make_path($1) if $path =~ m{(.*)/} && !-d $1;
        open my $out, '>', $path or bail_out("cannot write $path: $!");
        binmode $out;
        print $out JobScout::TestNginx::expand_env($body // '', $rand_ports);
        close $out;
        if ($date) {
            system("TZ=GMT touch -t '$date' '$path'") == 0
                or bail_out("cannot set the mtime of $path");
        }
    }
}

sub write_block_config ($$) {
    my ($block, $rand_ports) = @_;
    my $level = $block->log_level || $LogLevel;
    local $@;
    eval {
        JobScout::TestNginx::write_config(
            # scalar(): block accessors return () in list context when absent
            main_config => scalar $block->main_config,
            post_main_config => scalar $block->post_main_config,
            http_config => scalar $block->http_config,
            config => scalar $block->config,
            preamble => $ConfigPreamble,
            workers => $Workers,
            master_process => $MasterProcessEnabled,
            worker_connections => $WorkerConnections,
            log_level => $level,
            server_name => $block->server_name // $ServerName,
            root_location => !$NoRootLocation,
            env => \@EnvToNginx,
            client_max_body_size => '30M',
        );
    };
    bail_out($block->name . " - $@") if $@;
}

sub run_test ($) {
    my $block = shift;
    return if defined $block->SKIP;

    my $name = $block->name;
    my $config = $block->config;
    my $must_die = $block->must_die;
    my ($tests_to_skip, $should_skip, $skip_reason, $should_todo,
        $todo_reason) = skip_info($block);
    my $rand_ports = {};

    my $should_restart = 0;
    if (!$NoNginxManager) {
        if (defined $config) {
            $should_restart = 1
                if $ForceRestartOnTest || !defined $PrevConfig
                   || $config ne $PrevConfig;
        } elsif (!defined $PrevConfig) {
            bail_out("$name - No '--- config' section specified and could "
                     . "not get previous one.");
        }
    }

    if (!$should_skip && $should_restart) {
        $PrevConfig = $config;
        JobScout::TestNginx::stop_nginx();
        JobScout::TestNginx::clean_servroot();
        write_user_files($block, $rand_ports);
        write_block_config($block, $rand_ports);

        if (defined $must_die) {
            # nginx must refuse to start; check the exit status and then
            # the error log (startup errors land there thanks to -e).
            $ErrLogFilePos = 0;
            for my $i (0 .. $RepeatEach - 1) {
                my ($ok, $err, $code) = JobScout::TestNginx::start_nginx();
                $StartupStderr = $err;
                if (looks_like_number($must_die)) {
                    is($must_die, $code, "$name - die with the expected exit code");
                } else {
                    isnt($ok ? 0 : 1, 0, "$name - die as expected");
                }
                check_error_log($block, undef, 0, $i, 0);
                undef $StartupStderr;
                if ($ok) {
                    warn "WARNING: $name - nginx must die but it does not; "
                       . "killing it (req $i)\n";
                    JobScout::TestNginx::stop_nginx();
                }
            }
            return;
        }

        my ($ok, $err);
        for my $try (1 .. 30) {    # the port may linger briefly
            ($ok, $err) = JobScout::TestNginx::start_nginx();
            last if $ok || $err !~ /Address already in use/;
            sleep 0.1;
        }
        bail_out("$name - Cannot start nginx: $err") if !$ok;
    }

    if (defined(my $init = $block->init)) {
        eval $init;
        bail_out("$name - init failed: $@") if $@;
    }

    $ErrLogFilePos = 0;
    for my $i (1 .. $RepeatEach) {
        write_user_files($block, $rand_ports) if $i > 1;
        if ($should_skip && defined $tests_to_skip) {
            SKIP: {
                skip("$name - $skip_reason", $tests_to_skip);
            }
        } elsif ($should_todo) {
            TODO: {
                todo_skip("$name - $todo_reason", $tests_to_skip);
            }
        } else {
            run_test_helper($block, 0, $i - 1);
        }
    }
}

# ---- requests ----

sub parse_more_headers ($) {
    my $in = shift;
    my ($out, $chunked) = ('', 0);
    for my $line (split /\n+/, $in) {
        next if $line =~ /^\s*#/;
        my ($k, $v) = split /:\s*/, $line, 2;
        $v //= '';
        $chunked = 1 if lc $k eq 'transfer-encoding' && $v eq 'chunked';
        $out .= "$k: $v\r\n";
    }
    return ($out, $chunked);
}

# Turn "METHOD [URI [VERSION]]\nbody" (possibly split into packets) into a
# full HTTP request: HTTP/1.1 by default, Host and "Connection: $conn"
# unless given, Content-Length for a non-chunked body (which is then trimmed).
# Returns the list of packets; packet boundaries are mapped onto the new text.
sub build_request ($$$$$) {
    my ($name, $more, $chunked, $conn, $packets) = @_;
    my $orig = join '', @$packets;
    $orig =~ /\A(\s*)(\S+)( *)(?:(\S+)( *))?(?:(\S+)( *))?(\r?\n|\z)/
        or bail_out("$name - Request line is not valid. Should be "
                    . "'meth [url [version]]' but got \"$orig\".");
    my ($lead, $meth, $url, $ver) = (length $1, $2, $4 // '/', $6 // 'HTTP/1.1');
    my $head_len = $+[0];
    my $body = substr $orig, $head_len;
    my ($body_lead, $body_orig_len) = (0, length $body);

    my $len_header = '';
    if (!$chunked && $body ne '' && $more !~ /(?:^|\n)Content-Length:/i) {
        $body =~ /\A(\s*)/;
        $body_lead = length $1;
        $body =~ s/^\s+|\s+$//gs;
        $len_header = "Content-Length: " . length($body) . "\r\n";
    }
    $more =~ s/(?<!\r)\n/\r\n/g;
    my $headers = '';
    $headers .= "Host: $ServerName\r\n" if $more !~ /(?:^|\n)Host:/i;
    $headers .= "Connection: $conn\r\n" if $more !~ /(?:^|\n)Connection/i;
    my $line = "$meth $url $ver";
    my $head = "$line\r\n$headers$more$len_header\r\n";
    my $new = $head . $body;
    return [$new] if @$packets <= 1;

    # map each original packet boundary to an offset in the new request
    my (@cuts, $pos);
    for my $p (@$packets[0 .. $#$packets - 1]) {
        $pos += length $p;
        my $cut;
        if ($pos < $head_len) {
            $cut = min(length $line, $pos > $lead ? $pos - $lead : 0);
        } else {
            my $b = $pos - $head_len - $body_lead;
            $b = 0 if $b < 0;
            $cut = length($head) + min(length $body, $b);
        }
        push @cuts, $cut;
    }
    my (@out, $prev);
    $prev = 0;
    for my $cut (@cuts, length $new) {
        push @out, substr($new, $prev, $cut - $prev);
        $prev = $cut;
    }
    return \@out;
}

sub _more_headers_for ($$) {
    my ($more, $i) = @_;
    if (ref $more eq 'ARRAY') {
        defined $more->[$i]
            or bail_out("--- more_headers lacks data for the ${i}th request");
        return parse_more_headers($more->[$i]);
    }
    return parse_more_headers($more);
}

# A list of requests, each a list of packets { value => ..., delay_before => ... }
sub get_req_from_block ($) {
    my $block = shift;
    my $name = $block->name;

    if (defined(my $raw = $block->raw_request)) {
        return [[ map { { value => $_ } } (ref $raw eq 'ARRAY' ? @$raw : $raw) ]];
    }

    my $more = $block->more_headers // '';
    if (my $reqs = $block->pipelined_requests) {
        ref $reqs eq 'ARRAY'
            or bail_out("$name - invalid entries in --- pipelined_requests");
        my $all = '';
        for my $i (0 .. $#$reqs) {
            my ($hdr, $chunked) = _more_headers_for($more, $i);
            $all .= build_request($name, $hdr, $chunked,
                                  $i == $#$reqs ? 'close' : 'keep-alive',
                                  [$reqs->[$i]])->[0];
        }
        return [[{ value => $all }]];
    }

    my $request = $block->request;
    bail_out("$name - request empty") if !defined $request;
    if (!ref $request) {
        1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;    # leading comments
        $request = [$request];
    } elsif (ref $request ne 'ARRAY') {
        bail_out("$name - invalid ---request : MUST be string or array of requests");
    }

    my @list;
    for my $i (0 .. $#$request) {
        my $one = $request->[$i];
        my ($hdr, $chunked) = _more_headers_for($more, $i);
        if (!ref $one) {
            push @list, [{ value => build_request($name, $hdr, $chunked,
                                                  'close', [$one])->[0] }];
        } elsif (ref $one eq 'ARRAY') {
            my @orig = map { ref $_ eq 'HASH' ? { %$_ } : { value => $_ } } @$one;
            my $new = build_request($name, $hdr, $chunked, 'close',
                                    [ map { $_->{value} } @orig ]);
            $orig[$_]{value} = $new->[$_] for 0 .. $#orig;
            push @list, \@orig;
        } else {
            bail_out("$name - Invalid syntax. $one should be a string or an "
                     . "array of packets.");
        }
    }
    return \@list;
}

# Send one request (list of packets) and read until the server closes.
sub send_request ($$$$) {
    my ($packets, $middle_delay, $timeout, $block) = @_;
    my $name = $block->name;
    my $addr = $block->server_addr_for_client // $ServerAddr;

    my $sock;
    for my $try (1 .. 50) {
        $sock = IO::Socket::INET->new(PeerAddr => $addr,
                                      PeerPort => $ServerPortForClient,
                                      Proto => 'tcp', Timeout => $timeout)
            and last;
        sleep min(1, $TestNginxSleep * $try);
    }
    if (!$sock) {
        Test::More->builder->no_ending(1);
        fail("$name - Can't connect to $addr:$ServerPortForClient: $! (aborted)\n");
        return undef;
    }

    my $sel = IO::Select->new($sock);
    my $resp = '';
    my $deadline = time + $timeout;
    my $timed_out;
    my $first = 1;
    for my $p (@$packets) {
        my $delay = $p->{delay_before} // ($first ? undef : $middle_delay);
        sleep $delay if $delay;
        $first = 0;
        my ($buf, $off) = ($p->{value}, 0);
        while ($off < length $buf) {
            my $n = syswrite $sock, $buf, length($buf) - $off, $off;
            if (!defined $n) {
                warn "write failed: $!\n";
                last;
            }
            $off += $n;
        }
    }
    if (defined(my $how = $block->shutdown)) {
        shutdown $sock, ($how =~ /^\s*$/ ? 1 : $how);
    }
    while (1) {
        my $left = $deadline - time;
        if ($left <= 0 || !$sel->can_read($left)) {
            $timed_out = 1;
            last;
        }
        my $n = sysread $sock, my $buf, 65536;
        if (!defined $n) {
            warn "WARNING: $name - HTTP response read failure: $!";
            last;
        }
        last if $n == 0;
        $resp .= $buf;
    }
    close $sock;
    if ($timed_out && !defined $block->abort) {
        Test::More->builder->no_ending(1);
        fail("ERROR: client socket timed out - $name\n");
    }
    return $resp;
}

# HTTP::Response plus chunked decoding / Content-Length handling.
# Returns ($res, $raw_headers, $leftover).
sub parse_response ($$$) {
    my ($name, $raw, $head_req) = @_;
    my $raw_headers = $raw =~ /(.*?\r\n)\r\n/s ? $1 : '';
    my $res = HTTP::Response->parse($raw);
    my $code = $res->code;
    if (defined $code && $code !~ /^\d+$/) {
        undef $code;
        $res->code(undef);
    }
    return ($res, $raw_headers) if $code && ($code == 304 || $code == 101);

    my $content = $res->content // '';
    my $left;
    if (($res->header('Transfer-Encoding') // '') eq 'chunked') {
        my ($decoded, $pos) = ('', 0);
        while (1) {
            pos($content) = $pos;
            if ($content =~ /\G0[ \t]*\r\n\r\n/gc) {
                $left = substr $content, pos $content if pos $content < length $content;
                last;
            }
            if ($content =~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*\r\n/gc) {
                my $size = hex $1;
                my $at = pos $content;
                if (length($content) < $at + $size) {
                    Test::More->builder->no_ending(1);
                    fail("$name - invalid chunked data received (not enough octets for the data section)");
                    return;
                }
                $decoded .= substr $content, $at, $size;
                if (substr($content, $at + $size, 2) ne "\r\n") {
                    Test::More->builder->no_ending(1);
                    fail("$name - invalid chunked data received (expected CRLF).");
                    return;
                }
                $pos = $at + $size + 2;
            } elsif ($pos < length $content) {
                Test::More->builder->no_ending(1);
                fail("$name - invalid chunked body received: " . substr($content, $pos));
                return;
            } else {
                Test::More->builder->no_ending(1);
                fail("$name - no last chunk found - $content");
                return;
            }
        }
        $res->content($decoded);
    } elsif (defined(my $len = $res->header('Content-Length'))) {
        if ($len =~ /^\d+$/) {
            if (length $content < $len) {
                warn "WARNING: $name - response body truncated: $len expected, "
                   . "but got ", length $content, "\n" if !$head_req;
            } elsif (length $content > $len) {
                $left = substr $content, $len;
                $res->content(substr $content, 0, $len);
            }
        }
    }
    return ($res, $raw_headers, $left);
}

sub run_test_helper ($$$) {
    my ($block, $dry_run, $repeated_idx) = @_;
    my $name = $block->name;
    my $reqs = get_req_from_block($block);
    bail_out("$name - request empty") if !@$reqs;

    my $timeout = parse_time($block->timeout) // $Timeout;
    my ($res, $n, $need_array);
    my $req_idx = 0;
    for my $req (@$reqs) {
        my $head_req = (join '', map { $_->{value} } @$req) =~ /^\s*HEAD\s+/;
        my $raw = send_request($req, $block->raw_request_middle_delay,
                               $timeout, $block) // '';
        if ($block->pipelined_requests) {
            $n = @{ $block->pipelined_requests };
            $need_array = 1;
        } else {
            $need_array = @$reqs > 1;
        }
        while (1) {
            my ($raw_headers, $left) = ('');
            if (!defined $block->ignore_response) {
                ($res, $raw_headers, $left) = parse_response($name, $raw, $head_req);
            }
            if (!$n) {
                if (defined $left && length $left) {
                    (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last "
                       . "chunk in response: \"$l\"\n";
                }
            } else {
                $raw = $left // '';
                $n--;
            }
            if (!defined $block->ignore_response) {
                check_error_code($block, $res, $dry_run, $req_idx, $need_array);
                check_raw_response_headers($block, $raw_headers, $dry_run, $req_idx, $need_array);
                check_response_headers($block, $res, $raw_headers, $dry_run, $req_idx, $need_array);
                check_response_body($block, $res, $dry_run, $req_idx, $repeated_idx, $need_array);
            }
            if ($n || $req_idx < @$reqs - 1) {
                sleep $block->wait if $block->wait;
                check_error_log($block, $res, $dry_run, $repeated_idx, $need_array);
                check_access_log($block, $dry_run, $repeated_idx)
                    if !defined $block->ignore_response;
            }
            $req_idx++;
            last if !$n;
        }
    }
    sleep $block->wait if $block->wait;
    check_error_log($block, $res, $dry_run, $repeated_idx, $need_array);
    check_access_log($block, $dry_run, $repeated_idx)
        if !defined $block->ignore_response;
}

# ---- checks (one test each, exactly as counted by the real module) ----

sub get_indexed_value ($$$$) {
    my ($name, $value, $idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$idx] if ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    return ref $value eq 'ARRAY' ? $value->[0] : $value;
}

sub check_error_code ($$$$$) {
    my ($block, $res, $dry_run, $idx, $need_array) = @_;
    my $name = $block->name;
    my $got = ($res && $res->code) || '';
    SKIP: {
        skip("$name - tests skipped due to $dry_run", 1) if $dry_run;
        if (defined $block->error_code_like) {
            my $pat = get_indexed_value($name, $block->error_code_like, $idx, $need_array);
            like($got, qr/$pat/sm, "$name - status code ok");
        } elsif (defined $block->error_code) {
            is($got, get_indexed_value($name, $block->error_code, $idx, $need_array),
               "$name - status code ok");
        } else {
            is($got, 200, "$name - status code ok");
        }
    }
}

sub check_raw_response_headers ($$$$$) {
    my ($block, $raw, $dry_run, $idx, $need_array) = @_;
    my $name = $block->name;
    for my $kind (qw(like unlike)) {
        my $method = "raw_response_headers_$kind";
        my $spec = $block->$method;
        next if !defined $spec;
        my $pat = get_indexed_value($name, $spec, $idx, $need_array);
        SKIP: {
            skip("$name - raw_response_headers_$kind - tests skipped due to $dry_run", 1)
                if $dry_run;
            if ($kind eq 'like') {
                like($raw, qr/$pat/s, "$name - raw resp headers like");
            } else {
                unlike($raw, qr/$pat/s, "$name - raw resp headers unlike");
            }
        }
    }
}

# "Name: value" per line, "!Name" meaning the header must be absent.
sub parse_headers ($) {
    my %h;
    for my $line (split /\n/, shift // '') {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        if ($line =~ s/^!\s*//) {
            $h{$line} = undef;
        } else {
            my ($k, $v) = split /\s*:\s*/, $line, 2;
            $h{$k} = $v;
        }
    }
    return \%h;
}

sub check_response_headers ($$$$$$) {
    my ($block, $res, $raw_headers, $dry_run, $idx, $need_array) = @_;
    my $name = $block->name;
    if (defined $block->response_headers) {
        my $h = parse_headers(get_indexed_value($name, $block->response_headers,
                                                $idx, $need_array));
        for my $key (sort keys %$h) {
            my $val = $h->{$key};
            SKIP: {
                skip("$name - response_headers - tests skipped due to $dry_run", 1)
                    if $dry_run;
                if (!defined $val) {
                    unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                           "$name - header $key not present in the raw headers");
                } else {
                    $val =~ s/\$ServerPort\b/$ServerPort/g;
                    $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
                    is(($res ? $res->header($key) : undef) // '', $val,
                       "$name - header $key ok");
                }
            }
        }
    } elsif (defined $block->response_headers_like) {
        my $h = parse_headers(get_indexed_value($name, $block->response_headers_like,
                                                $idx, $need_array));
        for my $key (sort keys %$h) {
            my $val = $h->{$key} // '';
            SKIP: {
                skip("$name - response_headers_like - tests skipped due to $dry_run", 1)
                    if $dry_run;
                like(($res ? $res->header($key) : undef) // '', qr/^$val$/,
                     "$name - header $key like ok");
            }
        }
    }
}

sub trim ($) {
    my $s = shift;
    return undef if !defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\s+/ /g;
    return $s;
}

sub check_response_body ($$$$$$) {
    my ($block, $res, $dry_run, $idx, $repeated_idx, $need_array) = @_;
    my $name = $block->name;
    my $content = $res ? $res->content : undef;

    if (defined $block->response_body || defined $block->response_body_eval) {
        my $expected;
        if (defined $block->response_body_eval) {
            $expected = eval get_indexed_value($name, $block->response_body_eval,
                                               $idx, $need_array);
            warn $@ if $@;
        } else {
            $expected = get_indexed_value($name, $block->response_body, $idx,
                                          $need_array);
        }
        Encode::from_to($expected, 'UTF-8', $block->charset)
            if $block->charset && defined $expected;
        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        }
        my $desc = "$name - response_body - response is expected "
                 . "(repeated req $repeated_idx, req $idx)";
        SKIP: {
            skip("$name - response_body - tests skipped due to $dry_run", 1) if $dry_run;
            if (ref $expected) {
                like($content, $expected, "$name - response_body - like "
                     . "(repeated req $repeated_idx, req $idx)");
            } elsif ($NoLongString) {
                is($content, $expected, $desc);
            } else {
                is_string($content, $expected, $desc);
            }
        }
    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike) {
        my $type = defined $block->response_body_like ? 'like' : 'unlike';
        my $method = "response_body_$type";
        my $pat = get_indexed_value($name, $block->$method, $idx, $need_array);
        $pat =~ s/\$ServerPort\b/$ServerPort/g;
        $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        my $summary = trim($content) // '';
        SKIP: {
            skip("$name - response_body_$type - tests skipped due to $dry_run", 1)
                if $dry_run;
            my $desc = "$name - response_body_$type - response is expected ($summary)";
            if ($type eq 'like') {
                like($content, qr/$pat/s, $desc);
            } else {
                unlike($content, qr/$pat/s, $desc);
            }
        }
    }

    $_->($block, $res ? $res->content : undef, $idx, $repeated_idx, $dry_run)
        for @ResponseBodyChecks;
}

sub fmt_str ($) {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

# New error.log lines since the previous check of this block (the whole
# log for must_die, plus nginx's stderr if the log is missing or empty).
sub error_log_data (;$) {
    my $no_wait = shift;
    # give nginx time to log in the log phase, after the response was sent
    # (skipped when the lines only feed the [alert]/[crit] warnings)
    sleep $TestNginxSleep * 3 if !$no_wait;
    my ($text, $end) = JobScout::TestNginx::error_log_since(
        $CheckAccumErrLog ? 0 : $ErrLogFilePos // 0);
    $ErrLogFilePos = $end if !$CheckAccumErrLog;
    $text = $StartupStderr if defined $StartupStderr && $text eq '';
    return [ split /^/, $text ];
}

sub access_log_data () {
    sleep $TestNginxSleep * 3;
    open my $in, '<', JobScout::TestNginx::access_log_file() or return [];
    return [ <$in> ];
}

sub _patterns ($) {
    my $pats = shift;
    return [ split /\n+/, do { chomp(my $p = $pats); $p } ] if !ref $pats;
    return [$pats] if ref $pats eq 'Regexp';
    return [@$pats];
}

sub _matches ($$) {
    my ($line, $pat) = @_;
    return ref $pat ? $line =~ /$pat/ : index($line, $pat) >= 0;
}

# Shared by error_log/access_log: every pattern must match some line.
sub _check_log_has ($$$$$$) {
    my ($name, $what, $pats, $lines, $dry_run, $ridx) = @_;
    for my $line (@$lines) {
        for my $pat (@$pats) {
            next if !defined $pat || !_matches($line, $pat);
            SKIP: {
                skip("$name - $what - tests skipped due to $dry_run", 1) if $dry_run;
                pass("$name - pattern \"$pat\" matches a line in $what (req $ridx)");
            }
            undef $pat;
        }
    }
    for my $pat (grep { defined } @$pats) {
        SKIP: {
            skip("$name - $what - tests skipped due to $dry_run", 1) if $dry_run;
            fail("$name - pattern \"$pat\" should match a line in $what (req $ridx)");
        }
    }
}

# ... and no pattern may match any line (one failure per matching line).
sub _check_log_lacks ($$$$$$) {
    my ($name, $what, $pats, $lines, $dry_run, $ridx) = @_;
    my %found;
    for my $i (0 .. $#$lines) {
        my $line = $lines->[$i];
        for my $pat (@$pats) {
            next if !_matches($line, $pat);
            if ($found{$pat}++) {
                Test::More->builder->no_ending(1);
            }
            SKIP: {
                skip("$name - no_$what - tests skipped due to $dry_run ($line)", 1)
                    if $dry_run;
                my @more = @$lines[$i + 1 .. min($i + 9, $#$lines)];
                fail("$name - pattern \"" . fmt_str($pat) . "\" should not match "
                     . "any line in $what but matches line \"" . fmt_str($line)
                     . "\" (req $ridx)\n" . join '', @more);
            }
        }
    }
    for my $pat (@$pats) {
        next if $found{$pat};
        SKIP: {
            skip("$name - no_$what - tests skipped due to $dry_run", 1) if $dry_run;
            pass("$name - pattern \"" . fmt_str($pat) . "\" does not match a line "
                 . "in $what (req $ridx)");
        }
    }
}

sub _pats_contain ($$) {
    my ($pats, $s) = @_;
    return 0 if !defined $pats;
    return grep { !ref $_ || ref $_ eq 'Regexp' ? index("$_", $s) >= 0 : 0 }
                (ref $pats eq 'ARRAY' ? @$pats : $pats);
}

sub check_error_log ($$$$$) {
    my ($block, $res, $dry_run, $ridx, $need_array) = @_;
    my $name = $block->name;
    my $lines;

    if (defined(my $grep = $block->grep_error_log)) {
        $grep = $grep->[$ridx] if ref $grep eq 'ARRAY';
        my $expected = $block->grep_error_log_out;
        bail_out("$name - No --- grep_error_log_out defined but --- "
                 . "grep_error_log is defined") if !defined $expected;
        $expected = $expected->[$ridx] if ref $expected eq 'ARRAY';
        SKIP: {
            skip("$name - error_log - tests skipped due to $dry_run", 1) if $dry_run;
            $lines ||= error_log_data();
            my $out = '';
            for my $line (@$lines) {
                if (ref $grep ? $line =~ /$grep/ : $line =~ /\Q$grep\E/) {
                    $out .= "$&\n" if $& !~ /\n/;
                }
            }
            is_str($out, $expected, "$name - grep_error_log_out (req $ridx)");
        }
    }

    for my $what (qw(error_log no_error_log)) {
        my $spec = $what eq 'error_log' ? $block->error_log : $block->no_error_log;
        next if !defined $spec;
        $lines ||= error_log_data();
        if ($what eq 'error_log') {
            _check_log_has($name, 'error.log', _patterns($spec), $lines, $dry_run, $ridx);
        } else {
            _check_log_lacks($name, 'error.log', _patterns($spec), $lines, $dry_run, $ridx);
        }
    }

    # like the real module: warn about unexpected alert/crit/emerg lines
    return if $dry_run;
    $lines ||= error_log_data(1);
    for my $level (qw(alert crit emerg)) {
        next if _pats_contain($block->error_log, "[$level")
             || _pats_contain($block->no_error_log, "[$level");
        for my $line (@$lines) {
            warn "WARNING: $name - " . fmt_str($line) . "\n" if $line =~ /\[$level\]/;
        }
    }
}

sub check_access_log ($$$) {
    my ($block, $dry_run, $ridx) = @_;
    my $name = $block->name;
    if (defined $block->access_log) {
        _check_log_has($name, 'access.log', _patterns($block->access_log),
                       access_log_data(), $dry_run, $ridx);
    }
    if (defined $block->no_access_log) {
        _check_log_lacks($name, 'access.log', _patterns($block->no_access_log),
                         access_log_data(), $dry_run, $ridx);
    }
}

# Stop nginx even when the test script dies half-way.
END {
    local $?;
    cleanup() if !$NoNginxManager;
}

1;
__END__

=head1 NAME

Test::Nginx::Socket - Job Scout's compatible subset of openresty's
Test::Nginx::Socket, built on Test::Base and JobScout::TestNginx.

=head1 SUPPORTED SECTIONS

main_config, post_main_config, http_config, config, user_files, init,
request (string, eval, array of requests, array of packets), more_headers,
raw_request, raw_request_middle_delay, pipelined_requests, timeout, wait,
abort, shutdown, ignore_response, server_name, server_addr_for_client,
log_level, error_code, error_code_like, response_body (+ eval/qr),
response_body_like, response_body_unlike, response_headers (C<!Name> =
absent), response_headers_like, raw_response_headers_like/unlike,
error_log, no_error_log, grep_error_log(_out), access_log, no_access_log,
must_die, skip_nginx, skip_eval, todo, ONLY/SKIP/LAST (Test::Base).

Not supported: HUP reloading, valgrind/stap/leak/benchmark modes, curl,
HTTP/2/3, tcp/udp mock servers, response_body_filters.

=cut
