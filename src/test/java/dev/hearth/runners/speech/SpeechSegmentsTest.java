package dev.hearth.runners.speech;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The splitter on made-up probabilities: hysteresis, short pauses kept inside speech, blips dropped, padding, long speech cut. */
class SpeechSegmentsTest {

    static final SpeechSegments SPLIT = new SpeechSegments(0.5f, 0.35f, 5, 3, 2, 300);

    static float[] p(String pattern) {
        // '#' speech (0.9), '~' undecided (0.4), '.' silence (0.05)
        float[] p = new float[pattern.length()];
        for (int i = 0; i < p.length; i++) p[i] = switch (pattern.charAt(i)) {
            case '#' -> 0.9f;
            case '~' -> 0.4f;
            default -> 0.05f;
        };
        return p;
    }

    @Test
    void pausesOfFiveWindowsSplitShorterOnesDoNot() {
        //                             0         1         2         3
        //                             0123456789012345678901234567890123456789
        List<SpeechSegments.Span> s = SPLIT.find(p("..........######...#####.......######....."));
        // 3 quiet windows inside the first stretch do not split it; 7 do
        assertThat(s).extracting(SpeechSegments.Span::from, SpeechSegments.Span::to)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8, 26), org.assertj.core.groups.Tuple.tuple(29, 39));
    }

    @Test
    void undecidedWindowsContinueSpeechButDoNotStartIt() {
        assertThat(SPLIT.find(p("....~~~~~~~~~~...."))).isEmpty();
        assertThat(SPLIT.find(p("....###~~~~~~###....."))).hasSize(1);
    }

    @Test
    void blipsShorterThanMinimumSpeechAreDropped() {
        assertThat(SPLIT.find(p("......##..........##........"))).isEmpty();
    }

    @Test
    void paddingStopsHalfWayBetweenNeighbours() {
        List<SpeechSegments.Span> s = SPLIT.find(p("####.....####"));
        assertThat(s).hasSize(2);
        assertThat(s.get(0).from()).isZero();
        assertThat(s.get(0).to()).isLessThanOrEqualTo(s.get(1).from());
        assertThat(s.get(1).to()).isEqualTo(13);
    }

    @Test
    void speechLongerThanTheMaximumIsCutAtItsQuietestWindow() {
        float[] p = new float[1000];
        Arrays.fill(p, 0.9f);
        p[250] = 0.6f;
        p[520] = 0.55f;
        List<SpeechSegments.Span> s = SPLIT.find(p);
        assertThat(s).extracting(SpeechSegments.Span::from).containsExactly(0, 250, 520, 820);
        assertThat(s).allSatisfy(span -> assertThat(span.length()).isLessThanOrEqualTo(300));
        assertThat(s.getLast().to()).isEqualTo(1000);
    }
}
