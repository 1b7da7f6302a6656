package dev.linuxvm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class DurationConverterTest {
    private final DurationConverter c = new DurationConverter();

    @Test
    void parses_units_and_bare_seconds() {
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("120s")).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(c.convert("90")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void rejects_garbage_and_zero() {
        assertThatThrownBy(() -> c.convert("5 min")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> c.convert("0s")).isInstanceOf(CommandLine.TypeConversionException.class);
    }

    @Test
    void formats_in_the_largest_exact_unit() {
        assertThat(DurationConverter.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(DurationConverter.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(DurationConverter.format(Duration.ofSeconds(1))).isEqualTo("1s");
        assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationConverter.format(Duration.ofHours(1))).isEqualTo("1h");
    }
}
