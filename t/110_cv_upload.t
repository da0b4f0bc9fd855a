# POST/GET/DELETE /users/me/cv (issue 18): a PDF or DOCX, sent as the one
# file of a multipart form or as the body itself, is written to disk by
# nginx, checked by its content in a thread and stored as
# <storage>/<user>/<sha256>; one statement makes it the user's only CV
# and queues its processing (cv.process) in the task outbox.  Replacing
# or deleting it queues the old file's removal (cv.delete).  Everything
# refused is refused in JSON, with nothing stored.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use Digest::SHA qw(sha256_hex);
use JSON::PP qw(decode_json);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Cv;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $storage = servroot() . '/cv';
system('rm', '-rf', $storage);

my $log_start = start_api(http => "    jobscout_cv_storage $storage;\n",
          config => <<'EOC');
    location = /api/v1/users/me/cv {
        client_max_body_size 6m;
        jobscout_api;
    }
    location / { jobscout_api; }
    error_page 413 /_jobscout/error;
    location = /_jobscout/error { jobscout_api; }
EOC

my $run = $$;
my ($amina, undef, $amina_id) =
    verified_user("cv-amina$run\@example.com", 'a long enough secret', 'Amina Hassan');
my ($brian, undef, $brian_id) =
    verified_user("cv-brian$run\@example.com", 'another long secret', 'Brian Kip');

sub tasks {
    my ($kind) = @_;
    return grep { $_->{kind} eq $kind } outbox_tasks('jobscout:queue:cv');
}
sub tmp_files { my @f = glob "$storage/tmp/*"; return scalar @f }
sub row { psql("SELECT coalesce(string_agg(file_path || ' ' || status, ','), '')"
               . " FROM user_cvs WHERE user_id = '$_[0]'") }

psql("DELETE FROM task_outbox WHERE queue = 'jobscout:queue:cv'");

my $pdf = pdf(['Amina Hassan', 'Backend engineer', 'Skills: PostgreSQL, C, Kubernetes']);
my $docx = docx('Amina Hassan', 'Data analyst', '5 years of Python and SQL');

# --- no token, no CV
my ($s, $d) = upload(undef, $pdf, 'application/pdf');
is($s, 401, 'POST without a token: 401');
($s, $d) = cv_request(GET => $amina);
is($s, 404, 'GET before any upload: 404');
is($d->{error}{code}, 'not_found', '... in JSON');

# --- a raw PDF body with its name
($s, $d) = upload($amina, $pdf, 'application/pdf',
                  'attachment; filename="C:\\Users\\amina\\Amina CV.pdf"');
is($s, 202, 'a PDF as the body: 202');
is($d->{status}, 'pending', '... pending');
is($d->{content_type}, 'application/pdf', '... its type');
is($d->{size_bytes}, length $pdf, '... its size');
is($d->{sha256}, sha256_hex($pdf), '... its SHA-256');
is($d->{original_name}, 'Amina CV.pdf', '... its name, without the path');
my $pdf_key = "$amina_id/" . sha256_hex($pdf);
ok(-f "$storage/$pdf_key", '... stored under the user and the content hash');
is(-s "$storage/$pdf_key", length $pdf, '... whole');
is(row($amina_id), "$pdf_key pending", '... the user\'s one row');
my @process = tasks('cv.process');
is(scalar @process, 1, '... one cv.process task in the outbox');
is($process[0]{args}{cv_id}, $d->{id}, '... for this CV');
is($process[0]{args}{file_path}, $pdf_key, '... and this file');

($s, $d) = api(GET => '/users/me', undef, $amina);
is($d->{cv}{status}, 'pending', 'users/me shows the CV pending');
is($d->{cv}{original_name}, 'Amina CV.pdf', '... with its name');
($s, $d) = api(GET => '/users/me', undef, $brian);
is($d->{cv}, undef, '... and no CV for another user');

# --- GET sends the file from disk
my ($h, $raw);
($s, undef, $h, $raw) = cv_request(GET => $amina);
is($s, 200, 'GET: 200');
is($raw, $pdf, '... the very bytes');
is($h->{'content-type'}, 'application/pdf', '... its type');
is($h->{'content-disposition'},
   q{attachment; filename="Amina CV.pdf"; filename*=UTF-8''Amina%20CV.pdf},
   '... its name');
($s, $d) = cv_request(GET => $brian);
is($s, 404, 'another user does not get it: 404');

# --- a multipart DOCX replaces it
my ($body, $type) = multipart([title => undef, undef, 'my CV'],
                              [file => "Amina \xc3\xa9t\xc3\xa9.docx", docx_type(), $docx]);
($s, $d) = upload($amina, $body, $type);
is($s, 202, 'a multipart DOCX: 202');
is($d->{content_type}, docx_type(), '... told a DOCX');
is($d->{size_bytes}, length $docx, '... the file part only');
is($d->{sha256}, sha256_hex($docx), '... its hash');
is($d->{original_name}, "Amina \x{e9}t\x{e9}.docx", '... its UTF-8 name');
my $docx_key = "$amina_id/" . sha256_hex($docx);
is(row($amina_id), "$docx_key pending", '... replaces the PDF: one row');
my @delete = tasks('cv.delete');
is(scalar @delete, 1, '... the PDF\'s removal queued');
is($delete[0]{args}{file_path}, $pdf_key, '... for its file');
is(scalar(tasks('cv.process')), 2, '... the DOCX\'s processing queued');
($s, undef, $h, $raw) = cv_request(GET => $amina);
is($raw, $docx, 'GET sends the DOCX');
like($h->{'content-disposition'}, qr{filename\*=UTF-8''Amina%20%C3%A9t%C3%A9\.docx}i,
     '... its UTF-8 name encoded');

# the same file again keeps its file: no removal queued
($s, $d) = upload($amina, $docx, docx_type());
is($s, 202, 'the same DOCX again: 202');
is(scalar(tasks('cv.delete')), 1, '... its file kept, nothing removed');
is($d->{original_name}, 'cv.docx', '... a body without a name is named for its type');

# --- refused, in JSON, nothing stored
my $png = "\x89PNG\r\n\x1a\n" . ("\0" x 200);
my @refused = (
    [ 'a PNG named .pdf', 415, 'unsupported_media_type',
      multipart([file => 'cv.pdf', 'application/pdf', $png]) ],
    [ 'a zero-byte file', 422, 'empty_file', '', 'application/pdf' ],
    [ 'an empty file part', 422, 'empty_file',
      multipart([file => 'cv.pdf', 'application/pdf', '']) ],
    [ 'a truncated PDF', 422, 'corrupt_file',
      substr($pdf, 0, int(length($pdf) / 2)), 'application/pdf' ],
    [ 'a truncated DOCX', 422, 'corrupt_file',
      substr($docx, 0, int(length($docx) / 2)), docx_type() ],
    [ 'a zip that is no Word document', 415, 'unsupported_media_type',
      do { my $z = docx('x'); $z =~ s{word/document\.xml}{word/other000.xml}g; $z },
      docx_type() ],
    [ 'two files', 422, 'validation_failed',
      multipart([a => 'a.pdf', 'application/pdf', $pdf],
                [b => 'b.pdf', 'application/pdf', $pdf]) ],
    [ 'a form without a file', 422, 'validation_failed',
      multipart([title => undef, undef, 'no file here']) ],
    [ 'a form that never closes', 400, 'bad_request',
      do { my ($b, $t) = multipart([file => 'cv.pdf', 'application/pdf', $pdf]);
           ($b =~ s/--\r\n\z//r, $t) } ],
    [ 'a multipart type without a boundary', 400, 'bad_request',
      $pdf, 'multipart/form-data' ],
    [ 'a text body', 415, 'unsupported_media_type', 'hello', 'text/plain' ],
    [ 'no type at all', 415, 'unsupported_media_type', $pdf, undef ],
    [ 'a file over 5 MB', 413, 'payload_too_large',
      pdf(['x']) . ('%' x (5 * 1048576)), 'application/pdf' ],
    [ 'a body over the location\'s limit', 413, 'payload_too_large',
      'x' x (6 * 1048576 + 1), 'application/pdf' ],
);
for my $r (@refused) {
    my ($what, $status, $code, $b, $t) = @$r;
    ($s, $d) = upload($amina, $b, $t);
    is($s, $status, "$what: $status");
    is($d->{error}{code}, $code, "... $code");
}
is(row($amina_id), "$docx_key pending", 'the refused uploads changed nothing');
is(tmp_files(), 0, '... and left no file behind');
my @files = glob "$storage/$amina_id/*";
is(scalar @files, 2, '... only the PDF (until the cv role removes it) and the DOCX');

# --- GDPR: the export lists the CV
($s, $d) = api(GET => '/users/me/data-export', undef, $amina);
is($s, 200, 'data export: 200');
is(scalar @{ $d->{cvs} }, 1, '... lists the CV');
is($d->{cvs}[0]{sha256}, sha256_hex($docx), '... with its metadata');
ok(exists $d->{cvs}[0]{extracted_skills}, '... and its extracted skills');

# --- DELETE
($s) = cv_request(DELETE => $brian);
is($s, 404, 'DELETE without a CV: 404');
($s) = cv_request(DELETE => $amina);
is($s, 204, 'DELETE: 204');
is(row($amina_id), '', '... the row is gone');
is(scalar(grep { $_->{args}{file_path} eq $docx_key } tasks('cv.delete')), 1,
   '... the file\'s removal queued');
($s) = cv_request(GET => $amina);
is($s, 404, '... GET: 404');

# --- deleting the account lets go of the CV at once
($s, $d) = upload($brian, $pdf, 'application/pdf');
is($s, 202, 'Brian uploads the same PDF: 202');
my $brian_key = "$brian_id/" . sha256_hex($pdf);
is($d->{sha256}, sha256_hex($pdf), '... stored under his own id');
($s) = api(DELETE => '/users/me', { password => 'another long secret' }, $brian);
is($s, 200, 'Brian deletes his account');
is(row($brian_id), '', '... his CV row is gone');
is(scalar(grep { $_->{args}{file_path} eq $brian_key } tasks('cv.delete')), 1,
   '... its file\'s removal queued');

# --- without storage configured: 503
start_api();
($s, $d) = upload($amina, $pdf, 'application/pdf');
is($s, 503, 'no jobscout_cv_storage: 503');
is($d->{error}{code}, 'unavailable', '... in JSON');

# no cv role here: its tasks would wait for the next suite's relay
psql("DELETE FROM task_outbox WHERE queue = 'jobscout:queue:cv'");

unlike(error_log_since($log_start), qr/\[(?:alert|emerg|crit)\]|segfault/,
       'no alert in the error log');

done_testing;
