# Every admin route of the route table (GET /api/v1/_test/routes), walked
# with each caller that must be refused: no token or an admin's refresh
# token (401), a user's token (403), and the token of an admin demoted,
# disabled or deleted after it was issued (403: the role claim is still
# "admin", so only the statement's own check of the user can refuse it).
# Each route is called with a random id and with the id of a real row, with
# a body that would change something; no call may change a row or a Redis
# key.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP qw(encode_json);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Token qw(token);
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api(http => "    jobscout_test_endpoints on;\n");

my ($s, $routes) = api(GET => '/_test/routes');
is($s, 200, 'the route table is dumped');
my @admin = grep { $_->{auth} eq 'admin' } @$routes;
ok(@admin >= 30, scalar(@admin) . ' admin routes to walk');
is_deeply([ grep { $_->{path} =~ m{^/api/v1/admin/} && $_->{auth} ne 'admin' }
            @$routes ], [], 'every route under /api/v1/admin/ is for admins');
is_deeply([ grep { $_->{path} !~ m{^/api/v1/admin/} } @admin ], [],
          '... and every admin route is under it');

# --- the callers -------------------------------------------------------------

my ($user, $user_token) = user('walker');
my ($admin, $admin_token) = admin('mwangi');
my $refresh = token(claims => { sub => $admin, role => 'admin',
                                 use => 'refresh' });
my %refused = (
    'no token'                  => [401, 'unauthorized', undef],
    'an admin\'s refresh token' => [401, 'unauthorized', $refresh],
    'a user\'s token'           => [403, 'forbidden', $user_token],
);
for my $fate (['demoted', 'is_admin = false'],
              ['disabled', 'is_active = false'],
              ['deleted', 'deleted_at = now()'])
{
    my ($id, $token) = admin("admin-$fate->[0]");
    psql("UPDATE users SET $fate->[1] WHERE id = '$id'");
    $refused{"an admin $fate->[0] since the token was issued"} =
        [403, 'forbidden', $token];
}

# --- what the calls could change ---------------------------------------------

my $company = company('Walk Ltd');
my $source = psql("INSERT INTO job_sources (company_id, scraper_class,"
                  . " source_url) VALUES ('$company', 'greenhouse', 'walk')"
                  . " RETURNING id");
my ($victim) = user('victim');
my $task_id = random_hex(32);
redis('lpush', 'jobscout:dead',
      encode_json({ id => $task_id, kind => 'scrape.source',
                    args => { source_id => $source }, attempt => 5,
                    enqueued_at => time * 1000,
                    queue => 'jobscout:queue:scrape:normal',
                    error => 'HTTP 500', failed_at => time * 1000 }));

# the real row a route's {id} names, by the segment before it
my %real = (companies => $company, sources => $source, users => $victim,
            'dead-letters' => $task_id);

# valid bodies that would write, were the caller let through (an invalid
# one may be refused before the statement that checks the caller)
my $intruder = 'https://boards.example/intruder';
my %bodies = (
    'POST /api/v1/admin/companies' => { name => 'Intruder Ltd' },
    'PATCH /api/v1/admin/companies/{id}' => { name => 'Renamed',
                                              is_active => JSON::PP::false },
    'POST /api/v1/admin/sources' => { company_id => $company,
                                      scraper_class => 'greenhouse',
                                      source_url => $intruder },
    'POST /api/v1/admin/sources/test' => { scraper_class => 'greenhouse',
                                           source_url => $intruder },
    'PATCH /api/v1/admin/sources/{id}' => { priority => 'high',
                                            source_url => $intruder },
);

sub random_hex { join '', map { sprintf '%x', int rand 16 } 1 .. shift }

sub random_uuid {
    my $h = random_hex(32);
    substr($h, 12, 1) = '4';
    substr($h, 16, 1) = '8';
    return join '-', unpack 'A8 A4 A4 A4 A12', $h;
}

# the rows of the tables an admin changes, and every Redis key with the
# contents of the lists (queues, dead letters)
sub snapshot {
    my %state = map {
        $_ => psql("SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY"
                   . " t::text), '')) || ' ' || count(*) FROM $_ t")
    } qw(admin_audit companies job_sources users);
    my @keys = redis('keys', '*');
    for my $key (sort @keys) {
        $state{"redis $key"} = redis('type', $key) eq 'list'
                               ? join("\n", redis('lrange', $key, 0, -1))
                               : 'present';
    }
    return \%state;
}

# --- the walk ----------------------------------------------------------------

# other suites audit too: this one starts from an empty audit
psql('DELETE FROM admin_audit');
# a Redis another suite flushed is primed with the revocations by the
# first authenticated request: this one, not a refused call of the walk
api(GET => '/users/me', undef, $user_token);
for (1 .. 100) {
    last if defined redis('get', 'jobscout:revoked:primed');
    select undef, undef, undef, 0.05;
}
ok(defined redis('get', 'jobscout:revoked:primed'), 'the revocation cache is primed');
my $before = snapshot();
is(psql('SELECT count(*) FROM admin_audit'), 0, 'no audit row yet');

for my $route (@admin) {
    my $key = "$route->{method} $route->{path}";
    my @paths = ($route->{path} =~ s/\{\w+\}/random_uuid()/ger);
    if ($route->{path} =~ m{/([\w-]+)/\{id\}}) {
        my $id = $real{$1} // die "$key: no real row for {id} after /$1/";
        push @paths, $route->{path} =~ s/\{id\}/$id/r;
    }
    my $body = $route->{method} =~ /^(POST|PATCH)$/
               ? $bodies{$key} // {} : undef;

    for my $path (@paths) {
        (my $api_path = $path) =~ s{^/api/v1}{};
        for my $caller (sort keys %refused) {
            my ($status, $code, $token) = @{ $refused{$caller} };
            my ($st, $d, $h) = api($route->{method}, $api_path, $body, $token);
            is(($st // 'no answer') . ' ' . ($d->{error}{code} // 'no JSON'),
               "$status $code", "$route->{method} $path, $caller")
                or diag $d->{error}{message};
            ok($h->{'www-authenticate'}, '... with WWW-Authenticate')
                if $status == 401;
        }
    }
}

is_deeply(snapshot(), $before,
          'no refused call changed a row (audit, companies, sources, users)'
          . ' or Redis');

# the walk's tokens are right: an admin is answered, not refused
for my $route (grep { $_->{method} eq 'GET' } @admin) {
    (my $path = $route->{path}) =~ s{^/api/v1}{};
    $path =~ s{/([\w-]+)/\{id\}}{/$1/$real{$1}};
    my ($st, $d) = api(GET => $path, undef, $admin_token);
    ok($d && $st =~ /^[24]\d\d$/ && $st != 401 && $st != 403,
       "GET $path, an admin: answered ($st)")
        or diag $d->{error}{message};
}

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
