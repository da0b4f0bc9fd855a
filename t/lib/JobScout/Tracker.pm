package JobScout::Tracker;

# Fixtures of the alert and application suites (t/07*.t), written straight
# into the test PostgreSQL: the matcher that makes alerts in production is
# not what these suites test.
#
#   my ($user, $token) = user('amina');          a verified account, a token
#   my ($admin, $token) = admin('wanjiru');      an admin, a role "admin" token
#   my $company = company('Safaricom');
#   my $job = job($company, title => 'Backend Engineer');
#   my $alert = alert($user, $job, created_at => "now() - interval '1 day'");
#
# Tokens are signed with the test stack's key, as a login would sign them.

use strict;
use warnings;

use Exporter 'import';

use JobScout::Api qw(psql);
use JobScout::Token qw(token);

our @EXPORT = qw(user admin company job alert);

my $n = 0;

sub user {
    my ($name) = @_;
    $n++;
    my $id = psql("INSERT INTO users (email, hashed_password, full_name,"
                  . " email_verified, email_verified_at)"
                  . " VALUES ('$name.$$.$n\@example.com', 'x', '$name',"
                  . " true, now()) RETURNING id");
    return ($id, token(claims => { sub => $id }));
}

# the token a login gives an admin: the role claim is set from is_admin
sub admin {
    my ($id) = user(@_);
    psql("UPDATE users SET is_admin = true WHERE id = '$id'");
    return ($id, token(claims => { sub => $id, role => 'admin' }));
}

sub company {
    my ($name) = @_;
    $n++;
    (my $slug = lc "$name-$$-$n") =~ s/[^a-z0-9]+/-/g;
    return psql("INSERT INTO companies (name, slug)"
                . " VALUES ('$name', '$slug') RETURNING id");
}

# columns as SQL expressions; title and a source-less job by default
sub job {
    my ($company, %col) = @_;
    $col{title} //= "'Backend Engineer'";
    return _insert('jobs', company_id => "'$company'", %col);
}

sub alert {
    my ($user, $job, %col) = @_;
    return _insert('user_job_alerts', user_id => "'$user'",
                   job_id => "'$job'", %col);
}

sub _insert {
    my ($table, %col) = @_;
    my @names = sort keys %col;
    return psql("INSERT INTO $table (" . join(', ', @names) . ") VALUES ("
                . join(', ', @col{@names}) . ") RETURNING id");
}

1;
