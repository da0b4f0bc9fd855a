# Migration 0017 on a database that already holds skills: in a database of
# its own, the migrations before 0017 run, job_skills and user_skills get
# rows in several spellings (two spellings of one skill on one job or one
# user among them), then 0017 runs: every known spelling becomes its
# canonical name, two spellings of one skill merge into one row (required
# if either was, the larger years, the latest proficiency), unknown names
# stay as written.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JobScout::Migrating;

plan skip_all => 'run through "make test": it provides PostgreSQL'
    unless $ENV{TEST_NGINX_PG};

# the migrations before 0017, then 0017 itself
my $m = JobScout::Migrating->new('skills', 17);
my $db = $m->db;
is($db->query("SELECT count(*) FROM pg_tables WHERE tablename = 'skills'"), '0',
   'before 0017: no taxonomy');

$db->query(<<'SQL');
INSERT INTO companies (id, name, slug)
VALUES ('00000000-0000-0000-0000-00000000c001', 'Acme', 'acme-088');
INSERT INTO jobs (id, company_id, title) VALUES
    ('00000000-0000-0000-0000-00000000a001', '00000000-0000-0000-0000-00000000c001', 'Dev');
INSERT INTO job_skills (job_id, skill_name, is_required, min_years) VALUES
    ('00000000-0000-0000-0000-00000000a001', 'js', false, 2),
    ('00000000-0000-0000-0000-00000000a001', 'javascript', true, NULL),
    ('00000000-0000-0000-0000-00000000a001', 'k8s', true, 1),
    ('00000000-0000-0000-0000-00000000a001', 'Kubernetes', false, 3),
    ('00000000-0000-0000-0000-00000000a001', 'postgres', true, NULL),
    ('00000000-0000-0000-0000-00000000a001', 'c#', true, NULL),
    ('00000000-0000-0000-0000-00000000a001', 'Weird Thing', true, NULL);
INSERT INTO users (id, email, hashed_password) VALUES
    ('00000000-0000-0000-0000-00000000b001', 'skills-088@example.com', 'x');
INSERT INTO user_skills (user_id, skill_name, proficiency, years_experience, updated_at) VALUES
    ('00000000-0000-0000-0000-00000000b001', 'golang', 'beginner', 5, now() - interval '1 day'),
    ('00000000-0000-0000-0000-00000000b001', 'go', 'expert', 3, now()),
    ('00000000-0000-0000-0000-00000000b001', 'python3', NULL, 4, now()),
    ('00000000-0000-0000-0000-00000000b001', 'c++', 'advanced', NULL, now()),
    ('00000000-0000-0000-0000-00000000b001', 'cobol stuff', NULL, NULL, now());
SQL

$m->apply(17) or BAIL_OUT('0017 failed');

is($db->query("SELECT string_agg(concat_ws('|', skill_name, is_required, min_years), ', '"
              . " ORDER BY skill_name COLLATE \"C\") FROM job_skills"),
   'C#|t, JavaScript|t|2.0, Kubernetes|t|3.0, PostgreSQL|t, Weird Thing|t',
   'job_skills: canonical names, two spellings merged (required if either, the larger'
   . ' years), an unknown name kept');
is($db->query("SELECT string_agg(concat_ws('|', skill_name, proficiency, years_experience), ', '"
              . " ORDER BY skill_name COLLATE \"C\") FROM user_skills"),
   'C++|advanced, Go|expert|5.0, Python|4.0, cobol stuff',
   'user_skills: canonical names, go and golang one row (the latest proficiency,'
   . ' the larger years), an unknown name kept');
is($db->query("SELECT count(*) FROM job_skills js WHERE skill_canonical(js.skill_name) IS NOT NULL"
              . " AND skill_canonical(js.skill_name) <> js.skill_name"), '0',
   'no known spelling left');

undef $db;
$m->drop;

done_testing();
