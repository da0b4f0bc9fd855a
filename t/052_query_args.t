# Every API route of the route table (GET /api/v1/_test/routes) called
# with a query parameter it does not read: 422 naming it, before its body
# is looked at, and nothing written.  None is served as if the parameter
# were not there (nor cached under each such query string).  The routes
# that read some (the lists, unsubscribe) refuse one they do not know the
# same way.
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api(http => "    jobscout_test_endpoints on;\n");

my ($s, $routes) = api(GET => '/_test/routes');
is($s, 200, 'the route table is dumped');
# logout last: it ends the session the others are called in
my @api = sort { ($a->{path} =~ /logout/) <=> ($b->{path} =~ /logout/) }
          grep { $_->{path} =~ m{^/api/v1/} && $_->{path} !~ m{/_test/} }
          @$routes;
ok(@api >= 80, scalar(@api) . ' API routes to walk');

my ($admin, $admin_token) = admin('asker');
my $company = company('Asked Ltd');
psql("INSERT INTO user_skills (user_id, skill_name) VALUES ('$admin', 'Go')");
my $rows = sub {
    join ' ', map { psql("SELECT count(*) FROM $_") }
        qw(users admin_audit companies job_sources user_skills user_tokens
           logged_jobs user_job_alerts user_education task_outbox)
};
my $before = $rows->();

# real names for the path's parameters where a route checks them first
my %param = ('{slug}' => 'asked-ltd', '{name*}' => 'Go');
for my $route (@api) {
    my $path = $route->{path} =~ s{(\{[\w*]+\})}{
        $param{$1} // '00000000-0000-4000-8000-000000000000'
    }ger =~ s{^/api/v1}{}r;
    $path =~ s/asked-ltd/psql("SELECT slug FROM companies WHERE id = '$company'")/e;
    # a body the route could take, were the parameter not refused first
    my $body = $route->{method} =~ /^(POST|PATCH|PUT|DELETE)$/ ? {} : undef;
    my ($st, $d) = api($route->{method} => "$path?junk=1", $body, $admin_token);
    is("$st " . ($d->{error}{field} // ''), '422 junk',
       "$route->{method} $route->{path}?junk=1: 422 naming junk");
}
is($rows->(), $before, 'nothing written');

# a route that reads parameters: still 422 for one it does not know
my ($st, $d) = api(GET => '/jobs?limit=5&junk=1', undef,
                   JobScout::Token::token(claims => { sub => $admin }));
is("$st $d->{error}{field}", '422 junk', 'GET /jobs?limit=5&junk=1: 422 naming junk');
# and the probes, outside the API, answer whatever the query string
my ($hs) = http_request("GET /health?junk=1 HTTP/1.1\r\nHost: localhost\r\n"
                        . "Connection: close\r\n\r\n", 10);
is($hs, 200, 'GET /health?junk=1: 200');

done_testing;
