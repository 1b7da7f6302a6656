package dev.linuxvm.cli;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import net.jqwik.api.statistics.Statistics;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI prepares a guest from its own first look at the arguments while picocli parses them
 * ({@link LinuxVmCli#guess}) and boots it only when the parse asks for the same request: a guess
 * that picocli's parse contradicts would boot the wrong guest, so whenever both read the
 * arguments, they must read them alike.
 */
class LinuxVmCliGuessTest {
    private static final List<String> OPTIONS = List.of("--kernel", "--initrd", "--cmdline", "--arch", "--memory", "--cpus",
            "--backend", "--exec", "--timeout", "--device-tree", "--help", "-h", "--bogus", "-V");
    private static final List<String> VALUES = List.of("x86_64", "aarch64", "arm64", "AMD64", "512", "0", "-5", "1.5",
            "qemu", "kvm", "auto", "QEMU", "Kvm", "true", "uname -a", "--exec", "-x", "a=b", "/tmp/vmlinux", "rel/Image",
            "", "90s", "2m", " spaced ", "--device-tree", "console=ttyS0 panic=-1", "x\u0000y");

    @Property(tries = 3000)
    void whenever_picocli_accepts_what_the_guess_read_both_ask_for_the_same_guest(@ForAll("argumentLists") List<String> args) {
        String[] a = args.toArray(String[]::new);
        LinuxVmCli guess = LinuxVmCli.guess(a);
        Assume.that(guess != null);
        CommandSpec spec = LinuxVmCli.spec();
        try {
            new CommandLine(spec).parseArgs(a);
        } catch (CommandLine.ParameterException e) {
            Statistics.collect("picocli refuses");
            return; // the parse refuses them: the guessed guest is released, never booted
        }
        Statistics.collect("picocli accepts");
        LinuxVmCli parsed = LinuxVmCli.from(spec);
        assertThat(parsed.asksAsMuchAs(guess)).as("%s", args).isTrue();
        assertThat(parsed.request()).as("%s", args).isEqualTo(guess.request());
    }

    @Example
    void the_common_command_lines_are_guessed_as_parsed() {
        for (String[] a : new String[][] {{"--exec", "true"}, {"--backend", "qemu", "--arch", "x86_64", "--exec", "true"},
                {"--arch=aarch64", "--device-tree", "--memory", "1024", "--cpus=2"},
                {"--kernel", "/tmp/vmlinux", "--initrd", "/tmp/initrd", "--cmdline", "console=ttyS0"},
                {"--timeout", "90s", "--exec", "uname -r"}}) {
            LinuxVmCli guess = LinuxVmCli.guess(a);
            assertThat(guess).as(String.join(" ", a)).isNotNull();
            CommandSpec spec = LinuxVmCli.spec();
            new CommandLine(spec).parseArgs(a);
            assertThat(LinuxVmCli.from(spec).asksAsMuchAs(guess)).as(String.join(" ", a)).isTrue();
        }
    }

    @Example
    void a_field_that_differs_is_another_request() {
        LinuxVmCli a = LinuxVmCli.guess(new String[] {"--exec", "true"});
        for (String[] other : new String[][] {{"--exec", "false"}, {"--exec", "true", "--memory", "256"},
                {"--exec", "true", "--device-tree"}, {"--exec", "true", "--cmdline", "quiet"},
                {"--exec", "true", "--kernel", "/tmp/k"}, {"--exec", "true", "--initrd", "/tmp/i"},
                {"--exec", "true", "--cpus", "2"}, {"--exec", "true", "--backend", "qemu"},
                {"--exec", "true", "--arch", "aarch64"}}) {
            assertThat(a.asksAsMuchAs(LinuxVmCli.guess(other))).as(String.join(" ", other)).isFalse();
        }
    }

    @Provide
    Arbitrary<List<String>> argumentLists() {
        Arbitrary<String> option = Arbitraries.of(OPTIONS);
        Arbitrary<String> value = Arbitraries.of(VALUES);
        Arbitrary<String> joined = Combinators.combine(option, value).as((o, v) -> o + "=" + v);
        return Arbitraries.oneOf(option, value, joined, option, joined).list().ofMaxSize(8);
    }
}
