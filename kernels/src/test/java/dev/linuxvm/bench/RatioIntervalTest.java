package dev.linuxvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.Test;

class RatioIntervalTest {
    @Test
    void a_constant_ratio_has_no_spread() {
        RatioInterval r = RatioInterval.of(List.of(200L, 220L, 180L, 210L), List.of(100L, 110L, 90L, 105L));

        assertThat(r.ratio()).isEqualTo(2.0);
        assertThat(r.low()).isEqualTo(2.0);
        assertThat(r.high()).isEqualTo(2.0);
    }

    @Test
    void the_interval_holds_the_ratio_of_the_medians_and_widens_with_noise() {
        List<Long> ours = List.of(1750L, 1830L, 1822L, 1689L, 1783L, 1745L, 1754L, 1765L, 1745L, 1791L, 1911L);
        List<Long> theirs = List.of(1636L, 1733L, 1765L, 1682L, 1564L, 1852L, 1630L, 1524L, 1726L, 1740L, 1800L);

        RatioInterval r = RatioInterval.of(ours, theirs);

        assertThat(r.ratio()).isCloseTo(1765.0 / 1726.0, within(1e-9));
        assertThat(r.low()).isLessThan(r.ratio());
        assertThat(r.high()).isGreaterThan(r.ratio());
        assertThat(r.toString()).startsWith("1.02 (95% interval ");
    }

    @Test
    void the_same_runs_give_the_same_interval() {
        List<Long> ours = List.of(10L, 12L, 11L, 15L, 9L);
        List<Long> theirs = List.of(11L, 10L, 12L, 10L, 13L);

        assertThat(RatioInterval.of(ours, theirs)).isEqualTo(RatioInterval.of(ours, theirs));
    }

    @Test
    void unequal_run_counts_are_refused() {
        assertThatThrownBy(() -> RatioInterval.of(List.of(1L, 2L), List.of(1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as many runs");
    }
}
