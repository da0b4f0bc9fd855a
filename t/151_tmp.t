use strict; use warnings; use lib 't/lib'; use Test::More; use Time::HiRes qw(sleep);
use JobScout::TestNginx qw(:all); use JobScout::Browser qw(browse);
write_shipped_config(); my ($ok,$err)=start_nginx(); ok($ok) or diag $err;
for (1 .. 100) { my ($s) = http_request("GET /health/ready"); last if $s && $s == 200; sleep 0.05 }
browse('151_docs', 't/web/docs.mjs', base => 'http://127.0.0.1:' . server_port());
stop_nginx(); done_testing();
