# A simulated process: a CPU and memory pattern in a few MB, until SIGTERM (or its supervisor's
# death: the supervisor set PR_SET_PDEATHSIG before exec). Run through a link named like the
# service it plays: perl LINK worker.pl PATTERN CPU_PERCENT MEMORY_MB SEED.
# CPU is regulated on the process's own CPU time (times), so a busy host does not inflate it.
use strict;
use warnings;
my ($pattern, $cpu, $mb, $seed) = @ARGV;
$SIG{TERM} = sub { exit 0 };
exit 0 if getppid() == 1;
my $ballast = "x" x ($mb * 1048576);
srand($seed);
my $tick = 0.1;
my $n = 0;
my $target = 0;
while (1) {
    $n++;
    my $share = $cpu / 100;
    if ($pattern eq "spiky") {
        $share = ($n % 100) < 20 ? $share * 5 : $share * 0.2;
    } elsif ($pattern eq "growing") {
        $share = $share * (1 + $n * $tick / 60);
        $share = 1 if $share > 1;
        $ballast .= "x" x 65536 if length($ballast) < $mb * 4 * 1048576;
    } elsif ($pattern eq "random") {
        $share = $share * rand(2);
    }
    my ($user, $system) = times;
    my $used = $user + $system;
    $target += $share * $tick;
    $target = $used + 0.05 if $target > $used + 0.05;
    while ($used < $target) {
        my $x = 0;
        $x += $_ for 1 .. 2000;
        ($user, $system) = times;
        $used = $user + $system;
    }
    select(undef, undef, undef, $tick);
}
