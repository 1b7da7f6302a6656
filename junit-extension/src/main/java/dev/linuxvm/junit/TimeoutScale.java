package dev.linuxvm.junit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scales every default and explicit console timeout for the executor that runs the guest.
 * The factor is the product of
 * <ol>
 *   <li>a per-executor factor: 1 for KVM, {@value #TCG_FACTOR} for any executor whose name
 *       contains "tcg" (QEMU's emulator: measured ~2-3 s boots here versus well under a second
 *       with KVM, and a loaded CI host is slower still);</li>
 *   <li>the system property {@value #PROPERTY} (default 1), for slow or shared machines;</li>
 *   <li>when more guests may run at once than the host has processors
 *       ({@link #withParallelGuests}), their ratio: each guest then gets less than a core.</li>
 * </ol>
 */
public final class TimeoutScale {
    /** System property multiplying all timeouts, e.g. {@code -Dlinuxvm.timeout.factor=2.5}. */
    public static final String PROPERTY = "linuxvm.timeout.factor";
    /** Factor for instruction-emulating executors. */
    public static final double TCG_FACTOR = 4.0;

    private final double factor;
    private final String backend;
    private final List<String> notes;

    private TimeoutScale(double factor, String backend, List<String> notes) {
        this.factor = factor;
        this.backend = backend;
        this.notes = List.copyOf(notes);
    }

    public static TimeoutScale none() {
        return new TimeoutScale(1.0, null, List.of());
    }

    /** The scale for the executor named {@code backend}, times {@value #PROPERTY}. */
    public static TimeoutScale forBackend(String backend) {
        double base = backend.toLowerCase(Locale.ROOT).contains("tcg") ? TCG_FACTOR : 1.0;
        String prop = System.getProperty(PROPERTY, "").trim();
        double user = 1.0;
        if (!prop.isEmpty()) {
            try {
                user = Double.parseDouble(prop);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PROPERTY + "=" + prop + " is not a number: use e.g. 2 or 1.5");
            }
            if (!(user > 0)) {
                throw new IllegalArgumentException(PROPERTY + "=" + prop + " must be positive");
            }
        }
        return new TimeoutScale(base * user, backend, prop.isEmpty() ? List.of() : List.of(PROPERTY + "=" + prop));
    }

    /**
     * This scale times {@code guests / cores} when {@code guests} (the most guests that may run at
     * once) exceeds {@code cores}; unchanged otherwise, so the default limit of one guest per
     * processor keeps the plain per-executor factor.
     */
    public TimeoutScale withParallelGuests(int guests, int cores) {
        if (guests <= cores) {
            return this;
        }
        List<String> more = new ArrayList<>(notes);
        more.add(guests + " parallel guests on " + cores + " cores");
        return new TimeoutScale(factor * guests / cores, backend, more);
    }

    public double factor() {
        return factor;
    }

    public Duration apply(Duration d) {
        return Duration.ofNanos((long) Math.min(Long.MAX_VALUE / 2.0, d.toNanos() * factor));
    }

    /** "×4 for qemu-tcg", "×8 for qemu-tcg (4 parallel guests on 2 cores)". */
    public String describe() {
        if (backend == null) {
            return "unscaled";
        }
        return String.format(Locale.ROOT, "×%s for %s", trim(factor), backend)
                + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
