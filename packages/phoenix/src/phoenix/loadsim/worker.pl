# A simulated process: a CPU and memory pattern in a few MB, until SIGTERM (or its supervisor's
# death: the supervisor set PR_SET_PDEATHSIG before exec). Run through a link named like the
# service it plays: perl LINK worker.pl PATTERN CPU_PERCENT MEMORY_MB SEED.
# CPU is regulated on the process's own CPU time (times), so a busy host does not inflate it;
# each tick sleeps only what is left of it, so a share of 100% is a whole core.
use strict;
use warnings;
use Time::HiRes ();
my ($pattern, $cpu, $mb, $seed) = @ARGV;
$SIG{TERM} = sub { exit 0 };
exit 0 if getppid() == 1;
my $ballast = "x" x ($mb * 1048576);
srand($seed);
my $tick = 0.1;
my $n = 0;
my $target = 0;
my $next = Time::HiRes::time();
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
    $target = $used + $tick if $target > $used + $tick;
    while ($used < $target) {
        my $x = 0;
        $x += $_ for 1 .. 2000;
        ($user, $system) = times;
        $used = $user + $system;
    }
    $next += $tick;
    my $rest = $next - Time::HiRes::time();
    if ($rest > 0) {
        select(undef, undef, undef, $rest);
    } else {
        $next = Time::HiRes::time();
    }
}
