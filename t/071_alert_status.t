# PATCH /alerts/{id}/status: every change on the status graph is allowed
# and recorded in the history, every change off it is a 409 that changes
# nothing, whichever route (or SQL) attempts it.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use POSIX ();

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($user, $token) = user('chebet');
my $company = company('M-KOPA');

# the graph, as README documents it
my @statuses = qw(Applied Interviewing Offer Rejected Withdrawn);
my %next = (''           => [qw(Applied)],
            Applied      => [qw(Interviewing Rejected Withdrawn)],
            Interviewing => [qw(Offer Rejected Withdrawn)],
            Offer        => [qw(Rejected Withdrawn)],
            Rejected     => [],
            Withdrawn    => []);

sub history {
    my ($id) = @_;
    my ($s, $d) = api(GET => "/alerts/$id/history", undef, $token);
    return [ map { ($_->{from_status} // '') . '>' . ($_->{to_status} // '') }
             @{ $d->{items} } ];
}

sub fresh_alert {
    my ($status) = @_;
    return alert($user, job($company),
                 $status ? (is_applied => 'true',
                            application_status => "'$status'") : ());
}

# one application, all the way
my $id = fresh_alert();
my @steps = ([Interviewing => 409], [Applied => 200], [Applied => 200],
             [Offer => 409], [Interviewing => 200], [Applied => 409],
             [Offer => 200], [Interviewing => 409], [Withdrawn => 200],
             [Applied => 409], [Offer => 409], [Rejected => 409]);
my ($s, $d);
for my $step (@steps) {
    ($s, $d) = api(PATCH => "/alerts/$id/status", { status => $step->[0] },
                   $token);
    is($s, $step->[1], "-> $step->[0]: $step->[1]");
    if ($step->[1] == 409) {
        is($d->{error}{code}, 'invalid_transition', '... invalid_transition');
    } else {
        is($d->{application_status}, $step->[0], '... the alert says so');
        ok($d->{is_applied}, '... and is applied');
    }
}
($s, $d) = api(PATCH => "/alerts/$id/status", { status => 'Offer' }, $token);
like($d->{error}{message},
     qr/from Withdrawn to Offer \(allowed: none, it is final\)/,
     'the refusal names both statuses and what is allowed');
is_deeply(history($id),
          ['>Applied', 'Applied>Interviewing', 'Interviewing>Offer',
           'Offer>Withdrawn'],
          'the history: each change once, oldest first, refusals absent');
($s, $d) = api(GET => "/alerts/$id/history", undef, $token);
is($d->{application_status}, 'Withdrawn', '... with the current status');
like($d->{items}[0]{changed_at}, qr/^\d{4}-\d\d-\d\dT/, '... and times');
ok(psql("SELECT applied_at IS NOT NULL FROM user_job_alerts WHERE id = '$id'")
   eq 't', 'applied_at was set when the application started');

# every pair of statuses, on alerts made in one go
my @pairs = map { my $from = $_; map { [$from, $_] } @statuses } '', @statuses;
my @pair_alerts = split /\n/, psql(
    "WITH p (n, status) AS (VALUES "
    . join(', ', map { "($_, " . ($pairs[$_][0] ? "'$pairs[$_][0]'" : 'NULL')
                       . ')' } 0 .. $#pairs)
    . "), j AS (INSERT INTO jobs (company_id, title)"
    . "  SELECT '$company', 'Pair ' || n FROM p RETURNING id, title)"
    . " INSERT INTO user_job_alerts (user_id, job_id, is_applied,"
    . "                              application_status, created_at)"
    . " SELECT '$user', j.id, p.status IS NOT NULL, p.status,"
    . "        now() - interval '1 year' - p.n * interval '1 second'"
    . "   FROM p JOIN j ON j.title = 'Pair ' || p.n"
    . " ORDER BY p.n RETURNING id");
is(scalar @pair_alerts, scalar @pairs, 'an alert for every pair');

for my $i (0 .. $#pairs) {
    my ($from, $to) = @{ $pairs[$i] };
    my $alert = $pair_alerts[$i];
    my $ok = grep { $_ eq $to } @{ $next{$from} };
    my $want = $ok || $from eq $to ? 200 : 409;
    ($s, $d) = api(PATCH => "/alerts/$alert/status", { status => $to },
                   $token);
    is($s, $want, ($from || 'not applied') . " -> $to: $want");
    is_deeply($d->{next_statuses}, $next{$to}, '... what may follow')
        if $ok;
}

# what is stored: the new status where allowed, else the old one; one
# history entry per allowed change, none for a refused or repeated one
is(psql("SELECT string_agg(coalesce(a.application_status, '') || ':'"
        . "  || (SELECT count(*) FROM application_status_history h"
        . "       WHERE h.alert_id = a.id), ' ' ORDER BY a.created_at DESC)"
        . "  FROM user_job_alerts a"
        . " WHERE a.id IN ('" . join("', '", @pair_alerts) . "')"),
   join(' ', map {
       my ($from, $to) = @$_;
       my $ok = grep { $_ eq $to } @{ $next{$from} };
       ($ok ? $to : $from) . ':' . (($from ? 1 : 0) + ($ok ? 1 : 0))
   } @pairs),
   'every pair: the stored status and the history entries');

# is_applied: the first step and its undo
$id = fresh_alert();
($s, $d) = api(PATCH => "/alerts/$id", { is_applied => JSON::PP::true },
               $token);
is($s, 200, 'is_applied true: 200');
is($d->{application_status}, 'Applied', '... starts the application');
ok($d->{applied_at}, '... applied_at set');
($s, $d) = api(PATCH => "/alerts/$id", { is_applied => JSON::PP::false },
               $token);
is($s, 200, 'is_applied false from Applied: 200');
ok(!$d->{is_applied} && !defined $d->{application_status}
   && !defined $d->{applied_at}, '... not applied any more');
is_deeply(history($id), ['>Applied', 'Applied>'],
          '... both recorded (to null: taken back)');
api(PATCH => "/alerts/$id/status", { status => 'Applied' }, $token);
api(PATCH => "/alerts/$id/status", { status => 'Interviewing' }, $token);
($s, $d) = api(PATCH => "/alerts/$id", { is_applied => JSON::PP::false,
                                         is_saved => JSON::PP::true },
               $token);
is($s, 409, 'is_applied false from Interviewing: 409');
is($d->{error}{code}, 'invalid_transition', '... invalid_transition');
is(psql("SELECT application_status || ' ' || is_saved FROM user_job_alerts"
        . " WHERE id = '$id'"), 'Interviewing false',
   '... nothing of that PATCH is stored');
($s, $d) = api(PATCH => "/alerts/$id", { is_applied => JSON::PP::true },
               $token);
is($d->{application_status}, 'Interviewing',
   'is_applied true when further along: the status stays');

# the graph holds for any writer, not only the API
$id = fresh_alert('Rejected');
my $out = `psql -X -q -v ON_ERROR_STOP=1 -d '$ENV{TEST_NGINX_PG}' -c "\\set VERBOSITY verbose" -c "UPDATE user_job_alerts SET application_status = 'Offer' WHERE id = '$id'" 2>&1`;
like($out, qr/JSA01/, 'a direct UPDATE off the graph: SQLSTATE JSA01');
psql("UPDATE user_job_alerts SET application_status = 'Interviewing'"
     . " WHERE id = '" . ($id = fresh_alert('Applied')) . "'");
is_deeply(history($id), ['>Applied', 'Applied>Interviewing'],
          'a direct UPDATE on the graph is recorded by the trigger');

# parallel retries of one change: one history entry
$id = fresh_alert('Applied');
my @kids;
for (1 .. 5) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my ($st) = api(PATCH => "/alerts/$id/status",
                       { status => 'Interviewing' }, $token);
        POSIX::_exit($st == 200 ? 0 : 1);
    }
    push @kids, $pid;
}
my $failed = grep { waitpid($_, 0); $? != 0 } @kids;
is($failed, 0, 'five parallel PATCHes of the same change: all 200');
is_deeply(history($id), ['>Applied', 'Applied>Interviewing'],
          '... and the change recorded once');

# bodies
$id = fresh_alert();
for my $bad ([{ status => 'interviewing' }, 'status'],
             [{ status => 3 }, 'status'], [{ status => undef }, 'status'],
             [{}, 'status'], [{ status => 'Applied', at => 'now' }, 'at'],
             [{ status => 'Applied ' }, 'status'])
{
    ($s, $d) = api(PATCH => "/alerts/$id/status", $bad->[0], $token);
    is($s, 422, 'PATCH status ' . JSON::PP->new->canonical->encode($bad->[0])
                . ': 422');
    is($d->{error}{field}, $bad->[1], "... names $bad->[1]");
}
($s) = api(PATCH => "/alerts/$id/status", undef, $token);
is($s, 415, 'no JSON body: 415');
is(scalar @{ history($id) }, 0, 'refused bodies change nothing');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
