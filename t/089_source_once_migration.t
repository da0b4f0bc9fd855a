# Migration 0028 on a database that already holds sources alike: in a
# database of its own, the migrations before 0028 run, a company gets the
# same source three times (and sources that only look alike: another
# company's, another config, an inactive one), then 0028 runs: of the
# three the oldest stays active, the two others are deactivated, the rest
# untouched; from then on a fourth active one is refused.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use JobScout::Migrating;

plan skip_all => 'run through "make test": it provides PostgreSQL'
    unless $ENV{TEST_NGINX_PG};

my $m = JobScout::Migrating->new('sources', 28);
my $db = $m->db;

$db->query(<<'SQL');
INSERT INTO companies (id, name, slug) VALUES
    ('00000000-0000-4000-8000-00000000c001', 'Acme', 'acme-0028'),
    ('00000000-0000-4000-8000-00000000c002', 'Zuri', 'zuri-0028');
INSERT INTO job_sources (id, company_id, scraper_class, source_url, config,
                         is_active, created_at) VALUES
    ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-00000000c001',
     'greenhouse', 'acme', '{}', true, now() - interval '2 days'),
    ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-00000000c001',
     'greenhouse', 'acme', '{}', true, now() - interval '3 days'),
    ('00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-00000000c001',
     'greenhouse', 'acme', '{}', true, now() - interval '1 day'),
    ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-00000000c002',
     'greenhouse', 'acme', '{}', true, now()),
    ('00000000-0000-4000-8000-0000000000b2', '00000000-0000-4000-8000-00000000c001',
     'greenhouse', 'acme', '{"api_base": "https://boards.example"}', true, now()),
    ('00000000-0000-4000-8000-0000000000b3', '00000000-0000-4000-8000-00000000c001',
     'greenhouse', 'acme', '{}', false, now() - interval '4 days');
SQL

ok($m->apply(28), '0028 applies over sources alike');
is($db->query("SELECT string_agg(right(id::text, 2) || ' ' || is_active, ', '"
              . " ORDER BY id) FROM job_sources"),
   'a1 true, a2 false, a3 false, b1 true, b2 true, b3 false',
   'the oldest of the three stays active, the two others are deactivated;'
   . ' another company\'s, another config and an inactive one untouched');
like(eval { $db->query("UPDATE job_sources SET is_active = true"
                       . " WHERE id = '00000000-0000-4000-8000-0000000000a2'") } // $@,
     qr/job_sources_once/, 'then a second active one is refused');

undef $db;
$m->drop;

done_testing();
