#!/usr/bin/perl
# make bench, cv part (issue 18):
#
#   1. CV processing: PDFs and DOCX of 1, 5 and 10 pages of CV text (made
#      here as t/111_cv_worker.t makes its fixtures, lib/JobScout/Cv.pm;
#      the PDFs' content streams deflated, as writers do), each processed
#      BENCH_CV_REPS times by the cv role's own code (t/bench/cv_extract.c,
#      linked with the daemon's objects): the text in a child under the
#      default limits, then the skills.  p50/p95 per document and per page.
#      Not included: the queue, fetching from storage, the row's UPDATE.
#   2. Skill tagging: BENCH_CV_DESCRIPTIONS (100,000) job descriptions
#      written from the taxonomy's own names and aliases (title, the role,
#      requirements with years, nice-to-have, benefits; about 1.4 KB each),
#      tagged by the extractor: descriptions/s and MB/s.
#   3. Uploads: BENCH_CV_CLIENTS users uploading a 5 MB PDF
#      BENCH_CV_UPLOADS times each in parallel (curl, one connection per
#      user), through POST /api/v1/users/me/cv to local storage, and the
#      same bodies POSTed to a "return 200" location of the same nginx:
#      uploads/s, MB/s, the ratio, and each nginx worker's VmRSS before
#      and after and its VmHWM during the uploads (reset before them).
#
# Called by conf/stack.sh bench with MODULE, HTTP_PORT (this part uses the
# next port), PG_CONNINFO, REDIS_ADDR, JWT_KEY, JOBSCOUTD and STACK_DIR set
# and PostgreSQL and Redis running.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use Time::HiRes qw(sleep time);

my $root;
BEGIN { $root = abs_path(dirname(__FILE__) . '/../..'); }
use lib "$root/t/lib";

use JobScout::Cv qw(pdf docx docx_type);
use JobScout::Psql;

my $reps = $ENV{BENCH_CV_REPS} || 20;
my $ndesc = $ENV{BENCH_CV_DESCRIPTIONS} || 100_000;
my $clients = $ENV{BENCH_CV_CLIENTS} || 8;
my $uploads = $ENV{BENCH_CV_UPLOADS} || 12;
my $dir = "$ENV{STACK_DIR}/cv";
my $port = $ENV{HTTP_PORT} + 1;
my $url = "http://127.0.0.1:$port";
my $db = JobScout::Psql->new($ENV{PG_CONNINFO});
my $failed = 0;

remove_tree($dir);
make_path("$dir/docs", "$dir/nginx/conf", "$dir/nginx/logs", "$dir/tmp",
          "$dir/storage");

sub percentile {
    my ($p, @v) = @_;
    @v = sort { $a <=> $b } @v;
    return @v ? $v[int($#v * $p / 100 + 0.5)] : 0;
}

sub spew {
    my ($path, $data) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    print $fh $data;
    close $fh or die "$path: $!";
}

# --- the driver, from the daemon's objects (workers/Makefile builds it)
my $build = dirname($ENV{JOBSCOUTD});
system('make', '-s', '-C', "$root/workers", "BUILD=$build", 'cv-extract') == 0
    or die "bench: cannot build cv_extract\n";

# --- text made of the taxonomy: every skill as some CV or job writes it
srand 18;
my @skills = map { [split /\|/, $_, -1] } split /\n/, $db->query(
    "SELECT s.name, coalesce(string_agg(a.alias, ',') FILTER (WHERE NOT a.ambiguous), '')"
  . "  FROM skills s JOIN skill_aliases a ON a.skill_id = s.id"
  . " GROUP BY s.name ORDER BY s.name");
sub skill {
    my $s = $skills[rand @skills];
    my @a = grep { length } split /,/, $s->[1];
    return rand() < 0.7 || !@a ? $s->[0] : $a[rand @a];
}
sub pick { $_[rand @_] }
my @verbs = qw(built designed ran owned led shipped migrated scaled automated
               reviewed audited reconciled forecast negotiated planned);
my @things = ('the billing service', 'a reporting pipeline', 'month-end close',
              'the onboarding flow', 'supplier contracts', 'a pricing model',
              'the data warehouse', 'customer dashboards', 'an internal API',
              'the mobile release train', 'quarterly budgets', 'a search index');
my @filler = ('Worked closely with product, design and operations teams.',
              'Mentored two junior colleagues and ran weekly reviews.',
              'Cut the time to produce the report from three days to four hours.',
              'Go to market was planned with the sales team in Nairobi.',
              'Presented results to the board every quarter.',
              'Kept the on-call rotation calm: fewer pages, faster fixes.');
sub bullet {
    my $r = rand;
    return $r < 0.4 ? '- ' . ucfirst(pick(@verbs)) . ' ' . pick(@things)
                      . ' with ' . skill() . ' and ' . skill() . '.'
         : $r < 0.6 ? '- ' . (1 + int rand 9) . ' years of ' . skill() . '.'
         : $r < 0.8 ? '- ' . join(', ', map { skill() } 1 .. 4) . '.'
         :            '- ' . pick(@filler);
}

# a CV page: about 45 lines of 60-90 characters (the first with a header)
sub cv_page {
    my ($first) = @_;
    my @l = $first ? ('Amina Hassan - Senior Analyst', 'Nairobi, Kenya',
                      'Skills: ' . join(', ', map { skill() } 1 .. 8), '') : ();
    while (@l < 45) {
        push @l, 'Experience', 'Acme Holdings, ' . (2010 + int rand 14)
                 . ' - ' . (2012 + int rand 12), map { bullet() } 1 .. 6;
        push @l, '';
    }
    return [@l[0 .. 44]];
}

# --- 1. CV processing
my (@docs, %pages_of);
for my $n (1, 5, 10) {
    my @pages = map { cv_page($_ == 1) } 1 .. $n;
    spew("$dir/docs/cv-$n.pdf", pdf(@pages, { compress => 1 }));
    spew("$dir/docs/cv-$n.docx", docx(map { @$_ } @pages));
    push @docs, 'application/pdf', "$dir/docs/cv-$n.pdf", docx_type(),
                "$dir/docs/cv-$n.docx";
    $pages_of{"$dir/docs/cv-$n.$_"} = $n for qw(pdf docx);
}
my %ms;
for (`$build/bench/cv_extract '$ENV{PG_CONNINFO}' docs $reps @docs`) {
    my ($file, $ms, $found) = split;
    push @{ $ms{$file} }, $ms;
    $failed = 1, print "bench: no skills in $file\n" unless $found;
}
$? == 0 or die "bench: cv_extract docs failed\n";

printf "\ncv processing: text in a child under the limits, then skills;"
     . " %d runs each, %d cores\n", $reps, `nproc`;
printf "%-16s %8s %12s %12s %12s %12s\n", 'document', 'size_kB', 'doc_p50_ms',
       'doc_p95_ms', 'page_p50_ms', 'page_p95_ms';
for my $kind (qw(pdf docx)) {
    for my $n (1, 5, 10) {
        my $f = "$dir/docs/cv-$n.$kind";
        my @v = @{ $ms{$f} || [0] };
        printf "%-16s %8.1f %12.1f %12.1f %12.2f %12.2f\n",
            uc($kind) . " $n page" . ($n > 1 ? 's' : ''), (-s $f) / 1024,
            percentile(50, @v), percentile(95, @v),
            percentile(50, @v) / $n, percentile(95, @v) / $n;
    }
}

# --- 2. skill tagging
my @titles = ('Backend Engineer', 'Data Analyst', 'Financial Controller',
              'Product Manager', 'Operations Lead', 'DevOps Engineer',
              'Accountant', 'Supply Chain Planner', 'Frontend Developer',
              'Data Scientist', 'HR Business Partner', 'Sales Manager');
my @about = ('We are a fast-growing company serving customers across East Africa.',
             'You will join a team of twelve that owns the platform end to end.',
             'Our customers rely on us every day, and so does the rest of the company.',
             'Let\'s go further together: you excel at turning plans into results.',
             'The role reports to the head of the department and works with finance.');
open my $out, '>:raw', "$dir/descriptions" or die $!;
for my $i (1 .. $ndesc) {
    my @t = (pick(@titles) . ' (' . skill() . ')', '', 'About the role',
             join(' ', map { pick(@about) } 1 .. 3 + int rand 4),
             join(' ', map { pick(@filler) } 1 .. 2 + int rand 3));
    push @t, "We use " . join(', ', map { skill() } 1 .. 3) . ' and ' . skill() . '.';
    push @t, '', 'What you will do', map { bullet() } 1 .. 4 + int rand 5;
    push @t, '', 'Requirements', map { bullet() } 1 .. 4 + int rand 5;
    push @t, '', 'Nice to have', map { '- ' . skill() } 1 .. 1 + int rand 3;
    push @t, '', 'Benefits', '- Medical cover for you and your family.',
             '- 25 days of paid leave, remote Fridays.';
    print $out join("\n", @t), "\0";
}
close $out or die $!;
my ($n, $bytes, $secs, $hits) =
    split ' ', `$build/bench/cv_extract '$ENV{PG_CONNINFO}' tag $dir/descriptions`;
$? == 0 or die "bench: cv_extract tag failed\n";
printf "\nskill tagging: %d job descriptions, %.1f MB, %d skills (%d aliases) in the taxonomy\n",
    $n, $bytes / 1e6, scalar @skills, $db->query('SELECT count(*) FROM skill_aliases');
printf "%-16s %12.2f s  (one thread)\n", 'wall time', $secs;
printf "%-16s %12.0f descriptions/s\n", 'throughput', $n / $secs;
printf "%-16s %12.1f MB/s, %.1f skills per description\n", '', $bytes / 1e6 / $secs,
    $hits / $n;
unlink "$dir/descriptions";

# --- 3. uploads
# 5 MB of PDF: 40 pages of uncompressed text (a CV with pictures would
# weigh as much; nginx reads the bytes either way)
my @big = map { [map { "Line $_ of a long CV page: " . ('x' x 80) } 1 .. 900] } 1 .. 40;
my $pdf5 = pdf(@big);
spew("$dir/upload.pdf", $pdf5);
my $mb = length($pdf5) / 1e6;

open my $conf, '>', "$dir/nginx/conf/nginx.conf" or die $!;
print $conf <<EOC;
load_module $ENV{MODULE};
worker_processes auto;
thread_pool jobscout threads=2;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $dir/tmp;
    access_log off;
    jobscout_postgres "$ENV{PG_CONNINFO}" pool=4;
    jobscout_redis $ENV{REDIS_ADDR};
    jobscout_jwt_key_file $ENV{JWT_KEY};
    jobscout_cv_storage $dir/storage;
    client_max_body_size 6m;
    server {
        listen 127.0.0.1:$port;
        location = /plain { return 200 "ok\\n"; }
        location / { jobscout_api; }
    }
}
EOC
close $conf;
system('chown', '-R', 'nobody:', "$dir/tmp", "$dir/storage") == 0 or die;
system('/usr/sbin/nginx', '-p', "$dir/nginx/", '-c', 'conf/nginx.conf') == 0
    or die "bench: nginx does not start\n";
my $master = do { sleep 0.2; `cat $dir/nginx/logs/nginx.pid` + 0 };
END { kill 'QUIT', $master if $master }

my $hash = '$2b$12$yj7n5qBTMlGsh14f/67ujODQlTydd1sL4S0suJOegq.hCFiDqHdbW';
$db->query("DELETE FROM users WHERE email LIKE 'cv-bench-%\@bench.invalid';"
         . " INSERT INTO users (email, hashed_password, full_name, email_verified,"
         . " email_verified_at) SELECT 'cv-bench-' || i || '\@bench.invalid', '$hash',"
         . " 'CV Bench ' || i, true, now() FROM generate_series(1, $clients) i");
my @tokens = map {
    my $r = `curl -s -H 'Content-Type: application/json' -d '{"email":"cv-bench-$_\@bench.invalid","password":"jobscout-demo"}' $url/api/v1/auth/login`;
    $r =~ /"access_token":"([^"]+)"/ or die "bench: cannot log in: $r\n";
    $1 } 1 .. $clients;

sub workers { map { /(\d+)/ ? $1 : () } `pgrep -P $master` }
sub status { my ($pid, $k) = @_; (`cat /proc/$pid/status` =~ /^$k:\s+(\d+)/m)[0] // 0 }

# every client's uploads on one connection; (seconds, status counts)
sub upload_all {
    my ($path) = @_;
    my $t0 = time;
    my @kids;
    for my $token (@tokens) {
        open my $fh, '-|', 'curl', '-s', '-w', '%{http_code}\n',
            '-H', 'Content-Type: application/pdf', '-H', "Authorization: Bearer $token",
            '--data-binary', "\@$dir/upload.pdf",
            map { ('-o', '/dev/null', "$url$path") } 1 .. $uploads
            or die $!;
        push @kids, $fh;
    }
    my %codes;
    for my $fh (@kids) { $codes{$_}++ for map { /(\d+)/ } <$fh>; close $fh }
    return (time - $t0, \%codes);
}

upload_all('/plain');                          # warm-up: connections, pages
my @pids = workers();
my %before = map { $_ => status($_, 'VmRSS') } @pids;
for (@pids) { open my $fh, '>', "/proc/$_/clear_refs" or die $!; print $fh "5"; close $fh }
my ($up_secs, $up_codes) = upload_all('/api/v1/users/me/cv');
my %peak = map { $_ => status($_, 'VmHWM') } @pids;
my %after = map { $_ => status($_, 'VmRSS') } @pids;
my ($plain_secs, $plain_codes) = upload_all('/plain');

my $total = $clients * $uploads;
if (($up_codes->{202} // 0) != $total) {
    print "bench: uploads answered ", join(', ', map { "$up_codes->{$_} x $_" } sort keys %$up_codes), "\n";
    $failed = 1;
}
my $stored = $db->query("SELECT count(*) FROM user_cvs c JOIN users u ON u.id = c.user_id"
                      . " WHERE u.email LIKE 'cv-bench-%\@bench.invalid'");
printf "\nuploads: %d clients x %d POSTs of a %.1f MB PDF (raw body), one connection each\n",
    $clients, $uploads, $mb;
printf "%-24s %12s %10s\n", 'location', 'uploads/s', 'MB/s';
printf "%-24s %12.1f %10.1f\n", 'return 200', $total / $plain_secs, $total * $mb / $plain_secs;
printf "%-24s %12.1f %10.1f  (%.1f%% of return 200; %d stored CVs)\n", 'POST /users/me/cv',
    $total / $up_secs, $total * $mb / $up_secs, 100 * $plain_secs / $up_secs, $stored;
printf "%-24s %12s %10s %10s\n", 'nginx worker RSS (kB)', 'before', 'after', 'peak';
for my $pid (@pids) {
    printf "%-24s %12d %10d %10d  (%+d kB during the uploads)\n", "pid $pid",
        $before{$pid}, $after{$pid}, $peak{$pid}, $peak{$pid} - $before{$pid};
    $failed = 1, print "bench: worker $pid grew by the upload size\n"
        if $peak{$pid} - $before{$pid} >= length($pdf5) / 1024;
}
remove_tree("$dir/storage", "$dir/docs");
exit $failed;
