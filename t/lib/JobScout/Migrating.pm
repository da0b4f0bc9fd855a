package JobScout::Migrating;

# A database of a suite's own, migrated up to a migration, for what that
# migration does to rows already there:
#
#   my $m = JobScout::Migrating->new('skills', 17);   # 0001 .. 0016 applied
#   $m->db->query("INSERT ...");
#   $m->apply(17);                                     # then 0017
#   $m->drop;
#
# Needs make test's environment (TEST_NGINX_PG, TEST_JOBSCOUT_ROOT).

use strict;
use warnings;

use File::Copy qw(copy);
use File::Temp qw(tempdir);

use JobScout::Psql;

sub new {
    my ($class, $name, $upto) = @_;
    my $root = $ENV{TEST_JOBSCOUT_ROOT} // '.';
    my $dbname = "jobscout_${name}_$$";
    (my $conninfo = $ENV{TEST_NGINX_PG}) =~ s/\bdbname=\S+/dbname=$dbname/
        or die "no dbname= in TEST_NGINX_PG\n";
    my $admin = JobScout::Psql->new($ENV{TEST_NGINX_PG});
    $admin->query("CREATE DATABASE $dbname");

    # the runner, and the migrations it applies: those before $upto
    my $dir = tempdir(CLEANUP => 1);
    mkdir "$dir/migrations" or die "$dir/migrations: $!\n";
    copy("$root/sql/migrate.sh", "$dir/migrate.sh") or die "migrate.sh: $!\n";
    chmod 0755, "$dir/migrate.sh";
    my $self = bless { root => $root, dir => $dir, conninfo => $conninfo,
                       dbname => $dbname, admin => $admin }, $class;
    $self->_copy(grep { m{/(\d{4})_} && $1 < $upto }
                 glob("$root/sql/migrations/*.sql"));
    $self->_migrate or die "the migrations before $upto failed\n";
    $self->{db} = JobScout::Psql->new($conninfo);
    return $self;
}

sub db { $_[0]{db} }

# migration $n applied: true when it was
sub apply {
    my ($self, $n) = @_;
    $self->_copy(glob(sprintf "$self->{root}/sql/migrations/%04d_*.sql", $n));
    return $self->_migrate;
}

sub drop {
    my ($self) = @_;
    delete $self->{db};
    $self->{admin}->query("DROP DATABASE $self->{dbname} WITH (FORCE)");
}

sub _copy {
    my ($self, @files) = @_;
    copy($_, "$self->{dir}/migrations/") or die "$_: $!\n" for @files;
}

sub _migrate {
    my ($self) = @_;
    return system("$self->{dir}/migrate.sh '$self->{conninfo}' >/dev/null 2>&1")
        == 0;
}

1;
