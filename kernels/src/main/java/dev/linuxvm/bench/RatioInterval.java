package dev.linuxvm.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How far a ratio of two medians can be trusted: a percentile bootstrap interval for
 * median(ours) / median(theirs), resampling the runs. Runs of both sides made in the same round
 * ({@code ours.get(i)} and {@code theirs.get(i)}) are resampled together, so that what a round
 * shares (the machine's load at that moment) stays paired.
 *
 * <p>Why the benchmark prints it: on this 2-core machine one run of a 1.7 s boot varies by
 * ±80 ms, and the median of 11 by ±0.02 in the ratio, which is the size of the differences the
 * cold-boot target (a ratio at or below 1.0) is about. A ratio is below 1.0 beyond the noise
 * only when its interval's upper end is.
 */
record RatioInterval(double ratio, double low, double high) {
    /** Resamples per interval: enough for stable 2.5th and 97.5th percentiles. */
    static final int RESAMPLES = 4000;

    static RatioInterval of(List<Long> ours, List<Long> theirs) {
        return of(ours, theirs, RESAMPLES, 0x6c696e7578766dL);
    }

    /** The 95% interval from {@code resamples} resamples drawn with {@code seed} (the same seed, the same interval). */
    static RatioInterval of(List<Long> ours, List<Long> theirs, int resamples, long seed) {
        if (ours.isEmpty() || ours.size() != theirs.size()) {
            throw new IllegalArgumentException("need as many runs of each side, at least one: " + ours.size() + " and "
                    + theirs.size());
        }
        int n = ours.size();
        long[] o = new long[n];
        long[] t = new long[n];
        SplittableRandom random = new SplittableRandom(seed);
        double[] ratios = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                int k = random.nextInt(n);
                o[i] = ours.get(k);
                t[i] = theirs.get(k);
            }
            ratios[r] = median(o) / median(t);
        }
        Arrays.sort(ratios);
        double ratio = median(ours.stream().mapToLong(Long::longValue).toArray())
                / median(theirs.stream().mapToLong(Long::longValue).toArray());
        return new RatioInterval(ratio, ratios[(int) Math.floor(0.025 * (resamples - 1))],
                ratios[(int) Math.ceil(0.975 * (resamples - 1))]);
    }

    /** The median as the benchmark reports it: the middle value, the upper one of an even count. */
    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.2f (95%% interval %.2f-%.2f)", ratio, low, high);
    }
}
