# docker/compose.yaml under both Composes (issue 20 §4): Debian's
# docker-compose 1.29, which refuses a top-level "name:", and Compose v2
# ("docker compose") where its plugin is installed.  "config" needs no
# Docker daemon: it validates the file and prints it resolved, where the
# shared CV volume, the volumes' fixed names and the services' order are
# checked.
use strict;
use warnings;

use Test::More;

plan skip_all => 'run through "make test"' unless $ENV{TEST_JOBSCOUT_ROOT};

my $file = "$ENV{TEST_JOBSCOUT_ROOT}/docker/compose.yaml";

# (exit status, output) of "<compose> -f FILE config", with the
# development defaults (no docker/.env of a developer's)
sub config {
    my ($compose) = @_;
    my $out = `cd / && env -u POSTGRES_PASSWORD -u JWT_SECRET $compose -f '$file' config 2>&1`;
    return ($? >> 8, $out);
}

my @composes = ('docker-compose');
push @composes, 'docker compose'
    if system('docker compose version >/dev/null 2>&1') == 0;
diag('Compose v2 ("docker compose") is not installed here: only 1.29 runs')
    if @composes == 1;

like(`docker-compose version --short 2>&1`, qr/^1\.29\./,
     "Debian's docker-compose 1.29 is installed (make deps)");

for my $compose (@composes) {
    my ($rc, $out) = config($compose);
    is($rc, 0, "$compose config accepts docker/compose.yaml") or diag($out);
    ok($out =~ /^  api:$/m && $out =~ /^  worker:$/m,
       "$compose: api and worker services");
    ok(section($out, 'api') =~ m{cvdata\S*:/srv/jobscout/cv|source: cvdata}
       && section($out, 'worker') =~ m{cvdata\S*:/srv/jobscout/cv|source: cvdata},
       "$compose: api and worker share the cvdata volume at /srv/jobscout/cv");
    like($out, qr/^  cvdata:\n    name: jobscout_cvdata$/m,
         "$compose: the CV volume keeps its name whatever the project's");
    like($out, qr/^  pgdata:\n    name: jobscout_pgdata$/m,
         "$compose: so does PostgreSQL's");
    like(section($out, 'api'),
         qr/migrate:\n\s+condition: service_completed_successfully/,
         "$compose: api waits for the migrations");
}

# a service's block of the resolved file
sub section {
    my ($out, $name) = @_;
    return $out =~ /^  \Q$name\E:\n((?:    .*\n|\n)*)/m ? $1 : '';
}

open my $fh, '<', $file or die "$file: $!";
my $yaml = do { local $/; <$fh> };
unlike($yaml, qr/^name:/m, 'no top-level name: (docker-compose 1.29 refuses it)');

# the images give the shared directory its owners and mode, which a new
# volume copies: nginx's workers (nobody) write, jobscout's group reads
open $fh, '<', "$ENV{TEST_JOBSCOUT_ROOT}/docker/Dockerfile" or die $!;
my $docker = do { local $/; <$fh> };
like($docker, qr{install -d -o nobody -g jobscout -m 2770 /srv/jobscout/cv},
     'the images make /srv/jobscout/cv nobody:jobscout, mode 2770');

done_testing();
