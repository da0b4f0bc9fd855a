# GET /alerts (filters, keyset pages), unread-count, read-all, GET and PATCH
# /alerts/{id}; another user's alert is a 404 everywhere; malformed ids,
# cursors and arguments are refused before any query.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use MIME::Base64 qw(encode_base64url);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($amina, $token) = user('amina');
my ($baraka, $other) = user('baraka');
my $company = company('Safaricom');

# five alerts an hour apart, newest first: 0 unread, 1 read+saved, 2 read,
# 3 unread+saved, 4 read and applied
my @jobs = map { job($company, title => "'Engineer $_'",
                     apply_url => "'https://example.com/$_'") } 0 .. 4;
my @alerts = map {
    alert($amina, $jobs[$_], match_score => 90 - $_,
          created_at => "now() - interval '$_ hours'",
          is_read => ($_ == 1 || $_ == 2 || $_ == 4 ? 'true' : 'false'),
          is_saved => ($_ == 1 || $_ == 3 ? 'true' : 'false'),
          $_ == 4 ? (is_applied => 'true',
                     application_status => "'Applied'") : ())
} 0 .. 4;
my $theirs = alert($baraka, $jobs[0]);

sub ids { return [ map { $_->{id} } @{ $_[0]{items} } ] }

my ($s, $d, $h) = api(GET => '/alerts');
is($s, 401, 'no token: 401');

($s, $d) = api(GET => '/alerts', undef, $token);
is($s, 200, 'GET /alerts: 200');
is_deeply(ids($d), \@alerts, '... my five alerts, newest first, not theirs');
is($d->{next_cursor}, undef, '... one page: no next cursor');
my $first = $d->{items}[0];
is($first->{job}{title}, 'Engineer 0', '... each with its job embedded');
is($first->{job}{company}{name}, 'Safaricom', '... and the job\'s company');
is($first->{job}{apply_url}, 'https://example.com/0', '... and where to apply');
is($first->{kind}, 'alert', '... kind alert');
is($first->{match_score}, 90, '... the match score');
is_deeply($first->{next_statuses}, ['Applied'],
          '... what its status may become');
is($d->{items}[4]{application_status}, 'Applied', '... the status');

# keyset pages
my (@seen, $cursor, $pages);
do {
    ($s, $d) = api(GET => '/alerts?limit=2'
                          . ($cursor ? "&cursor=$cursor" : ''), undef, $token);
    is($s, 200, 'a page of 2: 200');
    push @seen, @{ ids($d) };
    $cursor = $d->{next_cursor};
    $pages++;
} while ($cursor && $pages < 5);
is($pages, 3, 'five alerts by two: three pages');
is_deeply(\@seen, \@alerts, '... every alert once, in order');

# alerts made in the same instant are told apart by id
my @twins = map { alert($baraka, $jobs[$_], created_at => "'2026-01-01T00:00:00Z'") } 1 .. 3;
@seen = ();
$cursor = undef;
for (1 .. 4) {
    ($s, $d) = api(GET => '/alerts?limit=1'
                          . ($cursor ? "&cursor=$cursor" : ''), undef, $other);
    push @seen, @{ ids($d) };
    last unless $cursor = $d->{next_cursor};
}
is_deeply([ sort @seen ], [ sort $theirs, @twins ],
          'equal times: one page at a time still reaches every alert once');

# filters
($s, $d) = api(GET => '/alerts?unread=true', undef, $token);
is_deeply(ids($d), [ @alerts[0, 3] ], 'unread=true');
($s, $d) = api(GET => '/alerts?unread=false', undef, $token);
is_deeply(ids($d), [ @alerts[1, 2, 4] ], 'unread=false');
($s, $d) = api(GET => '/alerts?saved=true', undef, $token);
is_deeply(ids($d), [ @alerts[1, 3] ], 'saved=true');
($s, $d) = api(GET => '/alerts?status=Applied', undef, $token);
is_deeply(ids($d), [ $alerts[4] ], 'status=Applied');
($s, $d) = api(GET => '/alerts?saved=true&unread=true', undef, $token);
is_deeply(ids($d), [ $alerts[3] ], 'saved=true&unread=true');
($s, $d) = api(GET => '/alerts?unread=false&limit=1', undef, $token);
($s, $d) = api(GET => "/alerts?unread=false&limit=1&cursor=$d->{next_cursor}",
               undef, $token);
is_deeply(ids($d), [ $alerts[2] ], 'a filter and a cursor together');

my $uuid = '123e4567-e89b-42d3-a456-426614174000';

# a cursor made by hand is only a position among my own alerts
($s, $d) = api(GET => '/alerts?cursor='
                      . encode_base64url("9000000000000000|$uuid"),
               undef, $token);
is_deeply(ids($d), \@alerts, 'a far-future cursor: my alerts, no one else\'s');

# unread-count and read-all
($s, $d) = api(GET => '/alerts/unread-count', undef, $token);
is($s, 200, 'unread-count: 200');
is_deeply($d, { unread => 2 }, '... 2 unread');

($s, $d) = api(PATCH => "/alerts/$alerts[0]", { is_read => JSON::PP::true },
               $token);
is($s, 200, 'PATCH is_read: 200');
ok($d->{is_read}, '... read');
($s, $d) = api(GET => '/alerts/unread-count', undef, $token);
is($d->{unread}, 1, '... 1 unread left');

my $their_unread = psql("SELECT count(*) FROM user_job_alerts"
                        . " WHERE user_id = '$baraka' AND NOT is_read");
($s, $d) = api(POST => '/alerts/read-all', undef, $token);
is($s, 200, 'read-all: 200');
is_deeply($d, { updated => 1 }, '... one alert marked read');
($s, $d) = api(GET => '/alerts/unread-count', undef, $token);
is($d->{unread}, 0, '... none unread');
is(psql("SELECT count(*) FROM user_job_alerts"
        . " WHERE user_id = '$baraka' AND NOT is_read"),
   $their_unread, '... another user\'s alerts untouched');
($s, $d) = api(POST => '/alerts/read-all', undef, $token);
is_deeply($d, { updated => 0 }, 'read-all again: nothing to do');

# one alert
($s, $d) = api(GET => "/alerts/$alerts[1]", undef, $token);
is($s, 200, 'GET /alerts/{id}: 200');
is($d->{id}, $alerts[1], '... that alert');
is($d->{job}{title}, 'Engineer 1', '... with its job');

# PATCH: flags and notes
($s, $d) = api(PATCH => "/alerts/$alerts[0]",
               { is_saved => JSON::PP::true, is_read => JSON::PP::false,
                 notes => "Call Wanjiru\non Monday" }, $token);
is($s, 200, 'PATCH is_saved, is_read, notes: 200');
ok($d->{is_saved} && !$d->{is_read}, '... flags set');
is($d->{notes}, "Call Wanjiru\non Monday", '... notes kept, lines and all');
($s, $d) = api(PATCH => "/alerts/$alerts[0]", { is_saved => JSON::PP::false },
               $token);
is($d->{notes}, "Call Wanjiru\non Monday", '... a PATCH without notes keeps them');
ok(!$d->{is_saved}, '... and unsaves');
($s, $d) = api(PATCH => "/alerts/$alerts[0]", { notes => undef }, $token);
is($d->{notes}, undef, 'notes: null clears them');

# another user's alert: 404 on every route, and nothing changes
my $before = psql("SELECT row_to_json(a) FROM user_job_alerts a WHERE id = '$theirs'");
for my $req ([GET => "/alerts/$theirs"],
             [PATCH => "/alerts/$theirs", { is_saved => JSON::PP::true }],
             [PATCH => "/alerts/$theirs", { notes => 'mine now' }],
             [PATCH => "/alerts/$theirs", { is_applied => JSON::PP::true }],
             [PATCH => "/alerts/$theirs/status", { status => 'Applied' }],
             [GET => "/alerts/$theirs/history"])
{
    ($s, $d) = api($req->[0], $req->[1], $req->[2], $token);
    is($s, 404, "$req->[0] $req->[1] of another user: 404");
    is($d->{error}{code}, 'not_found', '... not_found');
}
is(psql("SELECT row_to_json(a) FROM user_job_alerts a WHERE id = '$theirs'"),
   $before, '... their alert is unchanged');
is(psql("SELECT count(*) FROM application_status_history"
        . " WHERE alert_id = '$theirs'"), 0, '... and has no history');

# an id that is not one
for my $id ('123', 'not-a-uuid', uc($uuid) . 'a', substr($uuid, 0, 35) . 'g',
            '%2e%2e', $uuid)
{
    ($s, $d) = api(GET => "/alerts/$id", undef, $token);
    is($s, 404, "GET /alerts/$id: 404");
    ($s, $d) = api(PATCH => "/alerts/$id/status", { status => 'Applied' },
                   $token);
    is($s, 404, "... PATCH its status: 404");
}

($s, $d, $h) = api(DELETE => "/alerts/$alerts[0]", undef, $token);
is($s, 405, 'DELETE /alerts/{id}: 405');
is($h->{allow}, 'GET, HEAD, PATCH', '... Allow: GET, HEAD, PATCH');

# a deleted account sees nothing, even with a token still unexpired
psql("UPDATE users SET deleted_at = now() WHERE id = '$amina'");
($s, $d) = api(GET => '/alerts', undef, $token);
is_deeply($d->{items}, [], 'a deleted account: no alerts listed');
($s) = api(GET => "/alerts/$alerts[0]", undef, $token);
is($s, 404, '... nor found');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
