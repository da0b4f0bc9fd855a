# The whole path, every part real but the outside: a fixture job board
# (t/lib/fixture_http.py, Greenhouse's format) scraped by jobscoutd's
# scraper, the new jobs' match task queued by it, the notifier matching
# them and pushing to the fake FCM (t/fakes/fcm.py).  Each user gets one
# push per job their filters match and none for the others; a second
# scrape of the same board stores nothing new and pushes nothing.
use strict;
use warnings;

use Test::More;
use JSON::PP;

use lib 't/lib';
use JobScout::Scrape;
use JobScout::FakeFCM;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $json = JSON::PP->new->canonical;
my $run = "p$$";
my $slug = "acme-$run";

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers',
      @{ redis('keys', 'jobscout:processing:*') });
match_tasks('clear');

my $fcm = JobScout::FakeFCM->start(dir => $JobScout::Scrape::dir);
start_board();
board_routes({ '/gh/v1/boards/acme/jobs' => { file => 'greenhouse/jobs.json' } });
my $src = add_source(name => "Acme $run", slug => $slug, class => 'greenhouse',
                     url => 'acme', config => { api_base => board_url() . '/gh' });

# users, by what they want: token "<name>-<run>"
my %prefs = (
    everything => { companies => [$slug] },
    backend    => { companies => [$slug], roles => ['backend_engineer'] },
    remote     => { companies => [$slug], locations => ['remote'] },
    elsewhere  => { companies => ['no-such-company'] },
    muted      => { companies => [$slug],
                    notifications => { push => JSON::PP::false, email => JSON::PP::false } },
);
for my $name (sort keys %prefs) {
    my $p = $json->encode($prefs{$name});
    psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
         . " VALUES ('$name-$run\@example.com', '!', '$p', '$name-$run')");
}

write_conf(workers => { scraper => 1, notifier => 1, relay => 1 },
           set => { scrape_timeout => '2s', scrape_host_delay => '0',
                    fcm_service_account => $fcm->{account},
                    fcm_base_url => $fcm->{url}, fcm_timeout => '2s' });
start_daemon();

# the jobs of the board, as stored: title => id
sub stored {
    return { map { split /\|/ } split /\n/,
             psql("SELECT title || '|' || id FROM jobs WHERE source_id = '$src'") };
}
# accepted pushes: "token job_id" => count
sub pushes {
    my %n;
    $n{"$_->{token} $_->{message}{data}{job_id}"}++
        for grep { $_->{token} =~ /-$run\z/ } $fcm->messages;
    return \%n;
}

lpush_scrape($src);
ok(wait_until(20, sub { keys %{ stored() } >= 3 }), 'the scraper stores the board\'s jobs');
my $jobs = stored();
my ($backend) = grep { /Backend Engineer/ } keys %$jobs;
my ($remote) = grep { /Frontend Engineer/ } keys %$jobs;
ok($backend && $remote, '... among them a backend and a remote frontend job')
    or diag explain $jobs;

my %want;
$want{"everything-$run $_"} = 1 for values %$jobs;
$want{"backend-$run $jobs->{$backend}"} = 1;
$want{"remote-$run $jobs->{$remote}"} = 1;
ok(wait_until(20, sub { keys %{ pushes() } >= keys %want }),
   'the notifier pushes what the new jobs match');
sleep 1;    # late duplicates, if any, come in
is_deeply(pushes(), \%want,
          'one push per user and job their filters match: every job to the user without'
          . ' role filters, the backend job to the backend engineer, the remote job to the'
          . ' remote user, nothing to the others');
is(psql("SELECT count(*) FROM user_job_alerts a JOIN users u ON u.id = a.user_id"
        . " WHERE u.email = 'muted-$run\@example.com'"), 0,
   '... and no alert for push off and no e-mail wanted');

# the same board again, without validators: nothing new, nothing pushed
my $before = $fcm->messages;
psql("UPDATE job_sources SET etag = NULL, last_modified = NULL WHERE id = '$src'");
my $logs = psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$src'");
lpush_scrape($src);
ok(wait_until(10, sub { psql("SELECT count(*) FROM scrape_logs WHERE source_id = '$src'")
                        > $logs }), 'a second scrape of the board');
is(psql("SELECT new_jobs FROM scrape_logs WHERE source_id = '$src'"
        . " ORDER BY started_at DESC LIMIT 1"), 0, '... stores no new job');
sleep 1;
is(scalar $fcm->messages, $before, '... and pushes nothing');

# a match task the scraper made survives a FLUSHALL: it is in the task
# outbox, committed with the jobs marked queued; the relay queues it again
stop_daemon();
my %conf = (set => { scrape_timeout => '2s', scrape_host_delay => '0',
                     fcm_service_account => $fcm->{account},
                     fcm_base_url => $fcm->{url}, fcm_timeout => '2s' });
write_conf(workers => { scraper => 1, relay => 1 }, %conf);
start_daemon();
my $late = psql("INSERT INTO jobs (company_id, source_id, external_id, title)"
                . " SELECT company_id, id, 'flush-$run', 'Platform Engineer'"
                . " FROM job_sources WHERE id = '$src' RETURNING id");
lpush_scrape($src);
my $task = wait_until(20, sub {
    psql("SELECT id FROM task_outbox WHERE queue = 'jobscout:queue:match'"
         . " AND relayed_at IS NOT NULL AND task LIKE '%$late%'") });
ok($task, 'the scraper\'s match task of a late job is in the outbox, relayed');
ok((grep { index($_, $task) >= 0 } @{ redis('lrange', 'jobscout:queue:match', 0, -1) }),
   '... and on the match queue');
redis('flushall');
ok(wait_until(10, sub { grep { index($_, $task) >= 0 }
                        @{ redis('lrange', 'jobscout:queue:match', 0, -1) } }),
   'after FLUSHALL the relay queues it again');
stop_daemon();
write_conf(workers => { notifier => 1, relay => 1 }, %conf);
start_daemon();
ok(wait_until(20, sub { pushes()->{"everything-$run $late"} }), '... and it is matched and pushed');
ok(wait_until(10, sub { psql("SELECT count(*) FROM task_outbox WHERE id = '$task'") == 0 }),
   '... its outbox row deleted once done');
sleep 1;
is(pushes()->{"everything-$run $late"}, 1, '... once');

stop_daemon();
unlike(log_text(), qr/AddressSanitizer|runtime error/, 'no sanitizer report');
$fcm->stop;
done_testing();
