package dev.hearth.runners.speech;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.MediaBlob;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.image.InputImages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * {@code speech-to-text}: {@code audio} (required; WAV, MP3, Ogg Vorbis or FLAC) in, {@code {"text", "words":
 * [{"word", "start", "end"}], "segments": [{"start", "end", "text"}], "duration"}} out, times in seconds from the
 * start of the recording. A recording longer than {@code splitAboveSeconds} is split by the VAD into stretches of
 * speech, each decoded as an utterance of its own (the language model expects sentences, and silence costs nothing
 * to skip); its words' times are moved back into the whole recording's time. Each call borrows a decoder of its own
 * (pocketsphinx decoders are not thread-safe); a slot that finds none free makes one, so there are never more
 * decoders than calls the model has run at once.
 */
final class TranscriptionRunner implements Runner {

    private final PocketSphinx engine;
    private final ConcurrentLinkedDeque<PocketSphinx.Decoder> idle = new ConcurrentLinkedDeque<>();
    private final double maxSeconds;
    private final AudioDecoders decoders;
    private final SileroVad vad;
    private final double splitAboveSeconds;

    TranscriptionRunner(PocketSphinx engine, PocketSphinx.Decoder first, double maxSeconds, AudioDecoders decoders, SileroVad vad, double splitAboveSeconds) {
        this.engine = engine;
        this.maxSeconds = maxSeconds;
        this.decoders = decoders;
        this.vad = vad;
        this.splitAboveSeconds = splitAboveSeconds;
        idle.push(first);
    }

    /** A stretch of the recording decoded as one utterance, in samples. */
    record Stretch(int from, int to) {
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        SpeechAudio.Samples audio = read(input);
        List<Stretch> stretches = stretches(audio);
        PocketSphinx.Decoder decoder = idle.poll();
        if (decoder == null) decoder = engine.decoder();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode words = JsonNodeFactory.instance.arrayNode();
        ArrayNode segments = JsonNodeFactory.instance.arrayNode();
        List<String> text = new ArrayList<>();
        try {
            for (Stretch s : stretches) {
                if (Thread.currentThread().isInterrupted()) throw new InterruptedException("the call ended while it was being decoded");
                PocketSphinx.Transcript t = decoder.decode(Arrays.copyOfRange(audio.pcm(), s.from, s.to));
                double offset = s.from / (double) audio.rate();
                double end = Math.min(s.to / (double) audio.rate(), audio.seconds());
                for (PocketSphinx.Word w : t.words()) {
                    words.addObject().put("word", w.word()).put("start", round(offset + w.start())).put("end", round(Math.min(offset + w.end(), end)));
                }
                segments.addObject().put("start", round(offset)).put("end", round(end)).put("text", t.text());
                if (!t.text().isEmpty()) text.add(t.text());
            }
        } finally {
            idle.push(decoder);
        }
        body.put("text", String.join(" ", text));
        body.set("words", words);
        body.set("segments", segments);
        body.put("duration", round(audio.seconds()));
        return new RunOutput.Json(body, 0);
    }

    /** The whole recording as one stretch, or, when it is long and a VAD is loaded, the VAD's stretches of speech. */
    List<Stretch> stretches(SpeechAudio.Samples audio) throws Exception {
        if (vad == null || audio.seconds() <= splitAboveSeconds) return List.of(new Stretch(0, audio.pcm().length));
        float[] p = vad.speechProbabilities(audio.pcm());
        List<Stretch> out = new ArrayList<>();
        for (SpeechSegments.Span s : SpeechSegments.forSilero().find(p)) {
            out.add(new Stretch(s.from() * SileroVad.WINDOW, Math.min(audio.pcm().length, s.to() * SileroVad.WINDOW)));
        }
        return out;
    }

    /** The gateway's checked media when there is one, else the parameter as a data: URL or base64 (a runner called directly). */
    private SpeechAudio.Samples read(RunInput input) throws RunFailure {
        MediaBlob blob = input.media().get("audio");
        if (blob != null) return SpeechAudio.read(blob.bytes(), "audio", maxSeconds, PocketSphinx.SAMPLE_RATE, decoders);
        var v = input.params().get("audio");
        if (v == null || !v.isTextual()) throw new RunFailure("'audio' is required: send a recording (" + decoders.readable() + ") as a URL, a data: URL or base64");
        String s = v.textValue().strip();
        if (s.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = s.indexOf(',');
            if (comma < 0) throw new RunFailure("'audio' is a data: URL without a comma before its data");
            s = s.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = InputImages.bytes(s, "audio");
        } catch (RunFailure e) {
            throw new RunFailure(e.getMessage().replace("image", "audio file"));
        }
        return SpeechAudio.read(bytes, "audio", maxSeconds, PocketSphinx.SAMPLE_RATE, decoders);
    }

    static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    @Override
    public void close() throws Exception {
        PocketSphinx.Decoder d;
        while ((d = idle.poll()) != null) d.close();
        try {
            if (vad != null) vad.close();
        } finally {
            decoders.close();
        }
    }

    @Override
    public String toString() {
        return "pocketsphinx en-us" + (vad != null ? " with silero VAD" : "");
    }
}
