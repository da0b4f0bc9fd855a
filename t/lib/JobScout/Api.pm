package JobScout::Api;

# What the API suites share: JSON requests to the nginx under test, and
# direct looks at its PostgreSQL and Redis.
#
#   my ($status, $data, $headers, $seconds, $raw) =
#       api(POST => '/auth/login', { email => ..., password => ... }, $token);
#   api(POST => '/auth/login', {...}, undef, "X-Forwarded-For: 10.0.0.1\r\n");
#   my $n = psql("SELECT count(*) FROM users");
#   my @values = redis('lrange', 'jobscout:queue:mail', 0, -1);
#   my $task = mail_for($to, 'mail.verify_email');

use strict;
use warnings;

use Exporter 'import';
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(time);

use Test::More ();
use JobScout::TestNginx qw(http_request write_config start_nginx
                           error_log_size);

our @EXPORT = qw(start_api api psql try_psql redis verified_user mail_for
                 outbox_tasks);

# nginx serving the API as the suites use it: one worker, the bcrypt
# thread pool, the test PostgreSQL, Redis, JWT and webhook keys.  config
# replaces the server's locations, http adds to the http block.  Returns
# the error log's size before the start.
sub start_api {
    my (%o) = @_;
    write_config(workers => 1,
                 main_config => 'thread_pool jobscout threads=2;',
                 http_config => <<"EOC" . ($o{http} // ''),
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    jobscout_webhook_key_file $ENV{TEST_NGINX_WEBHOOK_KEY};
EOC
                 config => $o{config} // 'location / { jobscout_api; }');
    my $log_start = error_log_size();
    my ($ok, $err) = start_nginx();
    Test::More::ok($ok, 'nginx starts') or Test::More::diag($err);
    for (1 .. 100) {
        my ($s) = http_request("GET /health/ready");
        last if defined $s && $s == 200;
        select undef, undef, undef, 0.03;
    }
    return $log_start;
}

sub api {
    my ($method, $path, $body, $token, $headers) = @_;
    my $json = defined $body ? (ref $body ? encode_json($body) : $body) : '';
    my $req = "$method /api/v1$path HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\n"
            . ($token ? "Authorization: Bearer $token\r\n" : '')
            . ($headers // '')
            . (defined $body ? "Content-Type: application/json\r\n"
                               . "Content-Length: " . length($json) . "\r\n"
                             : '')
            . "\r\n$json";
    my $t0 = time;
    my ($status, $h, $raw) = http_request($req, 10);
    my $data = eval { decode_json($raw) };
    return ($status, $data, $h, time - $t0, $raw);
}

# one value (rows joined by newlines), as psql -tA prints it
sub psql {
    my ($sql) = @_;
    open my $fh, '-|', 'psql', '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1',
        '-d', $ENV{TEST_NGINX_PG}, '-c', $sql or die "psql: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh or die "psql failed on: $sql\n";
    $out =~ s/\s+\z//;
    return $out;
}

# a statement that may fail: (psql's exit code, what it printed, its
# errors included); no shell in between
sub try_psql {
    my ($sql) = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT or exit 1;
        exec('psql', '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d',
             $ENV{TEST_NGINX_PG}, '-c', $sql) or exit 1;
    }
    my $out = do { local $/; <$fh> } // '';
    close $fh;
    return ($? >> 8, $out);
}

# arguments go to Redis as they are: no shell in between
sub redis {
    my ($host, $port) = split /:/, $ENV{TEST_NGINX_REDIS};
    open my $fh, '-|', 'redis-cli', '-h', $host, '-p', $port, @_
        or die "redis-cli: $!";
    my @out = <$fh>;
    close $fh;
    chomp @out;
    return wantarray ? @out : $out[0];
}

# the newest mail task of a kind for an address that the API wrote to the
# task outbox (sql/migrations/0014), taken out of it (no relay runs here)
sub mail_for {
    my ($to, $kind) = @_;
    my $raw = psql("DELETE FROM task_outbox WHERE id = (SELECT id FROM task_outbox"
                   . " WHERE queue = 'jobscout:queue:mail'"
                   . " AND task::jsonb->>'kind' = '$kind'"
                   . " AND task::jsonb->'args'->>'to' = '$to'"
                   . " ORDER BY created_at DESC LIMIT 1) RETURNING task");
    return $raw eq '' ? undef : decode_json($raw);
}

# the tasks of a queue waiting in the task outbox, oldest first
sub outbox_tasks {
    my ($queue) = @_;
    return map { decode_json($_) }
           split /\n/, psql("SELECT task FROM task_outbox WHERE queue = '$queue'"
                            . " ORDER BY created_at, id");
}

# register through the API, mark the address verified, log in:
# (access token, refresh token, user id)
sub verified_user {
    my ($email, $password, $name) = @_;
    my ($s, $d) = api(POST => '/auth/register',
                      { email => $email, password => $password,
                        full_name => $name // 'Test User' });
    die "register $email: $s" unless $s == 201;
    psql("UPDATE users SET email_verified = true, email_verified_at = now()"
         . " WHERE id = '$d->{id}'");
    ($s, my $login) = api(POST => '/auth/login',
                          { email => $email, password => $password });
    die "login $email: $s" unless $s == 200;
    return ($login->{access_token}, $login->{refresh_token}, $d->{id});
}

1;
