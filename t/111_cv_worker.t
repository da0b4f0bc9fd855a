# The cv role (issue 18): CVs uploaded through the API are relayed from
# the task outbox to jobscout:queue:cv; the role extracts their text in a
# child process under limits (PDF with poppler, DOCX with libzip and
# libxml2), their skills with the jobs' extractor, and marks them
# processed, or failed with a reason the user can act on.  A bomb kills
# the child, never the worker, and is dead-lettered after the configured
# attempts.  Replaced and deleted CVs lose their files.  Fixtures are
# made here (lib/JobScout/Cv.pm; qpdf encrypts one).
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use Digest::SHA qw(sha256_hex);
use JSON::PP qw(decode_json);
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Cv;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $dir = tempdir(CLEANUP => 1);
my $storage = servroot() . '/cv';
system('rm', '-rf', $storage);

start_api(http => "    jobscout_cv_storage $storage;\n");

# leftovers of other suites
psql("DELETE FROM task_outbox WHERE queue = 'jobscout:queue:cv'");
redis('del', 'jobscout:queue:cv', 'jobscout:delayed', 'jobscout:dead');

my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { relay => 1, cv => 1 },
    directives => { relay_lease => '30s', cv_storage => $storage,
                    cv_time_limit => '3s', cv_memory_limit => '128m',
                    cv_max_attempts => 2 });
$d->start;

sub wait_until {
    my ($secs, $cond) = @_;
    my $end = time + $secs;
    while (time < $end) { my $v = $cond->(); return $v if $v; sleep 0.1 }
    return $cond->();
}

my $n = 0;
sub user { my $i = ++$n; my (undef, undef, $id) = verified_user("cvw$i-$$\@example.com",
                                                                 'a long enough secret');
           my ($t) = (api(POST => '/auth/login', { email => "cvw$i-$$\@example.com",
                                                    password => 'a long enough secret' }))[1];
           return ($t->{access_token}, $id) }

# upload, then wait for processed or failed: the CV as users/me shows it
sub processed {
    my ($token, $body, $type) = @_;
    my ($s, $cv) = upload($token, $body, $type);
    return { upload_status => $s } unless $s == 202;
    my $row = wait_until(30, sub {
        my $st = psql("SELECT status FROM user_cvs WHERE id = '$cv->{id}'");
        return $st ne 'pending' ? $st : undef });
    my (undef, $me) = api(GET => '/users/me', undef, $token);
    return $me->{cv};
}

my $cv_pid = wait_until(10, sub { ($d->consumers('jobscout:queue:cv'))[0] });
ok($cv_pid, 'the cv role consumes jobscout:queue:cv');

# --- a PDF of real text
my ($amina, $amina_id) = user();
my $cv = processed($amina, pdf(['Amina Hassan - Backend Engineer',
                                'Skills: PostgreSQL, Kubernetes, Docker',
                                '5 years of Python, 3 years of Go.']), 'application/pdf');
is($cv->{status}, 'processed', 'a PDF: processed');
is($cv->{failure_reason}, undef, '... no failure reason');
ok((grep { $_ eq 'PostgreSQL' } @{ $cv->{skills} }), '... PostgreSQL found')
    or diag explain $cv;
ok((grep { $_ eq 'Kubernetes' } @{ $cv->{skills} }), '... Kubernetes found');
ok((grep { $_ eq 'Python' } @{ $cv->{skills} }), '... Python found');
like(psql("SELECT extracted_text FROM user_cvs WHERE user_id = '$amina_id'"),
     qr/Backend Engineer.*Kubernetes/s, '... its text kept');
is(psql("SELECT count(*) FROM task_outbox WHERE task::jsonb->'args'->>'cv_id' = '$cv->{id}'"),
   0, '... its outbox task closed');
is(psql("SELECT count(*) FROM user_skills WHERE user_id = '$amina_id' AND source = 'cv'"),
   scalar @{ $cv->{skills} }, '... the user\'s cv skills written');
is(psql("SELECT years_experience FROM user_skills WHERE user_id = '$amina_id'"
        . " AND skill_name = 'Python'"), '5.0', '... with the years the CV states');

# the user's own edit of a skill wins over the next CV
psql("UPDATE user_skills SET source = 'user', years_experience = 9"
     . " WHERE user_id = '$amina_id' AND skill_name = 'PostgreSQL'");

# --- a DOCX replaces it: the PDF's file goes
my $pdf_file = "$storage/" . psql("SELECT file_path FROM user_cvs WHERE user_id = '$amina_id'");
ok(-f $pdf_file, 'the PDF is stored');
my $docx = docx('Amina Hassan', 'Data analyst: SQL, Tableau and Excel', 'Financial modelling');
$cv = processed($amina, $docx, docx_type());
is($cv->{status}, 'processed', 'a DOCX: processed');
ok((grep { $_ eq 'Tableau' } @{ $cv->{skills} }), '... Tableau found') or diag explain $cv;
ok(!(grep { $_ eq 'Kubernetes' } @{ $cv->{skills} }), '... the PDF\'s skills gone');
ok(wait_until(10, sub { !-e $pdf_file }), '... the replaced PDF\'s file removed');
is(psql("SELECT count(*) FROM user_skills WHERE user_id = '$amina_id' AND source = 'cv'"
        . " AND skill_name = 'Kubernetes'"), 0, '... its cv skills replaced');
is(psql("SELECT source || ' ' || years_experience FROM user_skills"
        . " WHERE user_id = '$amina_id' AND skill_name = 'PostgreSQL'"), 'user 9.0',
   '... the skill the user edited kept as edited');
my $docx_file = "$storage/$amina_id/" . sha256_hex($docx);
ok(-f $docx_file, '... the DOCX\'s file kept');

# --- DELETE: file and extraction go
my ($s) = cv_request(DELETE => $amina);
is($s, 204, 'DELETE: 204');
ok(wait_until(10, sub { !-e $docx_file }), '... the file removed');
ok(wait_until(10, sub { !-e "$storage/$amina_id" }), '... and the user\'s directory');
is(psql("SELECT count(*) FROM user_cvs WHERE user_id = '$amina_id'"), 0, '... no text, no skills left');
is(psql("SELECT count(*) FROM user_skills WHERE user_id = '$amina_id' AND source = 'cv'"), 0,
   '... nor cv skills, at once');
is(psql("SELECT count(*) FROM user_skills WHERE user_id = '$amina_id' AND source = 'user'"), 1,
   '... the user\'s own skill kept');

# --- bad documents fail with a reason
my $plain = pdf(['Brian Kip', 'Skills: Java and Spring'], { compress => 1 });
my $enc_in = "$dir/in.pdf";
open my $fh, '>', $enc_in or die; print $fh $plain; close $fh;
system('qpdf', '--encrypt', 'user-secret', 'owner-secret', '256', '--', $enc_in, "$dir/enc.pdf") == 0
    or die 'qpdf failed';
my $encrypted = do { local $/; open my $e, '<', "$dir/enc.pdf" or die; <$e> };

my @cases = (
    [ 'a compressed PDF', $plain, 'application/pdf', 'processed', undef ],
    [ 'an encrypted PDF', $encrypted, 'application/pdf', 'failed', qr/encrypted/ ],
    [ 'a PDF without text (a scan)', pdf('q 1 0 0 1 0 0 cm Q'), 'application/pdf',
      'failed', qr/no text/ ],
    [ 'a PDF of 60 pages', pdf(map { ["page $_"] } 1 .. 60), 'application/pdf',
      'failed', qr/too large/ ],
    [ 'a DOCX bomb (32 MB of XML)', docx_bomb(32), docx_type(), 'failed', qr/too large/ ],
    [ 'a damaged DOCX', do { my $z = docx('x' x 5000);
                             substr($z, 200, 400) = "\0" x 400; $z },
      docx_type(), 'failed', qr/damaged/ ],
);
for my $c (@cases) {
    my ($what, $body, $type, $status, $reason) = @$c;
    my ($token, $id) = user();
    $cv = processed($token, $body, $type);
    is($cv->{status}, $status, "$what: $status") or diag explain $cv;
    next unless $reason;
    like($cv->{failure_reason} // '', $reason, '... saying why');
    is(psql("SELECT count(*) FROM user_skills WHERE user_id = '$id'"), 0, '... and no skills');
}

# --- a PDF bomb kills its child, twice, then is given up
my ($bomb_user, $bomb_id) = user();
my $bomb = pdf_bomb(200);
cmp_ok(length $bomb, '<', 5 * 1048576, 'a PDF bomb under the upload limit');
my $t0 = time;
$cv = processed($bomb_user, $bomb, 'application/pdf');
is($cv->{status}, 'failed', '... failed');
like($cv->{failure_reason}, qr/processing limits/, '... over the processing limits');
my @dead = grep { $_->{kind} eq 'cv.process' && $_->{args}{cv_id} eq $cv->{id} }
           map { decode_json($_) } redis('lrange', 'jobscout:dead', 0, -1);
is(scalar @dead, 1, '... its task dead-lettered');
is($dead[0]{attempt}, 2, '... after cv_max_attempts kills');
like($dead[0]{error}, qr/killed/, '... saying it was killed');
like($d->log_text, qr/cv not processed.*attempt=2/, '... each kill logged');
is(psql("SELECT count(*) FROM task_outbox WHERE task::jsonb->'args'->>'cv_id' = '$cv->{id}'"),
   0, '... its outbox task closed, not relayed again');
is(($d->consumers('jobscout:queue:cv'))[0], $cv_pid, '... the worker itself never died');

# --- and a good CV after it is processed as usual
my ($after) = user();
$cv = processed($after, pdf(['Carol', 'Kubernetes and Terraform']), 'application/pdf');
is($cv->{status}, 'processed', 'a CV after the bomb: processed');

# --- deleting the account removes the file
my ($gone, $gone_id) = user();
$cv = processed($gone, pdf(['Dan', 'Rust']), 'application/pdf');
my $gone_file = "$storage/$gone_id/$cv->{sha256}";
ok(-f $gone_file, 'a CV of an account to delete');
($s) = api(DELETE => '/users/me', { password => 'a long enough secret' }, $gone);
is($s, 200, 'the account deleted');
ok(wait_until(10, sub { !-e $gone_file }), '... its CV file removed');

unlike($d->log_text, qr/\b(?:alert|crit)\b|exited on signal/, 'jobscoutd logged no crash');
$d->stop;

done_testing;
