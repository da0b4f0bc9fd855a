# conf/prometheus: promtool accepts the scrape configuration and the
# rules, the rules' unit tests pass (each alert fires on what it is about,
# not on healthy series), the Grafana dashboard is JSON.
use strict;
use warnings;

use Test::More;
use JSON::PP;

my $root = $ENV{TEST_JOBSCOUT_ROOT} || '.';
my $conf = "$root/conf/prometheus";

plan skip_all => 'promtool (Debian prometheus) is not installed'
    if system('promtool --version >/dev/null 2>&1') != 0;

sub promtool {
    my $out = `promtool @_ 2>&1`;
    return ($? >> 8, $out);
}

my ($rc, $out) = promtool('check', 'config', "$conf/prometheus.yml");
is($rc, 0, 'promtool check config') or diag $out;
like($out, qr/1 rule files found/, '... with its rule file');

($rc, $out) = promtool('check', 'rules', "$conf/rules.yml");
is($rc, 0, 'promtool check rules') or diag $out;
like($out, qr/SUCCESS: 7 rules found/, '... 7 rules');

($rc, $out) = promtool('test', 'rules', "$root/t/fixtures/prometheus/rules_test.yml");
is($rc, 0, 'promtool test rules: each alert fires when it should, not otherwise')
    or diag $out;

open my $fh, '<', "$conf/grafana-dashboard.json" or die $!;
my $dashboard = eval { decode_json(do { local $/; <$fh> }) };
ok($dashboard, 'the Grafana dashboard is JSON') or diag $@;
my @exprs = map { $_->{expr} } map { @{ $_->{targets} } } @{ $dashboard->{panels} || [] };
ok(@exprs >= 16, '... its panels query Prometheus');
# (t/132_prometheus.t checks their metrics against what is scraped)

done_testing();
