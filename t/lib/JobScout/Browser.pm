package JobScout::Browser;

# Browser tests: runs one node script of t/web (headless Chromium through
# puppeteer-core, see t/web/harness.mjs) against the nginx of the test and
# reports what it saw as TAP: one test per check of the script, one that
# the page logged no console error, threw nothing and broke no CSP rule,
# one that the screenshot was saved.
#
#   use JobScout::Browser qw(browse start_pages);
#   my $base = start_pages();       # the shipped nginx.conf, ready
#   my $values = browse('150_landing', 't/web/landing.mjs',
#                        base => $base, args => {...});
#
# The screenshot is $TEST_JOBSCOUT_SCREENSHOTS/NAME.png (make test: the
# test stack's var/test/screenshots/).  Returns the script's last
# {"values": {...}} line's hash, for the steps that follow in Perl.

use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path);
use IPC::Run ();
use JSON::PP ();
use Test::More ();
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(write_shipped_config start_nginx http_request
                           server_port);

our @EXPORT_OK = qw(browse start_pages);

my $Root = $ENV{TEST_JOBSCOUT_ROOT} // '.';
my $Chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';

# Why browser tests cannot run here, or undef: Chromium and puppeteer-core
# come with make deps.
sub browser_missing {
    return "$Chromium missing: make deps installs chromium" if !-x $Chromium;
    return 'puppeteer-core missing: make deps runs npm ci in conf/web'
        if !-d "$Root/conf/web/node_modules/puppeteer-core";
    return 'node missing' if system('node --version >/dev/null 2>&1') != 0;
    return undef;
}

# nginx with the shipped configuration (the pages and the API) started and
# ready; its base URL.  HTTP adds to the http block.  A machine without
# the browser fails the test here (make deps installs it): never skipped.
sub start_pages {
    my (%a) = @_;
    if (my $why = browser_missing()) {
        Test::More::fail("browser tests: $why");
        Test::More::done_testing();
        exit 1;
    }
    write_shipped_config(%a);
    my ($ok, $err) = start_nginx();
    Test::More::ok($ok, 'nginx starts with the shipped configuration')
        or Test::More::diag($err);
    for (1 .. 100) {
        my ($s) = http_request("GET /health/ready");
        last if $s && $s == 200;
        sleep 0.05;
    }
    return 'http://127.0.0.1:' . server_port();
}

sub browse {
    my ($name, $script, %a) = @_;
    my $tb = Test::More->builder;
    my $dir = $ENV{TEST_JOBSCOUT_SCREENSHOTS} // "$Root/var/test/screenshots";
    make_path($dir);
    my $shot = "$dir/$name.png";
    unlink $shot;
    local $ENV{WEB_BASE_URL} = $a{base};
    local $ENV{WEB_SCREENSHOT} = $shot;
    local $ENV{WEB_ARGS} = JSON::PP->new->canonical->encode($a{args} // {});
    local $ENV{JOBSCOUT_WEB_DIR} = "$Root/conf/web";
    local $ENV{CHROMIUM} = $Chromium;
    my ($out, $err) = ('', '');
    my $ran = eval {
        IPC::Run::run(['node', $script], '<', \undef, '>', \$out,
                      '2>', \$err, IPC::Run::timeout($a{timeout} // 300));
        1;
    };
    my $values = {};
    my ($problems, $saved);
    for my $line (split /\n/, $out) {
        my $m = eval { JSON::PP::decode_json($line) };
        if (!$m) {
            $tb->diag("$name: $line");
        } elsif (exists $m->{check}) {
            $tb->ok($m->{ok}, "$name: $m->{check}")
                or $tb->diag($m->{diag} // '');
        } elsif ($m->{problems}) {
            $problems = $m->{problems};
        } elsif (exists $m->{screenshot}) {
            $saved = $m->{screenshot};
        } elsif ($m->{values}) {
            $values = $m->{values};
        }
    }
    $tb->ok($ran && defined $problems,
            "$name: the browser ran the script to its end")
        or $tb->diag("$@$err");
    $tb->is_eq(join("\n", @{ $problems // [] }), '',
               "$name: no console error, exception or CSP violation");
    $tb->ok(defined $saved && -s $shot, "$name: screenshot in $shot");
    return $values;
}

1;
