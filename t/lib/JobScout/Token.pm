package JobScout::Token;

# Tokens made by hand, to present the API with forged, expired, tampered
# and valid tokens: t/05*.t.
#
#   token(claims => { exp => time - 3600 })        HS256, the test secret
#   token(alg => 'none')                            unsigned
#   token(alg => 'RS256', key => $pem_file)         signed by openssl
#   token(alg => 'HS256', secret => $bytes)         another HMAC secret
#   token(header => { typ => undef })               header fields changed
#   token(payload => '{"sub":...}')                 the claims as sent

use strict;
use warnings;

use Exporter 'import';
use Digest::SHA qw(hmac_sha256 sha256_hex);
use JSON::PP ();
use MIME::Base64 qw(encode_base64url);
use File::Temp ();

our @EXPORT_OK = qw(token claims secret bearer);

my $json = JSON::PP->new->canonical;

# the test stack's HS256 secret, as the module reads it
sub secret {
    my $file = shift // $ENV{TEST_NGINX_JWT_KEY};
    open my $fh, '<', $file or die "$file: $!";
    local $/;
    my $s = <$fh>;
    $s =~ s/[\r\n]+\z//;
    return $s;
}

sub claims {
    my (%over) = @_;
    my $now = time;
    my %c = (iss => 'jobscout', aud => 'jobscout-api',
             sub => '00000000-0000-4000-8000-000000000001',
             jti => sha256_hex(rand() . $now) =~ s/^(.{32}).*/$1/r,
             fam => sha256_hex(rand()) =~ s/^(.{32}).*/$1/r,
             role => 'user', use => 'access',
             iat => $now, nbf => $now, exp => $now + 600);
    while (my ($k, $v) = each %over) {
        if (defined $v) { $c{$k} = $v } else { delete $c{$k} }
    }
    return \%c;
}

sub token {
    my (%a) = @_;
    my $alg = $a{alg} // 'HS256';
    my %header = (alg => $alg, typ => 'JWT');
    while (my ($k, $v) = each %{ $a{header} || {} }) {
        if (defined $v) { $header{$k} = $v } else { delete $header{$k} }
    }
    my $header = $json->encode(\%header);
    my $payload = $a{payload} // $json->encode(claims(%{ $a{claims} || {} }));
    my $input = encode_base64url($header) . '.' . encode_base64url($payload);

    return "$input." if $alg eq 'none';

    if ($alg =~ /^HS/) {
        my $sig = hmac_sha256($input, $a{secret} // secret());
        return "$input." . encode_base64url($sig);
    }

    # RS256 with a private key file, through openssl
    my $tmp = File::Temp->new;
    print $tmp $input;
    close $tmp;
    my $sig = `openssl dgst -sha256 -sign $a{key} $tmp`;
    die "openssl failed" if $?;
    return "$input." . encode_base64url($sig);
}

sub bearer { return "Authorization: Bearer " . token(@_) }

1;
