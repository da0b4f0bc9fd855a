# GET /users/me/dashboard against a known fixture: counts by status, new
# alerts this week, applications per week for the last 8 ISO weeks (UTC,
# zeros included) and the response rate.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use POSIX qw(strftime);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($user, $token) = user('zawadi');
my ($other_user, $other) = user('kamau');
my $company = company('Twiga Foods');

# W: this week's Monday, 00:00 UTC, as the database sees it
my $W = "(date_trunc('week', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')";

# an application applied at $when that went through @path
sub application {
    my ($when, @path) = @_;
    my $id = alert($user, job($company), is_read => 'true',
                   created_at => "$W - interval '10 weeks'",
                   is_applied => 'true', application_status => "'Applied'",
                   applied_at => "$W + $when");
    psql("UPDATE user_job_alerts SET application_status = '$_'"
         . " WHERE id = '$id'") for @path;
    return $id;
}

application("interval '1 hour'");                                   # A1
application("interval '-1 week' + interval '2 days'", 'Interviewing'); # A2
application("interval '-3 weeks' + interval '1 hour'", 'Rejected');  # A3
application("interval '-3 weeks' + interval '2 hours'", 'Withdrawn'); # A4
application("interval '-7 weeks' + interval '1 day'",
            'Interviewing', 'Offer');                              # A5
application("interval '-2 weeks'", 'Interviewing', 'Withdrawn');    # A6
application("interval '-9 weeks'");                                 # A7

# taken back: no longer an application
my $back = application("interval '-1 week'");
psql("UPDATE user_job_alerts SET application_status = NULL,"
     . " is_applied = false WHERE id = '$back'");

# A8, logged by hand this week
my ($s, $d) = api(POST => '/applications',
                  { title => 'Data Engineer', company => 'Sendy' }, $token);
is($s, 201, 'an application logged by hand');

# matches: two this week (one unread), one last week (unread)
alert($user, job($company), created_at => "$W + interval '1 minute'");
alert($user, job($company), created_at => "$W + interval '2 hours'",
      is_read => 'true');
alert($user, job($company), created_at => "$W - interval '1 day'");

# someone else's week counts for them only
alert($other_user, job($company), created_at => "$W + interval '1 hour'",
      is_applied => 'true', application_status => "'Applied'");

# the 8 Mondays, oldest first, computed here rather than by the database
my $now = psql("SELECT extract(epoch FROM now())::bigint");
my @t = gmtime $now;
my $monday = $now - (($t[6] + 6) % 7) * 86400 - $t[2] * 3600 - $t[1] * 60
             - $t[0];
my @weeks = map { strftime('%Y-%m-%d', gmtime($monday - $_ * 7 * 86400)) }
            reverse 0 .. 7;

($s, $d) = api(GET => '/users/me/dashboard', undef, $token);
is($s, 200, 'GET /users/me/dashboard: 200');
is_deeply($d->{by_status},
          { Applied => 3, Interviewing => 1, Offer => 1, Rejected => 1,
            Withdrawn => 2 },
          'by status: both kinds, taken-back ones left out');
is($d->{applications}, 8, 'eight applications');
is($d->{new_alerts_this_week}, 2, 'two new alerts this week');
is($d->{unread_alerts}, 2, 'two unread alerts');
is_deeply($d->{applications_per_week},
          [ map { { week_start => $weeks[$_],
                    applications => (1, 0, 0, 0, 2, 1, 1, 2)[$_] } } 0 .. 7 ],
          'applications per week: 8 Mondays, oldest first, zeros included');
# answered: Interviewing, Rejected, Offer, and withdrawn after an interview;
# not: withdrawn straight from Applied, and the three still Applied
is($d->{response_rate}, 0.5, 'response rate: 4 answered of 8');

($s, $d) = api(GET => '/users/me/dashboard', undef, $other);
is($d->{applications}, 1, 'another user: their own numbers');
is($d->{applications_per_week}[7]{applications}, 1, '... this week');
is($d->{new_alerts_this_week}, 1, '... their one alert');

my ($empty_user, $empty) = user('empty');
($s, $d) = api(GET => '/users/me/dashboard', undef, $empty);
is($s, 200, 'a new account: 200');
is($d->{applications}, 0, '... no applications');
is($d->{response_rate}, undef, '... no response rate (not 0)');
is(scalar @{ $d->{applications_per_week} }, 8, '... still 8 weeks');
is(scalar(grep { $_->{applications} == 0 } @{ $d->{applications_per_week} }),
   8, '... of zeros');

($s, $d) = api(GET => '/users/me/dashboard?weeks=12', undef, $token);
is($s, 422, 'an argument: 422');
is($d->{error}{field}, 'weeks', '... naming it');

psql("UPDATE users SET deleted_at = now() WHERE id = '$empty_user'");
($s, $d) = api(GET => '/users/me/dashboard', undef, $empty);
is($s, 404, 'a deleted account: 404');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|\[emerg\]|exited on signal/,
       'no alert, no crash');
done_testing();
