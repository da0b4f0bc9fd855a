# Job skills in the taxonomy's vocabulary (issue 18, migration 0017,
# workers/lib/skills.h, lib/jobskills.h): the taxonomy and
# skill_canonical() in SQL; a real scrape of a JSON-LD careers page
# stores each job's skills as canonical names, from the adapter's tags
# (an unknown tag kept as written) and from the title and description
# (aliases, C / C++ / C# apart, the verb "go" not Go, years stated,
# nice-to-have sections not required); a changed description drops the
# skills it lost; a job stored before the scraper started (a spelling,
# no tags for its description) is re-tagged by the backfill, once per
# taxonomy version, its cursor and count in skill_backfills, and resumes
# from its cursor.
use strict;
use warnings;

use Test::More;
use JSON::PP;

use lib 't/lib';
use JobScout::Scrape;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $json = JSON::PP->new->canonical;

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });

# ---- the taxonomy in SQL --------------------------------------------------

cmp_ok(psql('SELECT count(*) FROM skills'), '>=', 500, 'at least 500 skills');
is(psql("SELECT count(DISTINCT category) >= 15 FROM skills"), 't',
   'software and non-software categories');
is(psql("SELECT count(*) FROM skills s WHERE NOT EXISTS (SELECT 1 FROM skill_aliases a"
        . " WHERE a.skill_id = s.id AND a.alias = lower(s.name))"), '0',
   "every canonical name's lower-case form is an alias");
is(psql("SELECT string_agg(coalesce(skill_canonical(x), '-'), '|' ORDER BY o)"
        . " FROM unnest(ARRAY['JS', ' Javascript ', 'ECMAScript', 'k8s', 'Postgres',"
        . " 'c', 'C++', 'c#', 'GoLang', 'machine  learning', 'FP&A', 'nope'])"
        . " WITH ORDINALITY AS t(x, o)"),
   'JavaScript|JavaScript|JavaScript|Kubernetes|PostgreSQL|C|C++|C#|Go|'
   . 'Machine learning|Financial planning and analysis|-',
   'skill_canonical(): spellings, case, blanks; NULL when unknown');
is(psql("SELECT skill_canonical(NULL) IS NULL"), 't', 'skill_canonical(NULL)');
is(psql("SELECT skill_canonical(\$\$'); DROP TABLE skills; --\$\$) IS NULL"
        . " AND (SELECT count(*) FROM skills) > 0"), 't',
   'a hostile spelling is only an unknown one');
like(psql('SELECT skill_taxonomy_version()'), qr/^[0-9a-f]{32}\z/,
     'skill_taxonomy_version(): a digest');

# ---- a job stored before the scraper: for the backfill --------------------

psql("INSERT INTO companies (name, slug) VALUES ('Old Co', 'old-co-087')");
my $old = psql("INSERT INTO jobs (company_id, title, description)"
               . " SELECT id, 'Data Engineer', 'Python and Spark pipelines;"
               . " 4 years of Airflow.\nNice to have:\nTableau'"
               . " FROM companies WHERE slug = 'old-co-087' RETURNING id");
psql("INSERT INTO job_skills (job_id, skill_name, is_required) VALUES"
     . " ('$old', 'postgres', true), ('$old', 'In-house tool', false)");
psql('DELETE FROM skill_backfills');

# ---- a scrape ---------------------------------------------------------------

my $page = "$JobScout::Scrape::dir/careers.html";

sub write_page {
    my (@postings) = @_;
    open my $fh, '>', "$page.tmp" or die $!;
    print $fh "<!DOCTYPE html><html><head><title>Careers</title>\n";
    for my $p (@postings) {
        print $fh '<script type="application/ld+json">',
                  $json->encode({ '@context' => 'https://schema.org/',
                                  '@type' => 'JobPosting', %$p }),
                  "</script>\n";
    }
    print $fh "</head><body></body></html>\n";
    close $fh;
    rename "$page.tmp", $page or die $!;
}

my %backend = (
    title => 'Senior Backend Engineer (Go)',
    identifier => 'B-1',
    skills => 'golang, Postgres, k8s, Underwater basket weaving',
    description => '<p>We build payments. Let&#39;s go!</p>'
        . '<h3>Requirements</h3><ul><li>5+ years of Go</li>'
        . '<li>JS / ECMAScript and Node.js</li><li>C, C++ and C#</li></ul>'
        . '<h3>Nice to have</h3><ul><li>Kafka</li><li>3 years of Rust</li></ul>',
    url => '/jobs/b-1',
);
my %finance = (
    title => 'Financial Analyst',
    identifier => 'F-1',
    description => '<p>Own FP&amp;A and financial modeling in Excel; 2 years of'
        . ' SQL. Then go home early on Fridays.</p>',
    url => '/jobs/f-1',
);
write_page(\%backend, \%finance);

start_board();
board_routes({ '/careers.html' => { file => $page, type => 'text/html' } });
my $src = add_source(name => 'Skills Co', slug => 'skills-co-087', class => 'jsonld',
                     url => board_url() . '/careers.html');
like($src, qr/^[0-9a-f-]{36}\z/, 'a JSON-LD source on the fixture board');

write_conf(workers => { scraper => 1 },
           set => { scrape_timeout => '2s', scrape_host_delay => '0' });
start_daemon();

sub logs { return psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$src'") }

sub run_once {
    psql("UPDATE job_sources SET etag = NULL, last_modified = NULL WHERE id = '$src'");
    my $n = logs();
    lpush_scrape($src);
    wait_until(15, sub { logs() > $n }) or return 'no run';
    return psql("SELECT concat_ws('|', status, jobs_found, error_message)"
                . " FROM scrape_logs WHERE source_id = '$src'"
                . " ORDER BY started_at DESC LIMIT 1");
}

# "name[:years][ (nice)]" of a job's rows, by name
sub skills_of {
    my ($where) = @_;
    return psql("SELECT string_agg(s.skill_name"
                . " || coalesce(':' || trim(trailing '.' FROM trim(trailing '0' FROM s.min_years::text)), '')"
                . " || CASE WHEN s.is_required THEN '' ELSE ' (nice)' END,"
                . " ', ' ORDER BY s.skill_name COLLATE \"C\")"
                . " FROM job_skills s JOIN jobs j ON j.id = s.job_id WHERE $where");
}

# ---- the backfill, before any scrape: deterministic --------------------------

ok(wait_until(15, sub { psql("SELECT finished_at IS NOT NULL FROM skill_backfills"
                             . " WHERE taxonomy_version = skill_taxonomy_version()") eq 't' }),
   'the backfill of this taxonomy version finished');
is(skills_of("j.id = '$old'"),
   'Apache Airflow:4, Apache Spark, In-house tool (nice), PostgreSQL, Python, Tableau (nice)',
   'a stored job re-tagged: its spelling mapped, its own row kept, its'
   . ' description tagged');
# the suites before this one left their jobs: all of them went through
is(psql("SELECT b.jobs_tagged = (SELECT count(*) FROM jobs)"
        . " AND b.after_job_id = (SELECT id FROM jobs ORDER BY id DESC LIMIT 1)"
        . " FROM skill_backfills b WHERE taxonomy_version = skill_taxonomy_version()"), 't',
   'the backfill counted every stored job, its cursor on the last');

is(run_once(), 'success|2', 'the run stored both postings');
is(skills_of("j.source_id = '$src' AND j.external_id = 'B-1'"),
   'C, C#, C++, Go:5, JavaScript, Kafka (nice), Kubernetes, Node.js, PostgreSQL,'
   . ' Rust:3 (nice), underwater basket weaving',
   'tags canonical (an unknown one as written), the description\'s skills,'
   . ' years, nice-to-have; "Let\'s go" is no skill');
is(skills_of("j.source_id = '$src' AND j.external_id = 'F-1'"),
   'Excel, Financial analysis, Financial modelling, Financial planning and analysis, SQL:2',
   'finance skills (the title\'s too), and "go home" is no Go');
is(psql("SELECT count(*) FROM job_skills s JOIN jobs j ON j.id = s.job_id"
        . " WHERE j.source_id = '$src' AND s.skill_name <> coalesce(skill_canonical(s.skill_name), s.skill_name)"),
   '0', 'every stored name that the taxonomy knows is its canonical one');

# the description changes: Kafka and Rust gone, Terraform nice-to-have
$backend{description} = '<p>Go services on k8s.</p><p>Bonus points:</p>'
    . '<ul><li>Terraform</li></ul>';
write_page(\%backend, \%finance);
is(run_once(), 'success|2', 'the changed page stored');
is(skills_of("j.source_id = '$src' AND j.external_id = 'B-1'"),
   'Go, Kubernetes, PostgreSQL, Terraform (nice), underwater basket weaving',
   'a changed description: lost skills deleted, rows rewritten');

# the posting without its description (a detail not read this time): the
# stored description stays, and so do its skills, nice-to-have and years
delete $backend{description};
$backend{skills} = 'golang, Docker';
write_page(\%backend, \%finance);
is(run_once(), 'success|2', 'the page without a description stored');
is(skills_of("j.source_id = '$src' AND j.external_id = 'B-1'"),
   'Docker, Go, Kubernetes, PostgreSQL, Terraform (nice), underwater basket weaving',
   'no description: rows only added, none rewritten or deleted');

like(JobScout::Scrape::log_text(),
     qr/msg="skills taxonomy loaded" skills=\d+ aliases=\d+ version=[0-9a-f]{32}/,
     'the scraper logged the taxonomy it loaded');

# a restart finds the version done: no second pass
my $tagged = psql("SELECT jobs_tagged FROM skill_backfills");
stop_daemon();
start_daemon();
ok(wait_until(10, sub { JobScout::Scrape::log_text() =~ /"skills backfill done here".*\n(?s:.*)"skills backfill done here"/ }),
   'the restarted scraper found the backfill done')
    or diag JobScout::Scrape::log_text();
is(psql("SELECT jobs_tagged FROM skill_backfills"), $tagged,
   'and re-tagged nothing');

# resumable: a backfill stopped with its cursor on the last job but one
# goes on from there
my $before_last = psql("SELECT id FROM jobs ORDER BY id DESC OFFSET 1 LIMIT 1");
psql("UPDATE skill_backfills SET finished_at = NULL, jobs_tagged = 0,"
     . " after_job_id = '$before_last'");
stop_daemon();
start_daemon();
ok(wait_until(15, sub { psql("SELECT finished_at IS NOT NULL FROM skill_backfills") eq 't' }),
   'an unfinished backfill resumed and finished');
is(psql("SELECT concat_ws('|', jobs_tagged, after_job_id = (SELECT id FROM jobs"
        . " ORDER BY id DESC LIMIT 1)) FROM skill_backfills"), '1|t',
   '... from its cursor: only the job after it');

done_testing();
