package JobScout::Shipped;

# nginx with the shipped conf/nginx.conf, rendered as conf/stack.sh renders
# it, in the test server root:
#
#   my $log_start = start_shipped(edit => sub { $_[0] =~ s/.../.../ });
#
# edit may change the rendered text (it gets it as $_[0]).  Checks it with
# nginx -t, starts nginx, waits for /health/ready, and returns the error
# log's size before the start.

use strict;
use warnings;

use Exporter 'import';
use File::Copy qw(copy);
use File::Path qw(make_path);
use Time::HiRes qw(sleep);

use Test::More ();
use JobScout::TestNginx qw(:all);

our @EXPORT = qw(start_shipped);

sub start_shipped {
    my (%o) = @_;
    my $root = $ENV{TEST_JOBSCOUT_ROOT};
    my $servroot = servroot();

    clean_servroot();
    make_path("$servroot/tmp");
    copy("$root/conf/openapi.json", "$servroot/conf/openapi.json") or die $!;

    open my $in, '<', "$root/conf/nginx.conf" or die $!;
    my $conf = do { local $/; <$in> };
    my %value = (
        MODULE => $ENV{TEST_NGINX_LOAD_MODULES},
        LISTEN => '127.0.0.1:' . server_port(),
        TEMP => "$servroot/tmp", PG_CONNINFO => $ENV{TEST_NGINX_PG},
        REDIS_ADDR => $ENV{TEST_NGINX_REDIS},
        JWT_KEY => $ENV{TEST_NGINX_JWT_KEY},
        WEBHOOK_KEY => $ENV{TEST_NGINX_WEBHOOK_KEY},
    );
    $conf =~ s/@(\w+)@/$value{$1} \/\/ die "no value for \@$1\@"/ge;
    $o{edit}->($conf) if $o{edit};

    # nginx started by root runs its workers as nobody: they write bodies
    chown scalar(getpwnam('nobody')), -1, "$servroot/tmp" if $> == 0;
    open my $out, '>', conf_file() or die $!;
    print $out $conf;
    close $out;

    my ($rc, $err) = test_config();
    Test::More::is($rc, 0, 'nginx -t accepts the shipped configuration')
        or Test::More::diag($err);

    my $log_start = error_log_size();
    my ($ok, $start_err) = start_nginx();
    Test::More::ok($ok, 'nginx starts with it') or Test::More::diag($start_err);
    for (1 .. 100) {
        my ($s) = http_request("GET /health/ready");
        last if $s && $s == 200;
        sleep 0.03;
    }
    return $log_start;
}

1;
