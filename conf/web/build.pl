#!/usr/bin/env perl
# The web root nginx serves (make web): conf/web/pages/*.html, with the
# partials/ they include ("<!-- #include NAME -->" lines), and every asset
# under assets/ with its content's hash in its name, so that an asset is
# cached for a year and a page (never cached) names the one it needs.
# Sources name assets without the hash ("/assets/api.js"); those names are
# rewritten here, in pages and in assets alike (a module that imports
# another), each asset hashed after the ones it names.
#
#   conf/web/build.pl OUTDIR
#
# Assets: conf/web/js/**.js, conf/web/css/*.css, conf/web/img/*, and the
# libraries' files below, from node_modules (npm ci, make deps): nothing is
# loaded from another site at run time.
use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use File::Basename qw(basename dirname);
use File::Find ();
use File::Path qw(make_path remove_tree);

my $out = shift or die "usage: $0 OUTDIR\n";
my $src = dirname(__FILE__);

my @vendor = qw(
    node_modules/swagger-ui-dist/swagger-ui-bundle.js
    node_modules/swagger-ui-dist/swagger-ui.css
);

my %asset;      # name as the sources write it => its file
for my $file ((map { "$src/$_" } @vendor), _files("$src/js", "$src/css",
                                                     "$src/img")) {
    -f $file or die "$file missing: run make deps (npm ci in conf/web)\n";
    my $name = basename($file);
    die "two assets named $name: $asset{$name} and $file\n"
        if $asset{$name};
    $asset{$name} = $file;
}

my %hashed;     # name => name with its hash
my $ref = qr{/assets/([A-Za-z0-9_.-]+)};

remove_tree($out);
make_path("$out/assets");
_asset($_, {}) for sort keys %asset;
for my $page (_files("$src/pages")) {
    # what pages share (the head's common lines, the log-in form)
    (my $html = _read($page)) =~ s{^[ \t]*<!-- #include ([\w.-]+) -->\n}{
        _read("$src/partials/$1")
    }gme;
    $html = _rewrite($html, $page);
    _write("$out/" . basename($page), $html);
}

sub _asset {
    my ($name, $seen) = @_;
    return $hashed{$name} if $hashed{$name};
    die "assets name each other in a circle: $name\n" if $seen->{$name};
    local $seen->{$name} = 1;
    my $body = _read($asset{$name});
    if ($asset{$name} =~ m{/node_modules/}) {
        # a library's source map is not served
        $body =~ s{\n[/*]*# sourceMappingURL=\S+\s*(?:\*/)?\s*\z}{\n};
    } elsif ($name =~ /\.(?:js|css)$/) {
        $body = _rewrite($body, $asset{$name}, $seen);
    }
    my ($stem, $ext) = $name =~ /^(.*?)(\.[^.]+)?$/;
    $hashed{$name} = $stem . '.' . substr(sha256_hex($body), 0, 12)
                     . ($ext // '');
    _write("$out/assets/$hashed{$name}", $body);
    return $hashed{$name};
}

sub _rewrite {
    my ($text, $file, $seen) = @_;
    $text =~ s{$ref}{
        $asset{$1} or die "$file names /assets/$1, which is no asset\n";
        '/assets/' . _asset($1, $seen // {})
    }ge;
    return $text;
}

sub _files {
    my @found;
    File::Find::find({ no_chdir => 1, wanted => sub {
        push @found, $_ if -f $_ && basename($_) !~ /^\./;
    } }, grep { -d } @_);
    return sort @found;
}

sub _read {
    my ($file) = @_;
    open my $fh, '<:raw', $file or die "$file: $!\n";
    local $/;
    return scalar <$fh>;
}

sub _write {
    my ($file, $body) = @_;
    open my $fh, '>:raw', $file or die "$file: $!\n";
    print $fh $body;
    close $fh or die "$file: $!\n";
}
