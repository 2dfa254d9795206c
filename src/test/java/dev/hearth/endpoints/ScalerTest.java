package dev.hearth.endpoints;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScalerTest {

    @Test
    void loadAboveTheTargetPerWorkerAsksForMoreWorkersUpToTheMaximum() {
        assertThat(Scaler.desired(0, 1, 1, 0, 3)).isEqualTo(1);
        assertThat(Scaler.desired(1, 1, 1, 0, 3)).isEqualTo(2);
        assertThat(Scaler.desired(3, 2, 2, 0, 10)).isEqualTo(3);   // ceil(5 / 2)
        assertThat(Scaler.desired(50, 4, 1, 0, 3)).isEqualTo(3);   // never above max
    }

    @Test
    void noLoadAsksForTheMinimum() {
        assertThat(Scaler.desired(0, 0, 1, 0, 3)).isZero();
        assertThat(Scaler.desired(0, 0, 1, 2, 3)).isEqualTo(2);
    }

    @Test
    void growsAtOnceButShrinksOnlyByWorkersIdleLongEnough() {
        assertThat(Scaler.target(4, 0, 1, 0, 1, 1, 3)).isEqualTo(3);
        // no load, three workers, none idle long enough yet: keep them
        assertThat(Scaler.target(0, 0, 3, 0, 1, 1, 3)).isEqualTo(3);
        // two idle long enough: back to the minimum of one
        assertThat(Scaler.target(0, 0, 3, 2, 1, 1, 3)).isEqualTo(1);
        // all three idle, but the minimum keeps one
        assertThat(Scaler.target(0, 0, 3, 3, 1, 1, 3)).isEqualTo(1);
        // min 0: the last idle worker goes too (scale to zero)
        assertThat(Scaler.target(0, 0, 1, 1, 1, 0, 3)).isZero();
        // one job running on one of two workers, the other idle: shrink to the one at work
        assertThat(Scaler.target(0, 1, 2, 1, 1, 0, 3)).isEqualTo(1);
    }

    @Test
    void aQueuedJobOnAnEndpointScaledToZeroBootsAWorker() {
        assertThat(Scaler.target(1, 0, 0, 0, 1, 0, 2)).isEqualTo(1);
    }
}
