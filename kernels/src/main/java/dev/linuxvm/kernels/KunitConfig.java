package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config fragment of a KUnit kernel, in the order kunit.py merges its own: 1. KUnit's
 * {@code tools/testing/kunit/configs/default.config} from the source, without
 * {@code CONFIG_KUNIT_ALL_TESTS} (we name the suites instead); 2. the kconfig of kunit.py's
 * {@code qemu_configs/<arch>.py} (the console UART); 3. what our platform needs
 * ({@link KunitTarget#platform()}); 4. the suites ({@link #SUITES}). Like kunit.py, the build
 * writes it as {@code .config} and runs {@code make olddefconfig}, so every other option takes
 * its Kconfig default, then checks that each option here made it into the result.
 *
 * @param arch the target
 * @param text the fragment, with a comment above each part saying where it comes from
 */
public record KunitConfig(Arch arch, String text) {
    /** Changes to what this class adds beyond the source's fragments; hashed with the text anyway. */
    public static final int REVISION = 1;

    /**
     * The KUnit suites built in: each Kconfig option with the names of the suites it adds (the
     * {@code .name} of their {@code struct kunit_suite}, as KTAP prints them). 23 suites, 140 cases
     * on 6.1.192: 138 pass, 2 skip ("example" skips two on purpose), on both arches; ~2.5 s of KTAP
     * under TCG, most of it time_test_cases' 160000-year loop. Chosen because they
     * pass on both arches under TCG in a few seconds in all: KUnit's own tests and example, and
     * pure library code. Left out: SLUB_KUNIT_TEST (it provokes slab error reports that start
     * with "BUG", a fail-fast marker), STACKINIT_KUNIT_TEST (results depend on the compiler),
     * tests needing subsystems we do not build (ext4, FAT, networking, drivers).
     */
    public static final Map<String, List<String>> SUITES = suites();

    private static Map<String, List<String>> suites() {
        Map<String, List<String>> s = new LinkedHashMap<>();
        s.put("CONFIG_KUNIT_TEST", List.of("kunit_executor_test", "kunit-try-catch-test", "kunit-resource-test",
            "kunit-log-test", "kunit_status", "string-stream-test"));
        s.put("CONFIG_KUNIT_EXAMPLE_TEST", List.of("example"));
        s.put("CONFIG_LIST_KUNIT_TEST", List.of("list-kunit-test", "hlist"));
        s.put("CONFIG_TEST_LIST_SORT", List.of("list_sort"));
        s.put("CONFIG_TEST_SORT", List.of("lib_sort"));
        s.put("CONFIG_BITFIELD_KUNIT", List.of("bitfields"));
        s.put("CONFIG_BITS_TEST", List.of("bits-test"));
        s.put("CONFIG_CMDLINE_KUNIT_TEST", List.of("cmdline"));
        s.put("CONFIG_CPUMASK_KUNIT_TEST", List.of("cpumask"));
        s.put("CONFIG_HASH_KUNIT_TEST", List.of("hash"));
        s.put("CONFIG_LINEAR_RANGES_TEST", List.of("linear-ranges-test"));
        s.put("CONFIG_RESOURCE_KUNIT_TEST", List.of("resource"));
        s.put("CONFIG_SYSCTL_KUNIT_TEST", List.of("sysctl_test"));
        s.put("CONFIG_TIME_KUNIT_TEST", List.of("time_test_cases"));
        s.put("CONFIG_OVERFLOW_KUNIT_TEST", List.of("overflow"));
        s.put("CONFIG_IS_SIGNED_TYPE_KUNIT_TEST", List.of("is_signed_type"));
        s.put("CONFIG_MEMCPY_KUNIT_TEST", List.of("memcpy"));
        return java.util.Collections.unmodifiableMap(s);
    }

    private static final Pattern OPTION = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
    private static final Pattern NOT_SET = Pattern.compile("^# (CONFIG_[A-Za-z0-9_]+) is not set$");
    /** kconfig='''...''' in kunit.py's qemu_configs/*.py. */
    private static final Pattern QEMU_KCONFIG = Pattern.compile("kconfig\\s*=\\s*'''(.*?)'''", Pattern.DOTALL);
    static final String ALL_TESTS = "CONFIG_KUNIT_ALL_TESTS";

    /** The fragment for {@code arch} from {@code kunitTool} (a source tree's tools/testing/kunit). */
    public static KunitConfig forArch(Arch arch, Path kunitTool) {
        KunitTarget target = KunitTarget.of(arch);
        Path defaultConfig = kunitTool.resolve("configs/default.config");
        Path qemuConfig = kunitTool.resolve("qemu_configs/" + target.linuxArch() + ".py");
        try {
            StringBuilder s = new StringBuilder();
            s.append("# linuxvm KUnit kernel for ").append(arch).append(" (KunitConfig revision ").append(REVISION).append(")\n");
            s.append("# tools/testing/kunit/configs/default.config, without ").append(ALL_TESTS).append('\n');
            for (String line : Files.readString(defaultConfig).lines().toList()) {
                if (!line.isBlank() && !line.startsWith(ALL_TESTS + "=")) {
                    s.append(line.strip()).append('\n');
                }
            }
            s.append("# tools/testing/kunit/qemu_configs/").append(target.linuxArch()).append(".py\n");
            Matcher m = QEMU_KCONFIG.matcher(Files.readString(qemuConfig));
            if (!m.find()) {
                throw new ProvisioningException(qemuConfig + " has no kconfig='''...''' block");
            }
            for (String line : m.group(1).lines().toList()) {
                if (!line.isBlank()) {
                    s.append(line.strip()).append('\n');
                }
            }
            s.append("# linuxvm's ").append(arch).append(" platform\n");
            for (KunitTarget.Option o : target.platform()) {
                s.append("# ").append(o.why()).append('\n').append(o.line()).append('\n');
            }
            s.append("# the suites\n");
            for (String option : SUITES.keySet()) {
                s.append(option).append("=y\n");
            }
            KunitConfig config = new KunitConfig(arch, s.toString());
            config.options(); // rejects conflicting values now, not after a build
            return config;
        } catch (IOException e) {
            throw new ProvisioningException("cannot read KUnit's config fragments under " + kunitTool + ": "
                + GuestCache.describe(e), e);
        }
    }

    /** Option name to value ("y", "n" for "is not set", or a string/number), in order; rejects a conflict. */
    public Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String name;
            String value;
            Matcher set = OPTION.matcher(line);
            Matcher unset = NOT_SET.matcher(line);
            if (set.matches()) {
                name = set.group(1);
                value = set.group(2);
            } else if (unset.matches()) {
                name = unset.group(1);
                value = "n";
            } else {
                continue;
            }
            String before = o.putIfAbsent(name, value);
            if (before != null && !before.equals(value)) {
                throw new ProvisioningException("the KUnit config for " + arch + " sets " + name + " to both " + before
                    + " and " + value);
            }
        }
        return o;
    }

    /** Hex SHA-256 of the fragment: with the source version, the build's cache key. */
    public String sha256() {
        return GuestCache.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The options of this fragment that {@code dotConfig} (a .config after olddefconfig) does not
     * have as asked, as "CONFIG_X=y (got n)": an unmet dependency, as kunit.py reports it.
     */
    public List<String> missingFrom(String dotConfig) {
        Map<String, String> actual = new KunitConfig(arch, dotConfig).optionsLenient();
        List<String> missing = new ArrayList<>();
        options().forEach((name, value) -> {
            String got = actual.getOrDefault(name, "n");
            if (!got.equals(value)) {
                missing.add(name + "=" + value + " (got " + got + ")");
            }
        });
        return missing;
    }

    private Map<String, String> optionsLenient() {
        Map<String, String> o = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            Matcher set = OPTION.matcher(line);
            if (set.matches()) {
                o.put(set.group(1), set.group(2));
            }
        }
        return o;
    }
}
