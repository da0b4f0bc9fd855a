package JobScout::Cv;

# CV fixtures made at test time, and the requests that upload them.
#
#   my $pdf = pdf(['Jane Doe', 'Skills: PostgreSQL, Kubernetes'], [...]);
#   my $docx = docx('Jane Doe', '5 years of Python');
#   my ($status, $data, $headers, $raw) =
#       upload($token, multipart([file => 'cv.pdf', 'application/pdf', $pdf]));
#   upload($token, $pdf, 'application/pdf', 'attachment; filename="cv.pdf"');

use strict;
use warnings;

use Exporter 'import';
use Archive::Zip qw(:ERROR_CODES :CONSTANTS);
use Compress::Zlib ();
use JSON::PP qw(decode_json);

use JobScout::TestNginx qw(http_request);

our @EXPORT = qw(pdf pdf_bomb docx docx_bomb docx_type multipart upload
                 cv_request);

my $DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

# A PDF of one page per list of lines, each line shown with Helvetica;
# a page given as a string is its raw content stream (compressed when
# $o{compress}, deflated already when $o{deflated}).
sub pdf {
    my (@pages) = @_;
    my %o = ref $pages[-1] eq 'HASH' ? %{ pop @pages } : ();
    my @obj;
    my $npages = @pages;
    my @kids = map { 4 + 2 * $_ } 0 .. $npages - 1;
    $obj[1] = "<< /Type /Catalog /Pages 2 0 R >>";
    $obj[2] = "<< /Type /Pages /Kids [" . join(' ', map { "$_ 0 R" } @kids)
            . "] /Count $npages >>";
    $obj[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    for my $i (0 .. $npages - 1) {
        my $content = $pages[$i];
        if (ref $content) {
            my $y = 760;
            $content = "BT /F1 11 Tf\n" . join('', map {
                (my $t = $_) =~ s/([()\\])/\\$1/g;
                $y -= 14;
                "1 0 0 1 56 $y Tm ($t) Tj\n" } @$content) . "ET\n";
        }
        my $filter = $o{compress} || $o{deflated} ? ' /Filter /FlateDecode' : '';
        $content = Compress::Zlib::compress($content, 9) if $o{compress};
        $obj[$kids[$i]] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            . " /Resources << /Font << /F1 3 0 R >> >> /Contents "
            . ($kids[$i] + 1) . " 0 R >>";
        $obj[$kids[$i] + 1] = "<< /Length " . length($content) . "$filter >>\n"
            . "stream\n$content\nendstream";
    }
    my $out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
    my @off;
    for my $n (1 .. $#obj) {
        $off[$n] = length $out;
        $out .= "$n 0 obj\n$obj[$n]\nendobj\n";
    }
    my $xref = length $out;
    $out .= "xref\n0 " . scalar(@obj) . "\n0000000000 65535 f \n";
    $out .= sprintf("%010d 00000 n \n", $off[$_]) for 1 .. $#obj;
    $out .= "trailer\n<< /Size " . scalar(@obj) . " /Root 1 0 R >>\n"
          . "startxref\n$xref\n%%EOF\n";
    return $out;
}

# one page whose content stream inflates to $mb MiB of text operators:
# a few hundred KiB sent, far more to extract
sub pdf_bomb {
    my ($mb) = @_;
    my ($d) = Compress::Zlib::deflateInit(-Level => 9);
    my $chunk = "BT /F1 1 Tf\n" . ("(bomb) Tj 0 1 Td\n" x 65536);
    my $z = '';
    for (1 .. int($mb * 1048576 / length $chunk) + 1) {
        my ($o) = $d->deflate($chunk);
        $z .= $o;
    }
    my ($o) = $d->deflate("ET\n");
    $z .= $o;
    ($o) = $d->flush;
    $z .= $o;
    return pdf($z, { deflated => 1 });
}

sub _zip {
    my (%parts) = @_;
    my $zip = Archive::Zip->new;
    for my $name (sort keys %parts) {
        my $m = $zip->addString($parts{$name}, $name);
        $m->desiredCompressionMethod(COMPRESSION_DEFLATED);
        $m->desiredCompressionLevel(9);
    }
    my $out = '';
    open my $fh, '>', \$out or die;
    $zip->writeToFileHandle($fh, 0) == AZ_OK or die 'zip';
    close $fh;
    return $out;
}

sub _docx_parts {
    my ($body) = @_;
    return (
        '[Content_Types].xml' => '<?xml version="1.0" encoding="UTF-8"?>'
            . '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            . '<Default Extension="xml" ContentType="application/xml"/>'
            . '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            . '<Override PartName="/word/document.xml" ContentType="'
            . 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            . '</Types>',
        '_rels/.rels' => '<?xml version="1.0" encoding="UTF-8"?>'
            . '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            . '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            . 'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        'word/document.xml' => '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            . '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            . "<w:body>$body</w:body></w:document>",
    );
}

# a Word document of one paragraph per line
sub docx {
    my (@lines) = @_;
    my $body = join '', map {
        (my $t = $_) =~ s/&/&amp;/g;
        $t =~ s/</&lt;/g;
        "<w:p><w:r><w:t xml:space=\"preserve\">$t</w:t></w:r></w:p>" } @lines;
    return _zip(_docx_parts($body));
}

# a Word document whose document.xml inflates to $mb MiB
sub docx_bomb {
    my ($mb) = @_;
    my $p = '<w:p><w:r><w:t>' . ('a' x 1000) . '</w:t></w:r></w:p>';
    return _zip(_docx_parts($p x int($mb * 1048576 / length $p)));
}

# [name, filename or undef, type, content], ...: (body, Content-Type)
sub multipart {
    my (@parts) = @_;
    my $b = 'jobscoutBoundary' . int rand 1e9;
    my $body = '';
    for my $p (@parts) {
        my ($name, $file, $type, $content) = @$p;
        $body .= "--$b\r\nContent-Disposition: form-data; name=\"$name\""
               . (defined $file ? "; filename=\"$file\"" : '') . "\r\n"
               . (defined $type ? "Content-Type: $type\r\n" : '')
               . "\r\n$content\r\n";
    }
    $body .= "--$b--\r\n";
    return ($body, "multipart/form-data; boundary=$b");
}

# any request on /users/me/cv: (status, JSON or undef, headers, raw body)
sub cv_request {
    my ($method, $token, $body, $type, $extra) = @_;
    my $req = "$method /api/v1/users/me/cv HTTP/1.1\r\nHost: localhost\r\n"
            . "Connection: close\r\n"
            . ($token ? "Authorization: Bearer $token\r\n" : '')
            . (defined $type ? "Content-Type: $type\r\n" : '')
            . ($extra // '')
            . (defined $body ? "Content-Length: " . length($body) . "\r\n" : '')
            . "\r\n" . ($body // '');
    my ($status, $h, $raw) = http_request($req, 30);
    my $data = eval { decode_json($raw) };
    return ($status, $data, $h, $raw);
}

# POST: (body, Content-Type) from multipart(), or a file and its type
sub upload {
    my ($token, $body, $type, $disposition) = @_;
    return cv_request(POST => $token, $body, $type,
                      $disposition ? "Content-Disposition: $disposition\r\n" : '');
}

sub docx_type { $DOCX }

1;
