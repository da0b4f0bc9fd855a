# /docs in a real browser: the API reference rendered by Swagger UI (npm's
# swagger-ui-dist, served from this origin) from the served OpenAPI
# description, under the pages' strict CSP (no inline script, no eval),
# and its "try it out" of GET /health/ready answered by this server.
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::TestNginx qw(:all);
use JobScout::Browser qw(browse start_pages);

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $base = start_pages();

my ($s, $h, $body) = http_request("GET /docs HTTP/1.1\r\nHost: localhost\r\n"
                                  . "Connection: close\r\n\r\n", 10);
is($s, 200, '/docs answers 200');
unlike($h->{'content-security-policy'} // '', qr/unsafe-(?:inline|eval)/,
       '... under a CSP without unsafe-inline or unsafe-eval');
like($body, qr{<script src="/assets/swagger-ui-bundle\.[0-9a-f]{12}\.js"},
     '... Swagger UI from this origin, hashed');

browse('151_docs', 't/web/docs.mjs', base => $base);

stop_nginx();
done_testing();
