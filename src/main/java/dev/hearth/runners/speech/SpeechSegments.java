package dev.hearth.runners.speech;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the speech is, from a voice-activity detector's per-window probabilities: the stretches a recogniser
 * should decode one at a time. Hysteresis as silero's own splitter does it (speech starts at {@code start}
 * probability, ends after {@code minSilence} below {@code end}); stretches shorter than {@code minSpeech} are
 * dropped as clicks and breaths; each kept stretch gets {@code pad} of context on both sides, never past the middle
 * of the pause that separates it from its neighbour; a stretch over {@code maxLength} is cut at its least
 * speech-like window, so no single utterance grows without bound. All lengths are in windows.
 */
record SpeechSegments(float start, float end, int minSilence, int minSpeech, int pad, int maxLength) {

    /** A stretch of windows, {@code [from, to)}. */
    record Span(int from, int to) {
        int length() {
            return to - from;
        }
    }

    /** Defaults for {@link SileroVad#WINDOW} (96 ms): split at pauses of 0.48 s, keep speech from 0.29 s, pad 0.29 s, cut at 28.8 s. */
    static SpeechSegments forSilero() {
        return new SpeechSegments(0.5f, 0.35f, 5, 3, 3, 300);
    }

    List<Span> find(float[] p) {
        List<Span> speech = new ArrayList<>();
        int from = -1;
        int quiet = 0;
        for (int i = 0; i < p.length; i++) {
            if (from < 0) {
                if (p[i] >= start) {
                    from = i;
                    quiet = 0;
                }
            } else if (p[i] < end) {
                if (++quiet >= minSilence) {
                    speech.add(new Span(from, i - quiet + 1));
                    from = -1;
                }
            } else {
                quiet = 0;
            }
        }
        if (from >= 0) speech.add(new Span(from, p.length - quiet));
        speech.removeIf(s -> s.length() < minSpeech);
        List<Span> padded = new ArrayList<>();
        for (int k = 0; k < speech.size(); k++) {
            Span s = speech.get(k);
            int lo = k == 0 ? 0 : (speech.get(k - 1).to + s.from + 1) / 2;
            int hi = k == speech.size() - 1 ? p.length : (s.to + speech.get(k + 1).from) / 2;
            padded.add(new Span(Math.max(lo, s.from - pad), Math.min(hi, s.to + pad)));
        }
        List<Span> out = new ArrayList<>();
        for (Span s : padded) cut(s, p, out);
        return out;
    }

    /** Splits a stretch longer than {@code maxLength} at the least speech-like window of its second half, repeatedly. */
    private void cut(Span s, float[] p, List<Span> out) {
        while (s.length() > maxLength) {
            int best = s.from + maxLength;
            for (int i = s.from + maxLength / 2; i < s.from + maxLength; i++) if (p[i] < p[best]) best = i;
            out.add(new Span(s.from, best));
            s = new Span(best, s.to);
        }
        out.add(s);
    }
}
