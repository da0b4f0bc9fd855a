# Freshness, end to end, as a user waits for it: jobscoutd's scheduler,
# scraper and notifier running on their own; a fixture board (Greenhouse's
# format) publishes a new posting during the test, and the push for it
# reaches the fake FCM (t/fakes/fcm.py) within the source's polling
# ceiling plus the pipeline's own time.  The figures of the wait are
# kept: the poll that found it says "changed", the job its posted and
# discovered times, alert_push_latency posted -> discovered -> pushed.
use strict;
use warnings;

use Test::More;
use JSON::PP;
use POSIX qw(strftime);
use Time::HiRes qw(time sleep);

use lib 't/lib';
use JobScout::Scrape;
use JobScout::FakeFCM;

plan skip_all => 'run through "make test": it provides PostgreSQL and Redis'
    unless $ENV{TEST_NGINX_PG} && $ENV{TEST_NGINX_REDIS};

my $run = "f$$";
my $slug = "fresh-$run";

redis('del', 'jobscout:queue:scrape:high', 'jobscout:queue:scrape:normal',
      'jobscout:queue:match', 'jobscout:consumers', 'jobscout:delayed',
      @{ redis('keys', 'jobscout:processing:*') },
      @{ redis('keys', 'jobscout:scrape:pending:*') });
match_tasks('clear');
# only this suite's source is due
psql("UPDATE job_sources SET next_check_at = now() + interval '1 day'");

my $fcm = JobScout::FakeFCM->start(dir => $dir);
start_board();

my $board = decode_json(do {
    local $/;
    open my $fh, '<', 't/fixtures/greenhouse/jobs.json' or die $!;
    <$fh>;
});
sub publish {
    open my $fh, '>', "$dir/fresh.tmp" or die $!;
    print $fh encode_json($board);
    close $fh;
    rename "$dir/fresh.tmp", "$dir/fresh.json" or die $!;
}
publish();
board_routes({ '/gh/v1/boards/fresh/jobs' => { file => "$dir/fresh.json" } });

my $src = add_source(name => "Fresh $run", slug => $slug, class => 'greenhouse',
                     url => 'fresh', priority => 'high',
                     config => { api_base => board_url() . '/gh' });
psql("INSERT INTO users (email, hashed_password, preferences, fcm_token)"
     . " VALUES ('$run\@example.com', '!', '{\"companies\": [\"$slug\"]}', 'phone-$run')");

write_conf(workers => { scheduler => 1, scraper => 1, notifier => 1, relay => 1 },
           set => { scheduler_interval => '500ms', scrape_jitter => '0',
                    scrape_host_delay => '0', scrape_poll_high => '2s 4s',
                    fcm_service_account => $fcm->{account},
                    fcm_base_url => $fcm->{url}, fcm_timeout => '2s' });
start_daemon();

sub pushed { return grep { $_->{token} eq "phone-$run" } $fcm->messages }
sub polls {
    return split /\n/, psql("SELECT outcome FROM scrape_logs WHERE source_id = '$src'"
                            . " ORDER BY started_at");
}

sub stored { return psql("SELECT count(*) FROM jobs WHERE source_id = '$src'") }
ok(wait_until(20, sub { stored() > 0 && pushed() == stored() }),
   'the scheduler finds the new source, the scraper its jobs, the user gets their pushes')
    or diag(join "\n", (split /\n/, log_text())[-25 .. -1]);
ok(wait_until(20, sub { my @p = polls(); @p >= 3 && $p[-1] eq 'not_modified' }),
   '... then the quiet board is polled again and again, answering 304')
    or diag explain [polls()];

# a new posting, visible from now on
my %new = %{ $board->{jobs}[0] };
$new{id} = 4099999;
$new{internal_job_id} = 3099999;
$new{title} = 'Site Reliability Engineer';
$new{absolute_url} = 'https://boards.greenhouse.io/acme/jobs/4099999';
my $visible = time;
$new{first_published} = $new{updated_at} = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime $visible);
unshift @{ $board->{jobs} }, \%new;
publish();

my $job;
ok(wait_until(15, sub {
        $job = psql("SELECT id FROM jobs WHERE source_id = '$src' AND external_id = '4099999'");
        $job && grep { $_->{message}{data}{job_id} eq $job } pushed() }),
   'the new posting is pushed to the user');
my $arrived = time;
cmp_ok($arrived - $visible, '<', 4 + 3,
       sprintf('... %.1f s after it became visible: within the ceiling of 4 s and the'
               . ' pipeline\'s time', $arrived - $visible));
is((polls())[-1], 'changed', '... found by a poll that says "changed"');

# (FCM's acceptance is folded into the alert once the notifier is idle)
my ($discovery, $total);
wait_until(5, sub {
    ($discovery, $total) = split /\|/, psql(
        "SELECT round(discovery_ms), round(posted_to_push_ms) FROM alert_push_latency"
        . " WHERE job_id = '$job' AND user_id = (SELECT id FROM users"
        . " WHERE email = '$run\@example.com')");
    defined $total });
ok(defined $total && $discovery >= 0 && $total >= $discovery,
   "alert_push_latency has the wait from the board's posted time: discovered after"
   . " $discovery ms, pushed after $total ms (whole seconds on the board)");
like(log_text(), qr/scrape done.*outcome=changed.*new=1.*discovery_p50_s=\d+/,
     'the scrape log line says the discovery delay of the new job');

stop_daemon();
unlike(log_text(), qr/AddressSanitizer|runtime error/, 'no sanitizer report');
$fcm->stop;
psql("UPDATE job_sources SET is_active = false WHERE id = '$src'");
done_testing();
