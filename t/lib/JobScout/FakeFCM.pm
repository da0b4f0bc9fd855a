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
#
# front => 'h2' (or TEST_FCM_FRONT=h2 in the environment) puts FCM's
# messages behind an nginx front on TLS with HTTP/2, as Google serves
# them, proxied to the fake, which still checks each: $fcm->{url} is the
# front's, $fcm->{ca} its certificate (fcm_ca_file), and the jobscoutd
# notifier takes its own HTTP/2 client instead of libcurl's.  front =>
# 'tls' is TLS without HTTP/2 (ALPN offers none).  $fcm->front_log: the
# protocol, status, worker pid and connection number of each request it
# served; streams => N: at most N concurrent streams a connection;
# $fcm->front_signal(SIG) signals its master (HUP: a graceful reload,
# old connections told GOAWAY); $fcm->front_kill_workers: its workers
# killed (-9), mid-answer.

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
    $self->{control} = $self->{url};

    my $front = $o{front} // $ENV{TEST_FCM_FRONT} // '';
    $self->_front($front, $port, $o{streams}) if $front;
    return $self;
}

sub _front {
    my ($self, $kind, $port, $streams) = @_;
    my $dir = "$self->{dir}/fcm-front";
    mkdir $dir;
    mkdir "$dir/tmp";
    JobScout::Fake::self_signed("$dir/key.pem", "$dir/cert.pem");
    my $listen = JobScout::Fake::free_port('tcp');
    my $http2 = $kind eq 'h2' ? ' http2' : '';
    # nginx's default is 128 concurrent streams a connection, Google's 100
    $streams = $streams ? "http2_max_concurrent_streams $streams;" : '';
    open my $fh, '>', "$dir/nginx.conf" or die $!;
    print $fh <<"EOC";
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 1024; }
http {
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    log_format front '\$server_protocol \$status \$pid \$connection \$request_uri';
    access_log $dir/access.log front;
    upstream fake { server 127.0.0.1:$port; keepalive 32; }
    server {
        listen 127.0.0.1:$listen ssl$http2;
        ssl_certificate $dir/cert.pem;
        ssl_certificate_key $dir/key.pem;
        $streams
        location / {
            proxy_pass http://fake;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 120s;
        }
    }
}
EOC
    close $fh;
    system('/usr/sbin/nginx', '-p', "$dir/", '-c', "$dir/nginx.conf", '-e',
           "$dir/error.log") == 0 or die "the FCM front did not start";
    $self->{front} = $dir;
    $self->{url} = "https://127.0.0.1:$listen";
    $self->{ca} = "$dir/cert.pem";
}

sub _front_pid {
    my ($self) = @_;
    open my $fh, '<', "$self->{front}/nginx.pid" or return;
    my ($pid) = <$fh> =~ /(\d+)/;
    return $pid;
}

sub front_signal {
    my ($self, $sig) = @_;
    my $pid = $self->_front_pid or die 'no FCM front';
    kill $sig, $pid;
}

sub front_kill_workers {
    my ($self) = @_;
    my $pid = $self->_front_pid or die 'no FCM front';
    kill 'KILL', split ' ', `pgrep -P $pid`;
}

sub front_log {
    my ($self) = @_;
    open my $fh, '<', "$self->{front}/access.log" or return ();
    return map { chomp; $_ } <$fh>;
}

sub stop {
    my ($self) = @_;
    if ($self->{front}) {
        my $pid = $self->_front_pid;
        if ($pid) {
            kill 'QUIT', $pid;
            for (1 .. 100) { last unless kill 0, $pid; select undef, undef, undef, 0.05 }
            kill 'KILL', $pid;
        }
        delete $self->{front};
    }
    $self->SUPER::stop;
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
