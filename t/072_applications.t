# The application tracker: POST /applications logs an application for a
# job found elsewhere, privately (no public job or company appears); GET
# /applications lists both kinds, which move through statuses alike;
# another user's application is a 404.
use strict;
use warnings;

use lib 't/lib';
use Test::More;

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($user, $token) = user('njeri');
my ($other_user, $other) = user('otieno');
my $company = company('Andela');
my $company_name = psql("SELECT name FROM companies WHERE id = '$company'");
my $slug = psql("SELECT slug FROM companies WHERE id = '$company'");

sub ids { return [ map { $_->{id} } @{ $_[0]{items} } ] }
sub public_rows {
    return psql("SELECT (SELECT count(*) FROM jobs) || ' '"
                . " || (SELECT count(*) FROM companies)");
}

# an alert applied to a week ago, and one never applied to
my $applied = alert($user, job($company, title => "'Go Engineer'"),
                    created_at => "now() - interval '8 days'");
my ($s, $d) = api(PATCH => "/alerts/$applied/status", { status => 'Applied' },
                  $token);
is($s, 200, 'an alert applied to');
psql("UPDATE user_job_alerts SET applied_at = now() - interval '7 days'"
     . " WHERE id = '$applied'");
my $matched = alert($user, job($company));

my $public = public_rows();

($s, $d) = api(POST => '/applications',
               { title => '  Platform Engineer ', company => 'Kopo Kopo',
                 url => 'HTTPS://kopokopo.co.ke/careers/42',
                 notes => "Referred by Akinyi\nFollow up Friday" }, $token);
is($s, 201, 'POST /applications: 201');
my $logged = $d->{id};
is($d->{kind}, 'logged', '... kind logged');
is($d->{application_status}, 'Applied', '... Applied');
ok($d->{is_applied} && $d->{is_read}, '... applied, and nothing to read');
is($d->{job}{title}, 'Platform Engineer', '... the title, trimmed');
is($d->{job}{company}{name}, 'Kopo Kopo', '... the company as written');
is($d->{job}{company}{slug}, undef, '... an unknown company has no slug');
is($d->{job}{id}, undef, '... and the job no public id');
is($d->{job}{apply_url}, 'https://kopokopo.co.ke/careers/42',
   '... the URL, its scheme in lowercase');
is($d->{notes}, "Referred by Akinyi\nFollow up Friday", '... the notes');
is_deeply($d->{next_statuses}, [qw(Interviewing Rejected Withdrawn)],
          '... and where it may go');
is(public_rows(), $public, 'no job and no company was created');

($s, $d) = api(POST => '/applications',
               { title => 'Senior Engineer', company => lc $company_name },
               $token);
is($s, 201, 'an application at a known company: 201');
my $known = $d->{id};
is($d->{job}{company}{slug}, $slug, '... linked to that company');
is($d->{job}{company}{name}, $company_name, '... by its own name');
is($d->{job}{apply_url}, undef, '... no URL given');
is($d->{notes}, undef, '... no notes given');
is(public_rows(), $public, '... and still nothing public created');

# the list: both kinds, most recently applied first; matches not applied
# to are not applications
($s, $d) = api(GET => '/applications', undef, $token);
is($s, 200, 'GET /applications: 200');
is_deeply(ids($d), [ $known, $logged, $applied ],
          '... both kinds, newest application first');
is_deeply([ map { $_->{kind} } @{ $d->{items} } ], [qw(logged logged alert)],
          '... each saying its kind');
is($d->{items}[2]{job}{title}, 'Go Engineer', '... alerts with their job');

($s, $d) = api(GET => '/alerts', undef, $token);
is_deeply([ sort @{ ids($d) } ], [ sort $applied, $matched ],
          'GET /alerts lists matches only');
($s, $d) = api(GET => '/alerts/unread-count', undef, $token);
is($d->{unread}, 2, '... and counts them only');

# a logged application moves like an alert
for my $to (qw(Interviewing Offer)) {
    ($s, $d) = api(PATCH => "/alerts/$logged/status", { status => $to },
                   $token);
    is($s, 200, "logged -> $to: 200");
}
($s, $d) = api(PATCH => "/alerts/$logged/status", { status => 'Applied' },
               $token);
is($s, 409, '... Offer -> Applied: 409');
($s, $d) = api(GET => "/alerts/$logged/history", undef, $token);
is_deeply([ map { ($_->{from_status} // '') . '>' . $_->{to_status} }
            @{ $d->{items} } ],
          ['>Applied', 'Applied>Interviewing', 'Interviewing>Offer'],
          '... with its history');
($s, $d) = api(PATCH => "/alerts/$known", { is_applied => JSON::PP::false },
               $token);
is($s, 409, 'a logged application cannot be taken back to not applied');
is($d->{error}{code}, 'invalid_transition', '... invalid_transition');
($s, $d) = api(PATCH => "/alerts/$known", { notes => 'Phone screen done' },
               $token);
is($d->{notes}, 'Phone screen done', 'its notes change like an alert\'s');

($s, $d) = api(GET => '/applications?status=Offer', undef, $token);
is_deeply(ids($d), [ $logged ], 'status=Offer');
($s, $d) = api(GET => '/applications?status=Applied', undef, $token);
is_deeply(ids($d), [ $known, $applied ], 'status=Applied');

my (@seen, $cursor);
for (1 .. 4) {
    ($s, $d) = api(GET => '/applications?limit=1'
                          . ($cursor ? "&cursor=$cursor" : ''), undef, $token);
    push @seen, @{ ids($d) };
    last unless $cursor = $d->{next_cursor};
}
is_deeply(\@seen, [ $known, $logged, $applied ], 'pages of one: all, once');

# someone else's applications are not found, and not listed
($s, $d) = api(GET => '/applications', undef, $other);
is_deeply($d->{items}, [], 'another user lists none of mine');
for my $req ([GET => "/alerts/$logged"],
             [GET => "/alerts/$logged/history"],
             [PATCH => "/alerts/$logged/status", { status => 'Rejected' }],
             [PATCH => "/alerts/$logged", { notes => 'seen' }])
{
    ($s, $d) = api($req->[0], $req->[1], $req->[2], $other);
    is($s, 404, "$req->[0] $req->[1] by another user: 404");
}
is(psql("SELECT application_status || coalesce(notes, '') FROM user_job_alerts"
        . " WHERE id = '$logged'"),
   "OfferReferred by Akinyi\nFollow up Friday", '... and it is unchanged');

# refused bodies (each one: t/070_alerts_requests.t) store nothing
for my $bad ([{ company => 'A' }, 'title'],
             [{ title => 'A', company => 'A', user_id => $other_user },
              'user_id'])
{
    ($s, $d) = api(POST => '/applications', $bad->[0], $token);
    is($s, 422, 'POST ' . JSON::PP->new->canonical->encode($bad->[0])
                . ': 422');
    is($d->{error}{field}, $bad->[1], "... names $bad->[1]");
}
is(psql("SELECT count(*) FROM logged_jobs WHERE user_id = '$user'"), 2,
   'refused bodies store nothing');

# the data export carries logged applications too
(my $s_export, my $export) = api(GET => '/users/me/data-export', undef, $token);
is($s_export, 200, 'data export: 200');
my ($exported) = grep { $_->{id} eq $logged } @{ $export->{alerts} };
is($exported->{logged_job}{title}, 'Platform Engineer',
   '... with the logged job');
is(scalar @{ $exported->{status_history} }, 3, '... and its history');

# a deleted account logs nothing
psql("UPDATE users SET deleted_at = now() WHERE id = '$user'");
($s, $d) = api(POST => '/applications', { title => 'A', company => 'B' },
               $token);
is($s, 404, 'a deleted account: 404');
is(psql("SELECT count(*) FROM logged_jobs WHERE user_id = '$user'"), 2,
   '... nothing stored');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
