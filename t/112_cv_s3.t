# CVs in an S3-compatible store (issue 18): with jobscout_cv_s3 and the
# cv role's cv_s3_*, an upload lands on disk, the cv role PUTs it to the
# bucket (SigV4 by libcurl), reads it back from there to extract it and
# removes it from disk; GET /users/me/cv then streams it from the bucket
# through an internal proxy location, by a URL the module presigned;
# replacing or deleting the CV deletes the object.  The fake store
# (t/fakes/s3.py) checks every signature with botocore: a wrong secret is
# refused.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(sleep time);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Cv;
use JobScout::FakeS3;
use JobScout::Jobscoutd;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $dir = tempdir(CLEANUP => 1);
my $storage = servroot() . '/cv';
system('rm', '-rf', $storage);

my $s3 = JobScout::FakeS3->start(dir => $dir, port => $ENV{TEST_S3_PORT} || 2061);

sub api_with_secret {
    my ($secret_file) = @_;
    return start_api(http => <<"EOC", config => <<"EOC2");
    jobscout_cv_storage $storage;
    jobscout_cv_s3 endpoint=$s3->{url} bucket=$s3->{bucket} region=$s3->{region}
                   access_key=$s3->{access_key} secret_key_file=$secret_file;
EOC
    location / { jobscout_api; }
    location /_jobscout/cv-s3/ {
        internal;
        proxy_pass $s3->{url}/;
        proxy_set_header Authorization "";
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_intercept_errors on;
        error_page 403 404 =502 /_jobscout/error;
    }
EOC2
}
api_with_secret($s3->{secret_file});

psql("DELETE FROM task_outbox WHERE queue = 'jobscout:queue:cv'");
redis('del', 'jobscout:queue:cv', 'jobscout:delayed', 'jobscout:dead');

my $d = JobScout::Jobscoutd->new(dir => $dir, workers => { relay => 1, cv => 1 },
    directives => { relay_lease => '30s', cv_storage => $storage,
                    cv_s3_endpoint => $s3->{url}, cv_s3_bucket => $s3->{bucket},
                    cv_s3_region => $s3->{region},
                    cv_s3_access_key => $s3->{access_key},
                    cv_s3_secret_key => "\"$s3->{secret_key}\"" });
$d->start;

sub wait_until {
    my ($secs, $cond) = @_;
    my $end = time + $secs;
    while (time < $end) { my $v = $cond->(); return $v if $v; sleep 0.1 }
    return $cond->();
}
sub status { psql("SELECT status FROM user_cvs WHERE user_id = '$_[0]'") }

my ($token, undef, $uid) = verified_user("s3cv$$\@example.com", 'a long enough secret');

# --- upload: to disk, then to the bucket
my $pdf = pdf(['Wanjiru Mwangi', 'Skills: Terraform, AWS and PostgreSQL']);
my $key = "$uid/" . sha256_hex($pdf);
my ($s, $cv) = upload($token, $pdf, 'application/pdf', 'attachment; filename="Wanjiru.pdf"');
is($s, 202, 'a PDF: 202');
ok(wait_until(30, sub { status($uid) eq 'processed' }), '... processed');
ok(-f $s3->object($key), '... its object in the bucket');
is(-s $s3->object($key), length $pdf, '... whole');
ok(!-e "$storage/$key", '... and no longer on disk');
my (undef, $me) = api(GET => '/users/me', undef, $token);
ok((grep { $_ eq 'Terraform' } @{ $me->{cv}{skills} }), '... extracted from the copy read back');
my @log = $s3->log;
ok((grep { $_->{method} eq 'PUT' && $_->{path} eq "/cvs/$key" && $_->{auth} eq 'header'
           && $_->{ok} } @log), 'the PUT was signed (SigV4 header), and botocore agrees');
ok((grep { $_->{method} eq 'GET' && $_->{path} eq "/cvs/$key" && $_->{auth} eq 'header'
           && $_->{ok} } @log), '... the GET back too');
ok(!(grep { !$_->{ok} } @log), '... and no request was refused');

# --- GET streams it from the bucket
my ($h, $raw);
($s, undef, $h, $raw) = cv_request(GET => $token);
is($s, 200, 'GET from the bucket: 200') or diag `cat $dir/s3.log`;
is($raw, $pdf, '... the very bytes');
is($h->{'content-type'}, 'application/pdf', '... its type');
is($h->{'content-disposition'},
   q{attachment; filename="Wanjiru.pdf"; filename*=UTF-8''Wanjiru.pdf}, '... its name');
ok((grep { $_->{method} eq 'GET' && $_->{auth} eq 'query' && $_->{ok} } $s3->log),
   '... by a presigned URL botocore accepts');

# --- a module with the wrong secret is refused by the store
open my $w, '>', "$dir/wrong.secret" or die $!;
print $w "not the secret\n";
close $w;
api_with_secret("$dir/wrong.secret");
($s, undef, $h, $raw) = cv_request(GET => $token);
is($s, 502, 'a URL signed with a wrong secret: 502, the store refused');
like($raw, qr/"bad_gateway"/, '... in the API\'s JSON, not the store\'s XML');
ok((grep { $_->{method} eq 'GET' && $_->{auth} eq 'query' && !$_->{ok} } $s3->log),
   '... the store did refuse it');
api_with_secret($s3->{secret_file});

# --- a DOCX replaces it: the PDF's object goes
my $docx = docx('Wanjiru Mwangi', 'Kubernetes and Helm');
my $docx_key = "$uid/" . sha256_hex($docx);
($s) = upload($token, $docx, docx_type());
is($s, 202, 'a DOCX replaces it');
ok(wait_until(30, sub { status($uid) eq 'processed' && -f $s3->object($docx_key) }),
   '... processed, in the bucket');
ok(wait_until(10, sub { !-e $s3->object($key) }), '... the PDF\'s object deleted');

# --- DELETE: the object goes
($s) = cv_request(DELETE => $token);
is($s, 204, 'DELETE: 204');
ok(wait_until(10, sub { !-e $s3->object($docx_key) }), '... the object deleted');
ok((grep { $_->{method} eq 'DELETE' && $_->{path} eq "/cvs/$docx_key" && $_->{ok} } $s3->log),
   '... by a signed DELETE');
($s) = cv_request(GET => $token);
is($s, 404, '... GET: 404');

unlike($d->log_text, qr/\b(?:alert|crit)\b|exited on signal/, 'jobscoutd logged no crash');
$d->stop;
$s3->stop;

done_testing;
