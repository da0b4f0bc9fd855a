# Backups (issue 20 §4, sql/backup.sh; the package's jobscout-backup,
# conf/stack.sh backup/restore): a pg_dump of a database the API serves,
# the database dropped and created empty, the dump restored: the API
# answers the same JSON as before, and the user logs in again.  A damaged
# dump is refused and changes nothing.  Retention keeps the N newest
# dumps and touches no other file.  A database of its own, dropped at
# the end.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $root = $ENV{TEST_JOBSCOUT_ROOT};
my $backup = "$root/sql/backup.sh";
my $dir = tempdir(CLEANUP => 1);
my $db = "jobscout_backup_$$";
(my $admin_pg = $ENV{TEST_NGINX_PG}) =~ s/dbname=\S+/dbname=postgres/;
(my $db_pg = $ENV{TEST_NGINX_PG}) =~ s/dbname=\S+/dbname=$db/;

sub admin { system('psql', '-X', '-q', '-d', $admin_pg, '-c', $_[0]) == 0 }
END { local $?; admin("DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)") }

# (exit status, output) of a command, through sh with quoted arguments
sub run_sh {
    my $out = `@{[ join ' ', map { "'$_'" } @_ ]} </dev/null 2>&1`;
    return ($? >> 8, $out);
}

ok(admin("CREATE DATABASE \"$db\""), "a database $db");
my ($rc, $out) = run_sh("$root/sql/migrate.sh", $db_pg);
is($rc, 0, 'migrated') or diag($out);

# the API on that database (api() and psql() read TEST_NGINX_PG)
$ENV{TEST_NGINX_PG} = $db_pg;
start_api();

my ($token, undef, $uid) = verified_user("backup-$$\@example.com",
                                         'a long enough secret', 'Amina Backup');
my $slug = "backup-$$";
my $job = psql(<<"SQL");
INSERT INTO companies (name, slug, careers_url, is_active)
     VALUES ('Backup Co', '$slug', 'https://backup.example/jobs', true);
INSERT INTO jobs (company_id, external_id, title, description, location,
                  location_type, apply_url, employment_type, discovered_at,
                  is_active)
SELECT c.id, 'b-' || n, 'Engineer ' || n, 'Builds things, number ' || n,
       'Nairobi, Kenya', 'hybrid', 'https://backup.example/apply/' || n,
       'full_time', now() - n * interval '1 hour', true
  FROM companies c, generate_series(1, 3) n WHERE c.slug = '$slug';
SELECT id FROM jobs WHERE external_id = 'b-1'
SQL
like($job, qr/^[0-9a-f-]{36}$/, 'three jobs of a company');

my @routes = ('/users/me', "/jobs?company=$slug", "/jobs/$job",
              "/companies/$slug");
sub answers {
    return { map { my ($s, undef, undef, undef, $raw) = api(GET => $_, undef,
                                                            $token);
                   ($_ => "$s $raw") } @routes };
}
my $before = answers();
like($before->{$_}, qr/^200 \{/, "GET $_ answers 200 JSON") for @routes;

# --- backup, drop, restore ---------------------------------------------------
($rc, $out) = run_sh($backup, 'backup', $db_pg, "$dir/backups");
is($rc, 0, 'backup') or diag($out);
my ($file) = $out =~ m{^(\Q$dir\E/backups/jobscout-[0-9T.]+Z\.dump)$}m;
ok($file && -s $file, 'it names the dump it wrote');
is((stat $file)[2] & 0777, 0600, 'readable by its owner only');

ok(admin("DROP DATABASE \"$db\" WITH (FORCE)"), 'the database dropped');
ok(admin("CREATE DATABASE \"$db\""), 'and created empty');
my ($s) = api(GET => '/users/me', undef, $token);
isnt($s, 200, 'the API has no user then');

($rc, $out) = run_sh($backup, 'restore', $db_pg, $file);
is($rc, 0, 'restore') or diag($out);
($rc, $out) = run_sh("$root/sql/migrate.sh", $db_pg);
like($out, qr/nothing pending/, 'the restored database is fully migrated');

# nginx's pool reconnects after its connections were dropped: readiness
my $ready;
for (1 .. 100) {
    ($ready) = http_request("GET /health/ready", 5);
    last if defined $ready && $ready == 200;
    sleep 0.05;
}
is($ready, 200, 'the API is ready again');
is_deeply(answers(), $before, 'every route answers the same JSON as before');
($s) = api(POST => '/auth/login', { email => "backup-$$\@example.com",
                                    password => 'a long enough secret' });
is($s, 200, 'the user logs in with the restored password hash');

# a stock pg_restore of the same dump, as an operator without the script
# would run it (0022: the generated columns resolve with search_path empty)
my $stock = "jobscout_stock_$$";
(my $stock_pg = $db_pg) =~ s/dbname=\S+/dbname=$stock/;
END { local $?; admin("DROP DATABASE IF EXISTS \"$stock\" WITH (FORCE)") }
ok(admin("CREATE DATABASE \"$stock\""), 'another empty database');
($rc, $out) = run_sh('pg_restore', '--no-owner', '--exit-on-error',
                     '-d', $stock_pg, $file);
is($rc, 0, 'a plain pg_restore into it succeeds') or diag($out);
my $users = "SELECT string_agg(email || match_role_keys::text, ',' ORDER BY"
          . " email) FROM users";
is(`psql -X -At -d '$stock_pg' -c "$users"`, `psql -X -At -d '$db_pg' -c "$users"`,
   '... with the same users and generated columns');

# --- a damaged dump ----------------------------------------------------------
psql("UPDATE users SET full_name = 'After Restore' WHERE id = '$uid'");
my $after = answers();
open my $in, '<:raw', $file or die $!;
my $bytes = do { local $/; <$in> };
open my $cut, '>:raw', "$dir/damaged.dump" or die $!;
print $cut substr($bytes, 0, int(length($bytes) / 2));
close $cut;
($rc, $out) = run_sh($backup, 'restore', $db_pg, "$dir/damaged.dump");
isnt($rc, 0, 'a truncated dump is refused');
like($out, qr/the database is unchanged/, 'saying nothing was changed');
is_deeply(answers(), $after, 'and nothing was: the same answers');
($rc, $out) = run_sh($backup, 'restore', $db_pg, "$dir/none.dump");
isnt($rc, 0, 'a missing file is refused');

# --- retention ----------------------------------------------------------------
my $keep = "$dir/keep";
mkdir $keep;
open my $other, '>', "$keep/notes.txt" or die $!;
close $other;
my @made;
for (1 .. 4) {
    ($rc, $out) = run_sh($backup, 'backup', '-k', 2, $db_pg, $keep);
    is($rc, 0, "backup $_ of 4, keeping 2") or diag($out);
    push @made, $out =~ m{^(\S+\.dump)$}m;
}
is_deeply([ sort glob("$keep/*") ], [ sort(@made[2, 3]), "$keep/notes.txt" ],
          'the 2 newest dumps are kept, the other file untouched');
($rc, $out) = run_sh($backup, 'backup', '-k', 0, $db_pg, $keep);
isnt($rc, 0, 'keeping 0 is refused');
($rc, $out) = run_sh($backup, 'backup', $db_pg, "$dir/x", 'extra');
is($rc, 2, 'a wrong call shows the usage');

stop_nginx();
done_testing();
