# make deb's packages on this machine (issue 20 §4): both installed with
# dpkg -i; the module enabled the way Debian's libnginx-mod-* are (a link
# in /etc/nginx/modules-enabled, through which a private nginx loads it
# from its packaged path and serves /health/ready); the unit passes
# systemd-analyze verify, the conffile jobscoutd -t as the system user,
# the logrotate file logrotate -d; lintian finds no error (its warnings
# are printed) and every command has a manual page; jobscout-migrate
# applies every migration to a new database, then nothing.  With the
# package's CV directory, nginx's workers (www-data) store an uploaded CV
# that the packaged jobscoutd, running as jobscout, processes and then
# removes.  A remove keeps the admin's choice for a reinstall; the purge
# leaves the machine as it found it, to the file, but for the system user,
# which Debian leaves behind (this suite then removes it, as an admin
# would).  An END block purges on any failure.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Find ();
use File::Spec ();
use File::Temp qw(tempdir);

use JobScout::TestNginx qw(http_request);
use JobScout::Api qw(api psql redis verified_user);
use JobScout::Cv qw(pdf upload cv_request);
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_JOBSCOUT_BUILD};

my $root = $ENV{TEST_JOBSCOUT_ROOT};
my $build = $ENV{TEST_JOBSCOUT_BUILD};
my @pkgs = qw(libnginx-mod-http-jobscout jobscoutd);
my $enable = '/etc/nginx/modules-enabled/50-mod-http-jobscout.conf';
my $avail = '/usr/share/nginx/modules-available/mod-http-jobscout.conf';
my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;          # nginx's workers (nobody) reach its temp dirs
(my $admin_pg = $ENV{TEST_NGINX_PG}) =~ s/dbname=\S+/dbname=postgres/;
my $db = "jobscout_deb_$$";
(my $db_pg = $ENV{TEST_NGINX_PG}) =~ s/dbname=\S+/dbname=$db/;

# what the packages touch, as (path => type, mode, owner, link target):
# the same before the install and after the purge
my @watched = qw(/etc/nginx /usr/lib/nginx /usr/share/nginx /etc/jobscout
    /usr/share/jobscout /usr/share/doc/jobscoutd
    /usr/share/doc/libnginx-mod-http-jobscout /var/lib/jobscout
    /var/log/jobscout /etc/logrotate.d /lib/systemd/system/jobscoutd.service
    /etc/systemd/system /usr/sbin/jobscoutd /usr/sbin/jobscout-migrate
    /usr/sbin/jobscout-backup /usr/share/man/man8/jobscoutd.8.gz
    /usr/share/man/man8/jobscout-migrate.8.gz
    /usr/share/man/man8/jobscout-backup.8.gz);

sub snapshot {
    my %seen;
    my $note = sub {
        my @st = lstat $_ or return;
        $seen{$_} = join ' ', $st[2], $st[4], $st[5],
                              -l _ ? readlink($_) : '';
    };
    for my $p (grep { -e $_ || -l $_ } @watched) {
        File::Find::find({ wanted => $note, no_chdir => 1 }, $p);
    }
    return \%seen;
}

sub status { my $s = `dpkg-query -W -f='\${db:Status-Abbrev}' $_[0] 2>/dev/null`;
             $s =~ s/\s+\z//; return $s }

# (exit status, output) of a command, stdin closed
sub run {
    my $out = `@_ </dev/null 2>&1`;
    return ($? >> 8, $out);
}

# dpkg, waiting while another dpkg or apt holds its lock
sub dpkg {
    my @args = @_;
    my ($rc, $out);
    for (1 .. 150) {
        ($rc, $out) = run('dpkg', @args);
        last unless $rc && $out =~ /lock/i;
        sleep 2;
    }
    return ($rc, $out);
}

my ($installed, $user_before, $nginx_pid_file, $jobscoutd_pid_file);
sub user_exists { return scalar getpwnam('jobscout') }

# the guard: whatever failed, the machine goes back as it was
END {
    local $?;
    for my $pid_file (grep { $_ && -s $_ } $nginx_pid_file,
                                           $jobscoutd_pid_file) {
        kill 'TERM', `cat $pid_file` + 0;
    }
    sleep 1 if $jobscoutd_pid_file;   # its workers gone before deluser
    if ($installed) {
        dpkg('--purge', @pkgs);
        system("deluser --system jobscout >/dev/null 2>&1")
            if !$user_before && user_exists();
    }
    system('psql', '-X', '-q', '-d', $admin_pg, '-c',
           "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)");
}
$SIG{$_} = sub { exit 1 } for qw(INT TERM);

# --- build, and a machine without them -----------------------------------
for (@pkgs) {
    is(status($_), '', "$_ is not installed before the test")
        or BAIL_OUT("$_ is installed: this suite would purge it");
}
$user_before = user_exists();
my $before = snapshot();

# make's BUILD is relative to the checkout (the Makefile prefixes it);
# SANITIZE as make test's, else make asan's tree is rebuilt without it
my ($rc, $out) = run('make', '-s', '-C', $root, 'deb',
                     'BUILD=' . File::Spec->abs2rel($build, $root),
                     'SANITIZE=' . ($ENV{SANITIZE} // ''));
is($rc, 0, 'make deb') or diag($out);
my %deb = map { (m{/([^/_]+)_[^/]+\.deb$})[0] => $_ } glob("$build/deb/*.deb");
ok($deb{$_}, "make deb built $_") for @pkgs;

my ($abi) = `dpkg-query -W -f='\${Provides}' nginx` =~ /(nginx-abi-[^\s,]+)/;
like(`dpkg-deb -f $deb{'libnginx-mod-http-jobscout'} Depends`,
     qr/^\Q$abi\E, .*libpq5/,
     "the module depends on $abi (the installed nginx's) and its libraries");
like(`dpkg-deb -f $deb{jobscoutd} Depends`, qr/\badduser\b.*\blibhiredis/,
     'jobscoutd depends on adduser and its libraries');

($rc, $out) = run('lintian', '--tag-display-limit', '0', @deb{@pkgs});
my @errors = grep { /^E: / } split /\n/, $out;
is(scalar @errors, 0, 'lintian: no error') or diag(join "\n", @errors);
diag("lintian: $_") for grep { /^W: / } split /\n/, $out;
is(join("\n", grep { /manual-page|manual-section|whatis|groff-message/ }
               split /\n/, $out), '',
   'lintian: every command has its manual page, which man reads without a warning');

# --- install ----------------------------------------------------------------
$installed = 1;
($rc, $out) = dpkg('-i', @deb{@pkgs});
is($rc, 0, 'dpkg -i of both packages') or diag($out);
is(status($_), 'ii', "$_ is installed") for @pkgs;

is(readlink($enable), $avail,
   'the module is enabled by a link in /etc/nginx/modules-enabled');
like(`cat $avail`, qr{^load_module modules/ngx_http_jobscout_module\.so;$}m,
     'whose file loads it from nginx\'s modules directory');
ok(-f '/usr/lib/nginx/modules/ngx_http_jobscout_module.so',
   'the module is in /usr/lib/nginx/modules');
ok(-f "/usr/share/man/man8/$_.8.gz", "man 8 $_ is installed")
    for qw(jobscoutd jobscout-migrate jobscout-backup);

my @pw = getpwnam('jobscout');
ok(@pw && $pw[2] < 1000 && $pw[8] eq '/usr/sbin/nologin',
   'jobscout is a system user without a login shell');
my @cv = stat '/var/lib/jobscout/cv';
is(sprintf('%04o %s %s', $cv[2] & 07777, scalar getpwuid($cv[4]),
           scalar getgrgid($cv[5])), '2770 www-data jobscout',
   'the CV directory: nginx\'s workers write, jobscout\'s group reads');
like(`dpkg-query -W -f='\${Conffiles}' jobscoutd`,
     qr{/etc/jobscout/jobscoutd\.conf .*/etc/logrotate\.d/jobscoutd}s,
     'the configuration and the logrotate file are conffiles');

($rc, $out) = run('systemd-analyze', 'verify',
                  '/lib/systemd/system/jobscoutd.service');
is($rc, 0, 'systemd-analyze verify jobscoutd.service') or diag($out);
my $unit = `systemctl cat --no-pager jobscoutd.service 2>/dev/null`
           || `cat /lib/systemd/system/jobscoutd.service`;
like($unit, qr/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m, 'reload is HUP');
like($unit, qr/^ExecStart=\/usr\/sbin\/jobscoutd -f /m,
     'jobscoutd stays in the foreground: Type=simple');
like($unit, qr/^Type=simple$/m, 'Type=simple');
like($unit, qr/^$_$/m, "sandboxed: $_") for 'ProtectSystem=strict',
    'ProtectHome=yes', 'PrivateTmp=yes', 'NoNewPrivileges=yes',
    'ReadWritePaths=/var/lib/jobscout /var/log/jobscout',
    'CapabilityBoundingSet=', 'SystemCallArchitectures=native',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK';

($rc, $out) = run('runuser', '-u', 'jobscout', '--', '/usr/sbin/jobscoutd',
                  '-t', '-p', '/var/lib/jobscout/',
                  '-c', '/etc/jobscout/jobscoutd.conf');
is($rc, 0, 'the packaged configuration passes jobscoutd -t as jobscout')
    or diag($out);

($rc, $out) = run('logrotate', '-d', '-s', "$dir/logrotate.state",
                  '/etc/logrotate.d/jobscoutd');
is($rc, 0, 'logrotate -d reads the logrotate file') or diag($out);
like(`cat /etc/logrotate.d/jobscoutd`,
     qr/postrotate.*--signal=USR1 jobscoutd\.service.*endscript/s,
     'logrotate has jobscoutd reopen its logs (USR1)');

# --- nginx with the module from its packaged path ---------------------------
my $port = $ENV{TEST_NGINX_PORT} || 1984;
mkdir "$dir/$_" for qw(logs tmp);
chmod 0777, "$dir/tmp";
my $conf = sub {
    my ($include) = @_;
    open my $fh, '>', "$dir/nginx.conf" or die $!;
    print $fh ($include ? "include /etc/nginx/modules-enabled/*.conf;\n" : '')
        . <<"EOC";
user www-data;
pid $dir/logs/nginx.pid;
error_log $dir/logs/error.log;
thread_pool jobscout threads=2;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    jobscout_cv_storage /var/lib/jobscout/cv;
    server {
        listen 127.0.0.1:$port;
        location / { jobscout_api; client_max_body_size 6m; }
    }
}
EOC
    close $fh;
};
# make asan's module needs the sanitizer runtimes in the stock nginx
my $nginx = $ENV{TEST_NGINX_PRELOAD}
          ? "env LD_PRELOAD='$ENV{TEST_NGINX_PRELOAD}' nginx" : 'nginx';
$conf->(0);
($rc, $out) = run($nginx, '-t', '-c', "$dir/nginx.conf", '-e',
                  "$dir/logs/error.log");
like($out, qr/unknown directive "jobscout_postgres"/,
     'without modules-enabled nginx knows no jobscout directive');
$conf->(1);
($rc, $out) = run($nginx, '-t', '-c', "$dir/nginx.conf", '-e',
                  "$dir/logs/error.log");
is($rc, 0, 'nginx -t with the module from /etc/nginx/modules-enabled')
    or diag($out);
$nginx_pid_file = "$dir/logs/nginx.pid";
# the umask README asks of nginx: the CVs it stores are the group's
($rc, $out) = run("umask 0007 && $nginx -c $dir/nginx.conf -e $dir/logs/error.log");
is($rc, 0, 'that nginx starts') or diag($out);
my $status;
for (1 .. 100) {
    ($status) = http_request("GET /health/ready", 5);
    last if defined $status && $status == 200;
    select undef, undef, undef, 0.05;
}
is($status, 200, 'and serves /health/ready from PostgreSQL and Redis');

# --- the CV directory shared by nginx (www-data) and jobscoutd (jobscout) ---
psql("DELETE FROM task_outbox WHERE queue = 'jobscout:queue:cv'");
redis('del', 'jobscout:queue:cv');
my $jd = "$dir/jobscoutd";
mkdir $jd;
my $d = JobScout::Jobscoutd->new(dir => $jd, workers => { relay => 1, cv => 1 },
    cv_dir => '/var/lib/jobscout/cv', directives => { relay_lease => '30s' });
system('chown', '-R', 'jobscout:jobscout', $jd);
$jobscoutd_pid_file = "$jd/logs/jobscoutd.pid";
($rc, $out) = run("runuser -u jobscout -- sh -c 'umask 0007 && exec"
                  . " /usr/sbin/jobscoutd -p $jd/ -c conf/jobscoutd.conf'");
is($rc, 0, 'the packaged jobscoutd starts as jobscout (relay, cv)')
    or diag($out);

my ($token, undef, $uid) = verified_user("deb-$$\@example.com",
                                         'a long enough secret');
my ($s, $cv) = upload($token, pdf(['Deb Packaged', 'Skills: PostgreSQL, Docker']),
                      'application/pdf');
is($s, 202, 'nginx takes a CV');
my $file = '/var/lib/jobscout/cv/'
         . psql("SELECT file_path FROM user_cvs WHERE user_id = '$uid'");
my @st = stat $file;
is(sprintf('%s:%s', scalar getpwuid($st[4] // 0), scalar getgrgid($st[5] // 0)),
   'www-data:jobscout', 'stored by www-data, in the group jobscout');
my $cv_status = '';
for (1 .. 300) {
    $cv_status = psql("SELECT status FROM user_cvs WHERE user_id = '$uid'");
    last if $cv_status ne 'pending';
    select undef, undef, undef, 0.1;
}
is($cv_status, 'processed', 'jobscout\'s cv role reads and processes it')
    or diag(`tail -5 $jd/logs/jobscoutd.log`);
($s) = cv_request(DELETE => $token);
is($s, 204, 'the CV is deleted');
for (1 .. 300) { last unless -e $file; select undef, undef, undef, 0.1 }
ok(!-e $file, 'the cv role removes the file nginx stored')
    or diag(`tail -5 $jd/logs/jobscoutd.log`);
kill 'QUIT', `cat $jobscoutd_pid_file` + 0;
for (1 .. 200) { last unless -e $jobscoutd_pid_file; select undef, undef, undef, 0.05 }
ok(!-e $jobscoutd_pid_file, 'jobscoutd stops');
kill 'QUIT', `cat $nginx_pid_file` + 0;
for (1 .. 100) { last unless -e $nginx_pid_file; select undef, undef, undef, 0.05 }
ok(!-e $nginx_pid_file, 'nginx stops');

# --- jobscout-migrate against a new database -------------------------------
($rc, $out) = run('psql', '-X', '-q', '-d', "'$admin_pg'", '-c',
                  "'CREATE DATABASE \"$db\"'");
is($rc, 0, "a database $db") or diag($out);
my @files = glob('/usr/share/jobscout/sql/migrations/*.sql');
cmp_ok(scalar @files, '>=', 19, 'the package holds the migrations');
($rc, $out) = run('/usr/sbin/jobscout-migrate', "'$db_pg'");
is($rc, 0, 'jobscout-migrate') or diag($out);
is(scalar(() = $out =~ /^migrate: applying /mg), scalar @files,
   'applies every migration');
is(`psql -X -tA -d '$db_pg' -c 'SELECT count(*) FROM schema_migrations'`,
   scalar(@files) . "\n", 'and records them');
($rc, $out) = run('/usr/sbin/jobscout-migrate', "'$db_pg'");
like($out, qr/nothing pending/, 'a second run applies nothing');
is($rc, 0, 'and succeeds');
($rc, $out) = run('/usr/sbin/jobscout-backup', 'backup', '-k', 1, "'$db_pg'",
                  "$dir/backups");
is($rc, 0, 'jobscout-backup backs that database up') or diag($out);
ok(-s (glob("$dir/backups/jobscout-*.dump"))[0], 'into a dump');

# --- remove, reinstall, purge ------------------------------------------------
($rc, $out) = dpkg('-r', 'libnginx-mod-http-jobscout');
is($rc, 0, 'dpkg -r of the module') or diag($out);
ok(!-e $enable && -l "$enable.removed",
   'a remove takes the link away, remembering it');
($rc, $out) = dpkg('-i', $deb{'libnginx-mod-http-jobscout'});
is(readlink($enable), $avail, 'a reinstall enables it again');

($rc, $out) = dpkg('--purge', @pkgs);
is($rc, 0, 'dpkg --purge of both') or diag($out);
is(status($_), '', "$_ is gone") for @pkgs;
$installed = 0;

my $after = snapshot();
my @diff = grep { ($before->{$_} // '') ne ($after->{$_} // '') }
           do { my %k = (%$before, %$after); sort keys %k };
is_deeply(\@diff, [], 'the files are as they were before the install')
    or diag(join "\n", map { "$_: " . ($before->{$_} // 'absent') . ' -> '
                                     . ($after->{$_} // 'absent') } @diff);

# Debian leaves system users behind on purge (files they owned may remain)
ok(user_exists(), 'the purge leaves the system user jobscout, as Debian does');
if (!$user_before) {
    system('deluser --system jobscout >/dev/null 2>&1');
    ok(!user_exists() && !getgrnam('jobscout'),
       'deluser removes it and its group: the machine is as it was');
}

done_testing();
