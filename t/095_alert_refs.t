# user_job_alerts' references to users and jobs (migration 0008): the
# rules of 0001's foreign keys, checked per statement instead of per row.
# An alert must name an existing user and job (23503 otherwise, with the
# old constraint's name), keeps them, and goes with them (ON DELETE
# CASCADE, TRUNCATE); an insert racing the deletion of its user waits for
# it and is refused, as a foreign key would have it.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Time::HiRes qw(time sleep);

use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_PG};

my $run = "r$$";

psql("INSERT INTO companies (name, slug) VALUES ('Refs $run', 'refs-$run')");
psql("INSERT INTO job_sources (company_id, scraper_class, source_url) SELECT id, 'fixture',"
     . " 'https://example.com/$run' FROM companies WHERE slug = 'refs-$run'");

sub job {
    my ($name) = @_;
    return psql("INSERT INTO jobs (company_id, source_id, external_id, title)"
                . " SELECT company_id, id, '$name-$run', 'Refs Engineer' FROM job_sources"
                . " WHERE source_url = 'https://example.com/$run' RETURNING id");
}
sub user {
    my ($name) = @_;
    return psql("INSERT INTO users (email, hashed_password) VALUES"
                . " ('$name-$run\@example.com', '!') RETURNING id");
}
sub alert {
    my ($user, $job) = @_;
    return try_psql("INSERT INTO user_job_alerts (user_id, job_id) VALUES ('$user', '$job')");
}
sub alerts_of {
    my ($col, $id) = @_;
    return psql("SELECT count(*) FROM user_job_alerts WHERE $col = '$id'");
}

my ($j1, $j2) = (job('j1'), job('j2'));
my ($u1, $u2) = (user('u1'), user('u2'));
my $nobody = '00000000-0000-4000-8000-000000000000';

my ($rc, $out) = alert($u1, $j1);
is($rc, 0, 'an alert for an existing user and job is inserted') or diag($out);

($rc, $out) = alert($nobody, $j1);
isnt($rc, 0, 'an alert for a user who does not exist is refused');
like($out, qr/violates foreign key constraint "user_job_alerts_user_id_fkey"/,
     '... as the foreign key on user_id said');
like($out, qr/Key \(user_id\)=\($nobody\) is not present/, '... naming the key');

($rc, $out) = alert($u1, $nobody);
like($out, qr/violates foreign key constraint "user_job_alerts_job_id_fkey"/,
     'an alert for a job that does not exist is refused');

($rc, $out) = try_psql("INSERT INTO user_job_alerts (user_id, job_id) VALUES"
                       . " ('$u2', '$j1'), ('$u2', '$nobody')");
isnt($rc, 0, 'a statement with one bad row among good ones is refused');
is(alerts_of('user_id', $u2), 0, '... and none of its rows is there');

($rc, $out) = try_psql("UPDATE user_job_alerts SET user_id = '$u2' WHERE user_id = '$u1'");
like($out, qr/user_id and job_id of table "user_job_alerts" are referenced/,
     'an alert keeps its user');
($rc, $out) = try_psql("UPDATE user_job_alerts SET job_id = '$j2' WHERE user_id = '$u1'");
isnt($rc, 0, '... and its job');
($rc, $out) = try_psql("UPDATE users SET id = gen_random_uuid() WHERE id = '$u1'");
like($out, qr/ids of table "users" are referenced/, 'users keep their ids');
($rc, $out) = try_psql("UPDATE jobs SET id = gen_random_uuid() WHERE id = '$j1'");
like($out, qr/ids of table "jobs" are referenced/, 'jobs keep theirs');
($rc, $out) = try_psql("UPDATE user_job_alerts SET is_read = true WHERE user_id = '$u1'");
is($rc, 0, 'other columns of an alert change as before') or diag($out);

# the cascades
alert($u2, $j1);
alert($u2, $j2);
psql("INSERT INTO application_status_history (alert_id, to_status) SELECT id, 'Applied'"
     . " FROM user_job_alerts WHERE user_id = '$u2' AND job_id = '$j2'");
psql("DELETE FROM jobs WHERE id = '$j2'");
is(alerts_of('job_id', $j2), 0, 'deleting a job deletes its alerts');
is(alerts_of('user_id', $u2), 1, '... and only its');
psql("DELETE FROM users WHERE id = '$u2'");
is(alerts_of('user_id', $u2), 0, 'deleting a user deletes their alerts');
is(alerts_of('user_id', $u1), 1, '... and only theirs');
is(psql("SELECT count(*) FROM application_status_history h WHERE NOT EXISTS"
        . " (SELECT FROM user_job_alerts a WHERE a.id = h.alert_id)"), 0,
   '... with their history');

# an insert racing the deletion of its user: the deleting transaction
# holds user_job_alerts until it commits; the insert then finds the user
# gone
my $u3 = user('u3');
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    exec('psql', '-X', '-q', '-d', $ENV{TEST_NGINX_PG}, '-c',
         "BEGIN; DELETE FROM users WHERE id = '$u3'; SELECT pg_sleep(1.5); COMMIT;")
        or exit 1;
}
sleep 0.5;
my $t0 = time;
($rc, $out) = alert($u3, $j1);
my $waited = time - $t0;
waitpid($pid, 0);
cmp_ok($waited, '>', 0.5, sprintf('an insert while the user is being deleted waits (%.1f s)',
                                  $waited));
like($out, qr/user_job_alerts_user_id_fkey/, '... then is refused: the user is gone');
is(alerts_of('user_id', $u3), 0, '... and no alert of a deleted user is left');

# truncating jobs truncates the alerts of jobs (in a transaction, undone)
cmp_ok(psql("SELECT count(*) FROM user_job_alerts WHERE job_id IS NOT NULL"), '>', 0,
       'there are alerts of jobs');
($rc, $out) = try_psql("BEGIN; TRUNCATE jobs CASCADE;"
                       . " SELECT 'left ' || count(*) FROM user_job_alerts WHERE job_id IS NOT NULL;"
                       . " ROLLBACK;");
like($out, qr/^left 0$/m, 'TRUNCATE jobs CASCADE takes the alerts of jobs with it') or diag($out);

done_testing();
