# The landing page (/) in a real browser, served by the shipped nginx.conf:
# what the service is, its health (fetched from /health/ready), links to
# the docs and the console; the headers every page and asset carries (a
# strict Content-Security-Policy, nosniff, no referrer, no-cache for the
# HTML, a year's immutable cache for hashed assets).
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::TestNginx qw(:all);
use JobScout::Browser qw(browse start_pages);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $base = start_pages();

sub get {
    my ($path) = @_;
    return http_request("GET $path HTTP/1.1\r\nHost: localhost\r\n"
                        . "Connection: close\r\n\r\n", 10);
}

my ($s, $h, $body) = get('/');
is($s, 200, '/ answers 200');
like($h->{'content-type'} // '', qr{^text/html}, '... HTML');
my $csp = $h->{'content-security-policy'} // '';
like($csp, qr/(?:^|; )default-src 'self'(?:;|$)/, "... CSP: default-src 'self'");
like($csp, qr/(?:^|; )script-src 'self'(?:;|$)/, '... script from the origin only');
unlike($csp, qr/unsafe-(?:inline|eval)/, '... no unsafe-inline, no unsafe-eval');
like($csp, qr/frame-ancestors 'none'/, '... never framed');
is($h->{'x-content-type-options'}, 'nosniff', '... nosniff');
is($h->{'referrer-policy'}, 'no-referrer', '... no referrer (addresses carry tokens)');
is($h->{'cache-control'}, 'no-cache', '... no-cache');
unlike($body, qr/<script(?![^>]*\bsrc=)[^>]*>/i, '... no inline script');

my @assets = $body =~ m{(/assets/[^"]+)"}g;
ok(@assets >= 2, 'it names its assets: ' . join(' ', @assets));
for my $asset (@assets) {
    like($asset, qr{/assets/[\w-]+\.[0-9a-f]{12}\.(?:js|css|svg)$}, "$asset: hashed");
    ($s, $h) = get($asset);
    is($s, 200, "$asset: 200");
    my ($ext) = $asset =~ /\.(\w+)$/;
    like($h->{'content-type'} // '',
         { js => qr{^text/javascript}, css => qr{^text/css},
           svg => qr{^image/svg\+xml} }->{$ext}, '... its type');
    is($h->{'cache-control'}, 'public, max-age=31536000, immutable',
       '... kept a year, immutable');
    is($h->{'x-content-type-options'}, 'nosniff', '... nosniff');
}
($s) = get('/assets/nothing.0123456789ab.js');
is($s, 404, 'an unknown asset: 404');
($s, $h) = get('/health/ready');
is($s, 200, 'the API is still served beside the pages');
like($h->{'content-type'} // '', qr{^application/json}, '... in JSON');

browse('150_landing', 't/web/landing.mjs', base => $base);

stop_nginx();
done_testing();
