# conf/openapi.json against the route table: every route of the table is
# described (method and path exactly) and nothing else is; who may call it,
# its body and its path parameters agree; every $ref resolves; and a route
# that refuses unknown query parameters takes exactly the documented ones.
# Also: GET /api/v1/openapi.json serves the file; jobscout_openapi_file
# refuses what is not an OpenAPI 3.1 document.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(decode_json);
use File::Temp ();
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Token ();

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $file = "$ENV{TEST_JOBSCOUT_ROOT}/conf/openapi.json";
my $table = 'the route table (ngx_module/ngx_http_jobscout_routes.c)';
my $doc_name = 'conf/openapi.json';

my $http = <<"EOC";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
EOC

sub get {
    my ($path, $token) = @_;
    my ($status, $h, $raw) = http_request(
        "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        . ($token ? "Authorization: Bearer $token\r\n" : '') . "\r\n", 10);
    return ($status, eval { decode_json($raw) }, $h);
}

# --- the directive -----------------------------------------------------------

my $dir = File::Temp->newdir;
my %bad = (
    'missing.json'  => undef,
    'broken.json'   => '{"openapi": "3.1.0", "paths": {',
    'swagger.json'  => '{"swagger": "2.0", "paths": {}}',
    'v30.json'      => '{"openapi": "3.0.3", "paths": {}}',
    'nopaths.json'  => '{"openapi": "3.1.0"}',
    'dup.json'      => '{"openapi": "3.1.0", "openapi": "3.1.0", "paths": {}}',
);
for my $name (sort keys %bad) {
    if (defined $bad{$name}) {
        open my $fh, '>', "$dir/$name" or die $!;
        print $fh $bad{$name};
        close $fh;
    }
    write_config(http_config => "$http    jobscout_openapi_file $dir/$name;\n",
                 config => 'location / { jobscout_api; }');
    my ($rc, $err) = test_config();
    isnt($rc, 0, "nginx -t refuses $name");
    like($err, qr/jobscout_openapi_file.*\Q$name\E/, '... naming the directive and the file');
}

write_config(http_config => "$http    jobscout_openapi_file $file;\n"
                            . "    jobscout_openapi_file $file;\n",
             config => 'location / { jobscout_api; }');
my ($rc, $err) = test_config();
like($err, qr/"jobscout_openapi_file" directive is duplicate/, 'a second jobscout_openapi_file is refused');

# without the directive, the route answers 404
write_config(http_config => $http, config => 'location / { jobscout_api; }');
my ($ok, $start_err) = start_nginx();
ok($ok, 'nginx starts without a description') or diag $start_err;
my ($s, $d) = get('/api/v1/openapi.json');
is($s, 404, 'no description configured: 404');
is($d->{error}{code}, 'not_found', '... not_found');
stop_nginx();

# --- the description and the table -------------------------------------------

write_config(workers => 1,
             http_config => "$http    jobscout_openapi_file $file;\n"
                            . "    jobscout_test_endpoints on;\n",
             config => 'location / { jobscout_api; }');
my $log_start = error_log_size();
($ok, $start_err) = start_nginx();
ok($ok, 'nginx starts with conf/openapi.json') or diag $start_err;
for (1 .. 100) { my ($st) = get('/health/ready'); last if $st && $st == 200; sleep 0.03 }

my $h;
($s, my $doc, $h) = get('/api/v1/openapi.json');
is($s, 200, 'GET /api/v1/openapi.json: 200, without a token');
like($h->{'content-type'}, qr{^application/json}, '... JSON');
my $on_disk = do { local $/; open my $fh, '<', $file or die $!; decode_json(<$fh>) };
is_deeply($doc, $on_disk, '... the document of the file');
like($doc->{openapi}, qr/^3\.1\./, '... OpenAPI 3.1');

($s, $d) = get('/api/v1/openapi.json?x=1');
is($s, 422, 'an unknown parameter: 422');

my ($rs, $routes) = get('/api/v1/_test/routes');
is($rs, 200, 'the route table is dumped');
ok(ref $routes eq 'ARRAY' && @$routes >= 10, '... with its routes');
ok(!grep({ $_->{path} =~ m{/_test/} } @$routes), '... test routes left out');

my (%in_table, %in_doc);
# "{name*}" (the rest of the path) is the description's "{name}"
$_->{path} =~ s/\*\}/}/g for @$routes;
$in_table{"$_->{method} $_->{path}"} = $_ for @$routes;
for my $path (keys %{ $doc->{paths} }) {
    for my $method (keys %{ $doc->{paths}{$path} }) {
        next unless $method =~ /^(get|put|post|delete|patch|head|options|trace)$/;
        $in_doc{uc($method) . " $path"} = $doc->{paths}{$path}{$method};
    }
}

my @undocumented = sort grep { !$in_doc{$_} } keys %in_table;
my @unrouted = sort grep { !$in_table{$_} } keys %in_doc;
ok(!@undocumented, "every route of $table is in $doc_name")
    or diag "in $table but missing from $doc_name (add them under \"paths\"):\n"
            . join('', map { "    $_\n" } @undocumented);
ok(!@unrouted, "every operation of $doc_name is a route of $table")
    or diag "in $doc_name but not in $table (remove them, or add the routes):\n"
            . join('', map { "    $_\n" } @unrouted);

# a JSON pointer of the document
sub resolve {
    my ($ref) = @_;
    return undef unless $ref =~ m{^#/(.*)$};
    my $node = $doc;
    for my $part (split m{/}, $1) {
        $part =~ s/~1/\//g;
        $part =~ s/~0/~/g;
        return undef unless ref $node eq 'HASH' && exists $node->{$part};
        $node = $node->{$part};
    }
    return $node;
}

sub deref { my ($n) = @_; $n = resolve($n->{'$ref'}) while ref $n eq 'HASH' && $n->{'$ref'}; $n }

my @dangling;
my @todo = ($doc);
while (my $node = shift @todo) {
    if (ref $node eq 'HASH') {
        push @dangling, $node->{'$ref'}
            if defined $node->{'$ref'} && !defined resolve($node->{'$ref'});
        push @todo, values %$node;
    } elsif (ref $node eq 'ARRAY') {
        push @todo, @$node;
    }
}
ok(!@dangling, "every \$ref of $doc_name resolves") or diag "dangling: @dangling";

my %ids;
my $secured = $doc->{security} // [];
for my $key (sort grep { $in_doc{$_} } keys %in_table) {
    my ($route, $op) = ($in_table{$key}, $in_doc{$key});

    ok($op->{operationId} && !$ids{ $op->{operationId} }++, "$key: a unique operationId");

    my $security = $op->{security} // $secured;
    my $needs_token = grep { exists $_->{bearerAuth} } @$security;
    is($needs_token ? 'token' : 'public', $route->{auth} eq 'none' ? 'public' : 'token',
       "$key: the description and the table agree on the bearer token");

    my $responses = $op->{responses} // {};
    ok(grep(/^2\d\d$/, keys %$responses), "$key: a 2xx answer is described");
    ok($responses->{401}, "$key: its 401 is described") if $needs_token;

    # a raw route (a webhook) takes any body as it comes: no JSON answers
    my $body = deref($op->{requestBody});
    my $json = $route->{body} && !$route->{raw};
    is($body && $body->{content}{'application/json'} ? 1 : 0, $json ? 1 : 0,
       "$key: a JSON request body exactly when the route reads one");
    ok($responses->{422} && $responses->{400} && $responses->{415},
       "$key: the answers to a bad body are described") if $json;
    ok($body && $body->{content}{'*/*'}, "$key: any request body described")
        if $route->{raw};

    my @params = map { deref($_) } @{ $op->{parameters} // [] };
    my @in_path = sort map { $_->{name} } grep { $_->{in} eq 'path' } @params;
    my @pattern = sort $route->{path} =~ /\{(\w+)\}/g;
    is("@in_path", "@pattern", "$key: the path parameters are described");
    ok(!grep({ $_->{in} eq 'path' && !$_->{required} } @params),
       "$key: path parameters are required");
}

# the query parameters of routes that refuse unknown ones
my $token = JobScout::Token::token();
for my $key (sort grep { $in_doc{$_} && /^GET / } keys %in_table) {
    my ($route, $op) = ($in_table{$key}, $in_doc{$key});
    my $path = $route->{path};
    $path =~ s/\{id\}/00000000-0000-4000-8000-000000000000/g;
    $path =~ s/\{\w+\}/no-such-thing/g;

    my ($st, $answer) = get("$path?zz_undocumented=1", $token);
    next unless $st == 422 && ($answer->{error}{field} // '') eq 'zz_undocumented';

    for my $p (grep { $_->{in} eq 'query' } map { deref($_) } @{ $op->{parameters} // [] }) {
        ($st, $answer) = get("$path?$p->{name}=x", $token);
        ok(!($st == 422 && $answer->{error}{message} =~ /unknown parameter/),
           "$key: the documented query parameter \"$p->{name}\" is taken");
    }
}

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');

done_testing();
