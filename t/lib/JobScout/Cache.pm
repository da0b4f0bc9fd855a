package JobScout::Cache;

# What the response cache's suites (t/120-t/122) share: nginx with two
# workers (an answer filled by one is found by the other) telling the
# cache's verdict in X-Cache ($jobscout_cache), GETs with a token, and
# polls that time how soon a commit shows.
#
#   my $db = cache_stack();                 # nginx up, both workers listening
#   my ($s, $h, $d, $raw) = api('GET', '/jobs?limit=5', $token);
#   warm('/jobs?limit=5', $token);          # true once answered from the cache
#   my $took = until_seen('/jobs?...', $token, sub { $_[0]{items}[0] });

use strict;
use warnings;

use Exporter 'import';
use JSON::PP qw(decode_json encode_json);
use Time::HiRes qw(sleep time);

use JobScout::Psql;
use JobScout::TestNginx qw(:all);

our @EXPORT = qw(cache_stack api warm until_seen user_account);

# the visibility bound of the README: one second from the commit
our $Bound = 1.0;

sub cache_stack {
    my (%opt) = @_;
    write_config(workers => 2,
                 http_config => <<"EOC",
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
    @{[ $opt{cache} // '' ]}
EOC
                 config => 'location / { jobscout_api;'
                           . ' add_header X-Cache $jobscout_cache always; }');
    my ($ok, $err) = start_nginx();
    die "nginx does not start: $err" unless $ok;
    for (1 .. 200) {
        my ($s) = http_request("GET /health/ready");
        last if $s && $s == 200;
        sleep 0.03;
    }
    return JobScout::Psql->new($ENV{TEST_NGINX_PG});
}

# (status, lower-cased headers, decoded JSON or undef, raw body)
sub api {
    my ($method, $path, $token, $headers, $body) = @_;
    my $req = "$method /api/v1$path HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\n"
            . ($token ? "Authorization: Bearer $token\r\n" : '')
            . ($headers // '');
    if (defined $body) {
        $req .= "Content-Type: application/json\r\nContent-Length: "
              . length($body) . "\r\n\r\n$body";
    } else {
        $req .= "\r\n";
    }
    my ($status, $h, $raw) = http_request($req, 10);
    return ($status, $h, eval { decode_json($raw) }, $raw);
}

# GETs until one is answered from the cache (each worker listens once its
# first connection is up): true if one was
sub warm {
    my ($path, $token) = @_;
    for (1 .. 150) {
        my ($s, $h) = api('GET', $path, $token);
        return 1 if $s == 200 && ($h->{'x-cache'} // '') eq 'HIT';
        sleep 0.02;
    }
    return 0;
}

# seconds from now until a GET's JSON passes $seen (polled every 20 ms),
# or undef after 5 s
sub until_seen {
    my ($path, $token, $seen) = @_;
    my $start = time;
    while (time - $start < 5) {
        my ($s, $h, $d) = api('GET', $path, $token);
        return time - $start if $s == 200 && $d && $seen->($d);
        sleep 0.02;
    }
    return undef;
}

# a new verified user: (id, access token of a family given or random)
sub user_account {
    my ($db, $name, %claims) = @_;
    require JobScout::Token;
    my $id = $db->query("INSERT INTO users (email, hashed_password, full_name,"
        . " email_verified, email_verified_at) VALUES"
        . " ('$name.$$\@example.com', 'x', '$name', true, now()) RETURNING id");
    return ($id, JobScout::Token::token(claims => { sub => $id, %claims }));
}

1;
