# The profile (issue 18): skills (canonical names, "known", the user's
# edits win over the CV's), education and work experience CRUD, the skill
# gap of a job and its coverage, the alert's score parts, GET
# /jobs/recommended (ranking, keyset pages, the Redis cache and its
# invalidation by an edit), and the GDPR export of all of it.  Another
# user's rows are never reachable.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JSON::PP ();

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Tracker;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $log_start = start_api();

my ($amina, $token) = user('amina');
my ($baraka, $other) = user('baraka');

sub names { return [ map { $_->{name} } @{ $_[0] } ] }

# --- skills -----------------------------------------------------------------

my ($s, $d) = api(GET => '/users/me/skills', undef, $token);
is($s, 200, 'GET /users/me/skills: 200');
is_deeply($d, { items => [] }, '... none yet');

($s, $d) = api(POST => '/users/me/skills',
               { name => 'k8s', proficiency => 'advanced', years => 3 }, $token);
is($s, 201, 'POST k8s: 201');
is($d->{name}, 'Kubernetes', '... stored under its canonical name');
ok($d->{known}, '... known to the taxonomy');
ok(defined $d->{category}, '... with its category');
is($d->{proficiency}, 'advanced', '... the proficiency');
is($d->{years}, 3, '... the years');
is($d->{source}, 'user', '... the user\'s');

($s, $d) = api(POST => '/users/me/skills', { name => ' KUBERNETES ' }, $token);
is($s, 409, 'another spelling of a skill I have: 409');
like($d->{error}{message}, qr/as Kubernetes/, '... naming the stored one');

($s, $d) = api(POST => '/users/me/skills', { name => 'Zorblang' }, $token);
is($s, 201, 'a skill the taxonomy does not know: 201');
is($d->{name}, 'Zorblang', '... kept as written');
ok(!$d->{known}, '... known false');
is($d->{category}, undef, '... no category');
($s) = api(POST => '/users/me/skills', { name => 'zorblang' }, $token);
is($s, 409, '... and one row whatever its case');

($s, $d) = api(POST => '/users/me/skills', { name => 'CI/CD', years => 2.25 },
               $token);
is($s, 201, 'a name with a slash: 201');
my $cicd = $d->{name};
is($d->{years}, 2.3, '... years to one decimal');

($s, $d) = api(GET => '/users/me/skills', undef, $token);
is_deeply(names($d->{items}), [ sort { lc $a cmp lc $b } 'Kubernetes', 'Zorblang', $cicd ],
          'GET lists them by name');

($s, $d) = api(PATCH => '/users/me/skills/K8S', { years => 4.5, proficiency => 'expert' },
               $token);
is($s, 200, 'PATCH by any spelling: 200');
is($d->{years}, 4.5, '... the years changed');
is($d->{proficiency}, 'expert', '... the proficiency changed');
($s, $d) = api(PATCH => '/users/me/skills/kubernetes', { proficiency => undef }, $token);
is($d->{proficiency}, undef, '... null clears one');
is($d->{years}, 4.5, '... the other stays');

(my $escaped = $cicd) =~ s{/}{%2F}g;
($s, $d) = api(PATCH => "/users/me/skills/$escaped", { years => 3 }, $token);
is($s, 200, 'PATCH of a name with a slash (%2F): 200');
is($d->{name}, $cicd, '... that skill');

($s, $d) = api(PATCH => '/users/me/skills/Fortran', { years => 1 }, $token);
is($s, 404, 'PATCH of a skill I do not have: 404');

# another user sees and changes nothing of mine
($s, $d) = api(GET => '/users/me/skills', undef, $other);
is_deeply($d, { items => [] }, 'another user\'s list: not mine');
($s) = api(PATCH => '/users/me/skills/Kubernetes', { years => 9 }, $other);
is($s, 404, '... PATCH of my skill: 404');
($s) = api(DELETE => '/users/me/skills/Kubernetes', undef, $other);
is($s, 404, '... DELETE of my skill: 404');
is(psql("SELECT years_experience FROM user_skills WHERE user_id = '$amina'"
        . " AND skill_name = 'Kubernetes'"), '4.5', '... which is unchanged');

# a name that is not UTF-8, or holds a control character, names nothing
# (a NUL nginx refuses itself)
for my $bad ('%ff%fe', '%c3', '%ed%a0%80', 'Go%0a', 'Go%7f') {
    ($s, $d) = api(DELETE => "/users/me/skills/$bad", undef, $token);
    is("$s $d->{error}{message}", '404 no such skill in your profile', "DELETE .../$bad: 404");
    ($s, $d) = api(PATCH => "/users/me/skills/$bad", { years => 1 }, $token);
    is("$s $d->{error}{message}", '404 no such skill in your profile', "PATCH .../$bad: 404");
}
($s) = api(DELETE => '/users/me/skills/zorblang', undef, $token);
is($s, 204, 'DELETE: 204');
($s) = api(DELETE => '/users/me/skills/zorblang', undef, $token);
is($s, 404, '... again: 404');

# a name stored before the taxonomy knew it stays reachable as written
psql("INSERT INTO user_skills (user_id, skill_name) VALUES ('$amina', 'golang')");
($s, $d) = api(PATCH => '/users/me/skills/golang', { years => 1 }, $token);
is($s, 200, 'a stale spelling (golang, now Go) is reached as written');
is($d->{name}, 'golang', '... that row');
($s) = api(DELETE => '/users/me/skills/GOLANG', undef, $token);
is($s, 204, '... and deleted');

# the user's edits win over the CV's (the cv worker's cv_skills_store())
is(psql("SELECT cv_skills_store('$amina', '{Python,Kubernetes,go}', '{5,10,NULL}')"),
   2, 'the CV stores two skills, not the user\'s Kubernetes');
is(psql("SELECT years_experience FROM user_skills WHERE user_id = '$amina'"
        . " AND skill_name = 'Kubernetes'"), '4.5', '... whose years stay the user\'s');
($s, $d) = api(GET => '/users/me/skills', undef, $token);
my %by = map { $_->{name} => $_ } @{ $d->{items} };
is($by{Python}{source}, 'cv', '... Python is the CV\'s');
is($by{Kubernetes}{source}, 'user', '... Kubernetes the user\'s');
($s, $d) = api(PATCH => '/users/me/skills/python', { years => 6 }, $token);
is($d->{source}, 'user', 'a PATCH makes a CV skill the user\'s');
psql("SELECT cv_skills_store('$amina', '{}', '{}')");
($s, $d) = api(GET => '/users/me/skills', undef, $token);
%by = map { $_->{name} => $_ } @{ $d->{items} };
ok(!$by{go} && !$by{Go}, 'a CV removed takes its skills away');
is($by{Python}{years}, 6, '... not the ones the user edited');

# --- education and experience --------------------------------------------

my %school = (institution => 'University of Nairobi', degree => 'BSc',
              field_of_study => 'Computer Science', grade => 'First Class',
              start_date => '2014-09-01', end_date => '2018-07-31',
              description => "Thesis on\nrouting");
($s, $d) = api(POST => '/users/me/education', \%school, $token);
is($s, 201, 'POST /users/me/education: 201');
my $edu = $d->{id};
is($d->{$_}, $school{$_}, "... $_ stored") for sort keys %school;
ok(!exists $d->{user_id}, '... without the owner');

($s, $d) = api(POST => '/users/me/education', { institution => 'Strathmore' }, $token);
is($s, 201, '... only the institution is required');
my $edu2 = $d->{id};

($s, $d) = api(GET => '/users/me/education', undef, $token);
is_deeply([ map { $_->{id} } @{ $d->{items} } ], [ $edu, $edu2 ],
          'GET lists them, dated ones by start first');
($s, $d) = api(GET => "/users/me/education/$edu", undef, $token);
is($d->{institution}, 'University of Nairobi', 'GET one');

($s, $d) = api(PATCH => "/users/me/education/$edu", { grade => undef, end_date => '2019-01-31' },
               $token);
is($s, 200, 'PATCH: 200');
is($d->{grade}, undef, '... null clears a field');
is($d->{end_date}, '2019-01-31', '... a date changes');
is($d->{degree}, 'BSc', '... the rest stays');
($s, $d) = api(PATCH => "/users/me/education/$edu", { end_date => '2010-01-01' }, $token);
is($s, 422, 'an end before the stored start: 422');
is("$d->{error}{message} $d->{error}{field}", 'end_date: must not be before start_date end_date',
   '... naming end_date, as its field too');

($s) = api(GET => "/users/me/education/$edu", undef, $other);
is($s, 404, 'another user\'s entry: 404');
($s) = api(PATCH => "/users/me/education/$edu", { grade => 'A' }, $other);
is($s, 404, '... PATCH: 404');
($s) = api(DELETE => "/users/me/education/$edu", undef, $other);
is($s, 404, '... DELETE: 404');
($s, $d) = api(GET => '/users/me/education', undef, $other);
is_deeply($d, { items => [] }, '... their list is empty');

($s) = api(DELETE => "/users/me/education/$edu2", undef, $token);
is($s, 204, 'DELETE: 204');
($s) = api(GET => "/users/me/education/$edu2", undef, $token);
is($s, 404, '... gone');

my %job = (company => 'Safaricom', title => 'Backend Engineer', location => 'Nairobi',
           employment_type => 'full_time', start_date => '2019-02-01',
           description => 'Payments');
($s, $d) = api(POST => '/users/me/experience', \%job, $token);
is($s, 201, 'POST /users/me/experience: 201');
my $exp = $d->{id};
is($d->{end_date}, undef, '... ongoing');
($s, $d) = api(POST => '/users/me/experience', { company => 'Andela', title => 'Intern' },
               $token);
is($s, 422, '... start_date is required');
is($d->{error}{field}, 'start_date', '... and named');
($s, $d) = api(PATCH => "/users/me/experience/$exp", { end_date => '2023-06-30' }, $token);
is($d->{end_date}, '2023-06-30', 'PATCH experience');
($s, $d) = api(PATCH => "/users/me/experience/$exp", { end_date => '1999-12-31' }, $token);
is("$s $d->{error}{field}", '422 end_date', '... an end before its start: 422 naming end_date');
($s, $d) = api(GET => '/users/me/experience', undef, $token);
is(scalar @{ $d->{items} }, 1, 'GET lists it');
($s) = api(GET => "/users/me/experience/$exp", undef, $other);
is($s, 404, 'another user\'s experience: 404');

# --- skill gap ------------------------------------------------------------

my $company = company('Safaricom');
sub job_with {
    my ($title, %skills) = @_;
    my $id = job($company, title => "'$title'");
    for my $name (sort keys %skills) {
        my ($required, $min) = @{ $skills{$name} };
        psql("INSERT INTO job_skills (job_id, skill_name, is_required, min_years)"
             . " VALUES ('$id', '$name', $required, " . ($min // 'NULL') . ")");
    }
    return $id;
}

my $gap_job = job_with('Platform Engineer', Kubernetes => [ 'true', 5 ],
                       Python => [ 'true' ], Terraform => [ 'false' ],
                       Go => [ 'false' ]);
($s, $d) = api(GET => "/jobs/$gap_job/skill-gap", undef, $token);
is($s, 200, 'GET /jobs/{id}/skill-gap: 200');
is_deeply(names($d->{required}{matched}), [ 'Kubernetes', 'Python' ],
          '... the required skills I have');
is_deeply($d->{required}{missing}, [], '... none required missing');
is_deeply(names($d->{nice_to_have}{missing}), [ 'Go', 'Terraform' ],
          '... the nice-to-have ones I lack');
my ($k8s) = grep { $_->{name} eq 'Kubernetes' } @{ $d->{required}{matched} };
is($k8s->{min_years}, 5, '... what the job asks');
is($k8s->{years}, 4.5, '... what I have');
ok(!$k8s->{enough_years}, '... not enough years');
is($d->{coverage}, 67, '... coverage 100 x (2 + 2) / (2 + 2 + 1 + 1)');

($s, $d) = api(GET => "/jobs/$gap_job/skill-gap", undef, $other);
is($d->{coverage}, 0, 'another user\'s gap is theirs');
is_deeply(names($d->{required}{missing}), [ 'Kubernetes', 'Python' ], '... all missing');
my $bare = job($company, title => "'Cook'");
($s, $d) = api(GET => "/jobs/$bare/skill-gap", undef, $token);
is($d->{coverage}, undef, 'a job without skills: coverage null');
($s) = api(GET => '/jobs/123e4567-e89b-42d3-a456-426614174000/skill-gap', undef, $token);
is($s, 404, 'an unknown job: 404');
($s) = api(GET => '/jobs/nope/skill-gap', undef, $token);
is($s, 404, 'a malformed id: 404');

# --- the score's parts ----------------------------------------------------

# no role or location filter: title 35 x 0.5; other 25 x 0.5 (not remote);
# skills 40 x the coverage, 4 / 6
my $score = psql("SELECT match_score FROM match_candidates(ARRAY['$gap_job'::uuid],"
                 . " NULL, NULL, '$amina')");
is($score, 57, 'match_candidates() scores 26.7 + 17.5 + 12.5');
my $alert = alert($amina, $gap_job, match_score => $score);
($s, $d) = api(GET => "/alerts/$alert", undef, $token);
is($s, 200, 'GET /alerts/{id}: 200');
is_deeply($d->{match_parts}, { skills => 26.7, title => 17.5, other => 12.5 },
          '... shows the score\'s parts');
($s, $d) = api(GET => '/alerts', undef, $token);
ok(!exists $d->{items}[0]{match_parts}, '... not each item of a list (a millisecond each)');

# --- recommendations ------------------------------------------------------

my $best = job_with('SRE', Kubernetes => [ 'true' ], Python => [ 'true' ]);
my $closed = job_with('Old SRE', Python => [ 'true' ]);
psql("UPDATE jobs SET is_active = false WHERE id = '$closed'");
job_with('Rustacean', Rust => [ 'true' ]);
my $nice = job_with('Scripting', Perl => [ 'true' ], Python => [ 'false' ]);

# the jobs of other suites stay out: this company only (a preference too)
my $slug = psql("SELECT slug FROM companies WHERE id = '$company'");
($s) = api(PATCH => '/users/me', { preferences => { companies => [$slug] } }, $token);
is($s, 200, 'recommendations from one company');

($s, $d, my $h) = api(GET => '/jobs/recommended', undef, $token);
is($s, 200, 'GET /jobs/recommended: 200');
is_deeply([ map { $_->{id} } @{ $d->{items} } ], [ $best, $gap_job, $nice ],
          '... the active jobs sharing a skill, best coverage first');
is_deeply([ map { $_->{coverage} } @{ $d->{items} } ], [ 100, 67, 33 ],
          '... each with its coverage');
is_deeply([ map { $_->{coverage} } @{ $d->{items} } ],
          [ map { (api(GET => "/jobs/$_->{id}/skill-gap", undef, $token))[1]{coverage} }
                @{ $d->{items} } ],
          '... the skill gap\'s coverage of each (one computed for all, one for one)');
is($d->{items}[0]{company}{name}, 'Safaricom', '... as /jobs shows a job');
is($d->{next_cursor}, undef, '... one page');

my (@seen, $cursor);
for (1 .. 4) {
    ($s, $d) = api(GET => '/jobs/recommended?limit=1' . ($cursor ? "&cursor=$cursor" : ''),
                   undef, $token);
    push @seen, map { $_->{id} } @{ $d->{items} };
    last unless $cursor = $d->{next_cursor};
}
is_deeply(\@seen, [ $best, $gap_job, $nice ], 'pages of one: each job once, in order');

my @keys = redis('keys', "jobscout:recommended:$amina:*");
ok(scalar @keys >= 1, 'the pages are cached in Redis');
my $ttl = redis('ttl', $keys[0]);
ok($ttl > 86000 && $ttl <= 86400, '... for a day');

# the cache answers: a change that is not the profile's shows only later
psql("UPDATE jobs SET is_active = false WHERE id = '$nice'");
($s, $d) = api(GET => '/jobs/recommended', undef, $token);
is(scalar @{ $d->{items} }, 3, 'a closed job stays until the cache goes (it is the cache)');

# an edit of the skills is a new key: at once
($s) = api(POST => '/users/me/skills', { name => 'Golang' }, $token);
is($s, 201, 'a skill added');
($s, $d) = api(GET => '/jobs/recommended', undef, $token);
is_deeply([ map { $_->{id} } @{ $d->{items} } ], [ $best, $gap_job ],
          '... recommendations ranked again at once');
is($d->{items}[1]{coverage}, 83, '... with the new coverage');

# and of the preferences
($s) = api(PATCH => '/users/me', { preferences => { roles => ['sre'] } }, $token);
is($s, 200, 'a role preference set');
($s, $d) = api(GET => '/jobs/recommended', undef, $token);
is_deeply([ map { $_->{id} } @{ $d->{items} } ], [ $best ], '... filters at once');

# Redis may lose it all: PostgreSQL answers
redis('del', $_) for redis('keys', "jobscout:recommended:$amina:*");
($s, $d) = api(GET => '/jobs/recommended', undef, $token);
is_deeply([ map { $_->{id} } @{ $d->{items} } ], [ $best ], 'the cache lost: the same answer');

# Redis refuses (the key holds a list: WRONGTYPE): PostgreSQL answers, and
# the page is cached again.  (Redis down is a 503 before any route: the
# session check fails closed, t/058.)
my $key = "jobscout:recommended:$amina:" . psql("SELECT profile_hash('$amina')") . ':20:-';
redis('del', $key);
redis('rpush', $key, 'not a page');
($s, $d) = api(GET => '/jobs/recommended', undef, $token);
is($s, 200, 'a Redis error on the cache: 200');
is_deeply([ map { $_->{id} } @{ $d->{items} } ], [ $best ], '... the same answer');
is(redis('type', $key), 'string', '... cached again');

($s, $d) = api(GET => '/jobs/recommended', undef, $other);
is_deeply($d->{items}, [], 'a user without skills: nothing recommended');

# --- the export -----------------------------------------------------------

($s, $d) = api(GET => '/users/me/data-export', undef, $token);
is($s, 200, 'GET /users/me/data-export: 200');
%by = map { $_->{skill_name} => $_ } @{ $d->{skills} };
is($by{Kubernetes}{source}, 'user', '... the skills with their source');
is($d->{education}[0]{institution}, 'University of Nairobi', '... the education');
is($d->{experience}[0]{company}, 'Safaricom', '... the experience');
ok(!exists $d->{education}[0]{user_id}, '... without the owner');

($s, $d) = api(GET => '/users/me/data-export', undef, $other);
is_deeply([ $d->{education}, $d->{experience} ], [ [], [] ], '... another\'s export: none of mine');

stop_nginx();
unlike(error_log_since($log_start), qr/\[alert\]|exited on signal/, 'no alert, no crash');

done_testing();
