# The links of the account mails, followed in a real browser as a person
# would: registration sends a real mail (jobscoutd's mailer, over SMTP to a
# local sink), its link opens /verify-email, which verifies the address and
# logs in; "forgot password" sends a real mail whose link opens
# /reset-password, which sets a new password that then logs in.  A used,
# an expired and an invalid link each say so and offer a new one.
use strict;
use warnings;

use lib 't/lib';
use Test::More;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

use JobScout::TestNginx qw(:all);
use JobScout::Api;
use JobScout::Browser qw(browse start_pages);
use JobScout::Jobscoutd;
use JobScout::SmtpSink;

plan skip_all => 'run through "make test"' unless $ENV{TEST_NGINX_JWT_KEY};

my $base = start_pages();
my $dir = tempdir(CLEANUP => 1);
my $sink = JobScout::SmtpSink->new("$dir/sink");
my $jobscoutd = JobScout::Jobscoutd->new(
    dir => $dir, workers => { relay => 1, mailer => 1 },
    smtp_url => 'smtp://127.0.0.1:' . $sink->port, base_url => $base);
$jobscoutd->start;

# the link of the next mail to TO whose subject matches, once it arrives
my %seen;
sub link_in_mail {
    my ($to, $subject, $page) = @_;
    for (1 .. 300) {
        for my $m ($sink->mails($to)) {
            next if $seen{ $m->{id} }++ || $m->{subject} !~ /$subject/i;
            return $1 if $m->{body} =~ m{(\Q$base\E/\Q$page\E\?token=[0-9a-f]{64})};
        }
        sleep 0.05;
    }
    return undef;
}

sub expire {
    my ($url) = @_;
    my ($token) = $url =~ /token=(\w+)/;
    return psql("UPDATE user_tokens SET created_at = now() - interval '2 days',"
                . " expires_at = now() - interval '1 second'"
                . " WHERE token_hash = sha256(convert_to('$token', 'UTF8'))"
                . " RETURNING 1");
}

# every request here comes from 127.0.0.1, within the shipped budgets of
# one address (register, login, recovery: t/042 spends them on purpose):
# each half of this suite starts with them full
sub fresh_budgets {
    redis('eval', q{for _, k in ipairs(redis.call('keys', ARGV[1])) do
                        redis.call('del', k) end}, 0, 'jobscout:limit:auth_*');
}

fresh_budgets();
my $email = "amani$$\@example.com";
my $password = 'jacaranda in bloom';
my ($s) = api(POST => '/auth/register',
              { email => $email, password => $password, full_name => 'Amani Otieno' });
is($s, 201, 'registered through the API');
my $link = link_in_mail($email, 'Confirm', 'verify-email');
ok($link, "the verification mail's link points at this server's page") or diag explain [$sink->mails];

browse('152_verify_email', 't/web/verify-email.mjs', base => $base,
       args => { url => $link, email => $email, password => $password });

browse('152_verify_used', 't/web/link-refused.mjs', base => $base,
       args => { url => $link, text => 'used already', offer => '#signin' });

# an expired verification link offers a new one, which the mail brings
my $late = "baraka$$\@example.com";
($s) = api(POST => '/auth/register',
           { email => $late, password => $password, full_name => 'Baraka Mwangi' });
is($s, 201, 'a second user registers');
my $expired = link_in_mail($late, 'Confirm', 'verify-email');
is(expire($expired), 1, '... and lets the link expire');
browse('152_verify_expired', 't/web/link-refused.mjs', base => $base,
       args => { url => $expired, text => 'expired', offer => '#newlink',
                 resend => $late });
ok(link_in_mail($late, 'Confirm', 'verify-email'),
   'the page asked for a new link: it arrives');

browse('152_verify_invalid', 't/web/link-refused.mjs', base => $base,
       args => { url => "$base/verify-email?token=" . ('0f' x 32),
                 text => 'not valid', offer => '#newlink' });

# the reset mail, from the API's "forgot password"
fresh_budgets();
($s) = api(POST => '/auth/forgot-password', { email => $email });
is($s, 202, 'forgot-password');
$link = link_in_mail($email, 'password', 'reset-password');
ok($link, "the reset mail's link points at this server's page");
my $new = 'baobab at dusk';
browse('152_reset_password', 't/web/reset-password.mjs', base => $base,
       args => { url => $link, email => $email, password => $new });
my ($d);
($s, $d) = api(POST => '/auth/login', { email => $email, password => $password });
is($s, 401, 'the old password no longer logs in');

browse('152_reset_used', 't/web/link-refused.mjs', base => $base,
       args => { url => $link, text => 'used already', offer => '#newlink',
                 password => 'a third passphrase' });

($s) = api(POST => '/auth/forgot-password', { email => $email });
$link = link_in_mail($email, 'password', 'reset-password');
is(expire($link), 1, 'another reset link, expired');
browse('152_reset_expired', 't/web/link-refused.mjs', base => $base,
       args => { url => $link, text => 'expired', offer => '#newlink',
                 password => 'a third passphrase' });

browse('152_reset_invalid', 't/web/link-refused.mjs', base => $base,
       args => { url => "$base/reset-password?token=nothex",
                 text => 'not valid', offer => '#newlink' });

$jobscoutd->stop;
$sink->stop;
stop_nginx();
done_testing();
