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
use File::Temp qw(tempdir);
use File::Copy qw(copy);

use JobScout::Psql;

plan skip_all => 'run through "make test": it provides PostgreSQL'
    unless $ENV{TEST_NGINX_PG};

my $root = $ENV{TEST_JOBSCOUT_ROOT} // '.';
my $dbname = "jobscout_skills_$$";
(my $conninfo = $ENV{TEST_NGINX_PG}) =~ s/\bdbname=\S+/dbname=$dbname/
    or die "no dbname= in TEST_NGINX_PG";

my $admin = JobScout::Psql->new($ENV{TEST_NGINX_PG});
$admin->query("CREATE DATABASE $dbname");

# the runner and the migrations before 0017, then 0017 itself
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/migrations" or die $!;
copy("$root/sql/migrate.sh", "$dir/migrate.sh") or die $!;
chmod 0755, "$dir/migrate.sh";
my @before = grep { m{/(\d{4})_} && $1 < 17 } glob("$root/sql/migrations/*.sql");
copy($_, "$dir/migrations/") or die $! for @before;
system("$dir/migrate.sh '$conninfo' >/dev/null 2>&1") == 0 or BAIL_OUT('migrations before 0017 failed');

my $db = JobScout::Psql->new($conninfo);
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

copy("$root/sql/migrations/0017_skills_taxonomy.sql", "$dir/migrations/") or die $!;
system("$dir/migrate.sh '$conninfo' >/dev/null 2>&1") == 0 or BAIL_OUT('0017 failed');

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
$admin->query("DROP DATABASE $dbname WITH (FORCE)");

done_testing();
