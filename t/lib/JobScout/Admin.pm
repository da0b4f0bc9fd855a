package JobScout::Admin;

# What the admin API's suites share.  The data-driven ones
# (t/10x_*_requests.t): the accounts whose tokens they send and their
# blocks' defaults, so that a block says only its request and what must
# come back (with our Test::Nginx::Socket and with openresty's alike).
# All: the fields conf/openapi.json gives an answer.
#
#   my $db = JobScout::Psql->new($ENV{TEST_NGINX_PG});
#   our $Admin = account($db, 'ops', 1);     # "Authorization: Bearer ..."
#   admin_blocks($Admin);     # http_config, config, admin + JSON headers
#   ... sprintf(invalid(), 'name: is required', 'name') in a block
#   is_deeply([sort keys %$answer], openapi_fields('AdminSource'));

use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use JobScout::Token ();

our @EXPORT = qw(account admin_blocks invalid openapi_fields);

# the header of a new verified account's token: an admin or a user
sub account {
    my ($db, $name, $admin) = @_;
    my $id = $db->query("INSERT INTO users (email, hashed_password,"
        . " full_name, email_verified, email_verified_at, is_admin) VALUES"
        . " ('$name.$$\@example.com', 'x', '$name', true, now(), "
        . ($admin ? 'true' : 'false') . ") RETURNING id");
    return 'Authorization: Bearer ' . JobScout::Token::token(
        claims => { sub => $id, role => $admin ? 'admin' : 'user' });
}

# unless a block says otherwise: the test stack (bcrypt in its own thread
# pool), the API at /, the given token and a JSON body
sub admin_blocks {
    my ($auth) = @_;
    my $http = <<"_EOC_";
    jobscout_postgres "$ENV{TEST_NGINX_PG}";
    jobscout_redis $ENV{TEST_NGINX_REDIS};
    jobscout_jwt_key_file $ENV{TEST_NGINX_JWT_KEY};
_EOC_
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        $block->set_value('http_config', $http)
            unless defined $block->http_config;
        $block->set_value('config', '    location / { jobscout_api; }')
            unless defined $block->config;
        $block->set_value('main_config',
                          'thread_pool jobscout threads=2;')
            unless defined $block->main_config;
        $block->set_value('more_headers',
                          "$auth\nContent-Type: application/json")
            unless defined $block->more_headers;
    });
}

# a 422's whole body, for sprintf with the message and the field
sub invalid {
    return '^\{"error":\{"code":"validation_failed","message":"%s",'
         . '"field":"%s","request_id":"[0-9a-f]{32}"\}\}$';
}

# the properties of a schema of conf/openapi.json's components, sorted
sub openapi_fields {
    my ($schema) = @_;
    my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
    open my $fh, '<', "$root/conf/openapi.json" or die "openapi.json: $!";
    local $/;
    my $doc = JSON::PP::decode_json(<$fh>);
    return [sort keys %{ $doc->{components}{schemas}{$schema}{properties} }];
}

1;
