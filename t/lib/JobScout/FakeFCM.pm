package JobScout::FakeFCM;

# The local fake of FCM HTTP v1 and Google's OAuth2 token endpoint
# (t/fakes/fcm.py), run by a test: a fresh RSA key and service-account
# file for it, start and stop, and its control endpoints.
#
#   my $fcm = JobScout::FakeFCM->start(dir => $dir);
#   ... fcm_service_account $fcm->{account}; fcm_base_url $fcm->{url};
#   $fcm->script($device_token, { status => 404, code => 'UNREGISTERED' });
#   my @accepted = $fcm->messages;
#   my $stats = $fcm->stats;       # token_requests, rejects, attempts ...
#   $fcm->stop;

use strict;
use warnings;

use parent 'JobScout::Fake';

sub start {
    my ($class, %o) = @_;
    my $dir = $o{dir} or die 'dir';
    my $self = bless { dir => $dir, project => $o{project} || 'jobscout-test',
                       email => 'notifier@jobscout-test.iam.gserviceaccount.com',
                     }, $class;

    system("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048"
           . " -out $dir/fcm-key.pem 2>/dev/null") == 0
        or die 'openssl genpkey failed';
    # the service-account file, as the Firebase console gives it: the
    # fake writes it, token_uri and all, before its port file
    $self->{account} = "$dir/firebase.json";

    unlink "$dir/fcm.port";
    $self->spawn('fcm', '--port-file', "$dir/fcm.port",
                 '--private-key', "$dir/fcm-key.pem",
                 '--account', $self->{account},
                 '--client-email', $self->{email},
                 '--project', $self->{project},
                 '--token-ttl', $o{token_ttl} || 3600);
    my $port = $self->port_file("$dir/fcm.port");
    $self->{url} = "http://127.0.0.1:$port";
    return $self;
}

# the next answers to messages for a device token
sub script {
    my ($self, $token, @answers) = @_;
    $self->_call(POST => '/_fake/script', { $token => \@answers });
}

sub revoke { $_[0]->_call(POST => '/_fake/revoke', {}) }

sub config { my ($self, %c) = @_; $self->_call(POST => '/_fake/config', \%c) }

sub messages { @{ $_[0]->_call(GET => '/_fake/messages') } }

sub stats { $_[0]->_call(GET => '/_fake/stats') }

1;
